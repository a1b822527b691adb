/**
 * Splitting a document's excerpt into pieces for display, marking the words that drove its
 * prediction: `effect` > 0 pushed towards the predicted class, < 0 against it. Matching is on the
 * lower-cased word, as the tokenizer lower-cases; `<num>`-style normalised tokens are not marked.
 */

/** One piece of the excerpt: plain text, or a word with its effect on the prediction. */
export interface Piece {
  text: string;
  effect: number | null;
}

export function highlightPieces(excerpt: string, words: Array<{ word: string; effect: number }>): Piece[] {
  const effects = new Map(words.filter((w) => !w.word.startsWith('<')).map((w) => [w.word, w.effect]));
  const pieces: Piece[] = [];
  let plain = '';
  for (const token of excerpt.split(/([\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*)/u)) {
    const effect = effects.get(token.toLowerCase());
    if (effect === undefined) {
      plain += token;
      continue;
    }
    if (plain) pieces.push({ text: plain, effect: null });
    plain = '';
    pieces.push({ text: token, effect });
  }
  if (plain) pieces.push({ text: plain, effect: null });
  return pieces;
}
