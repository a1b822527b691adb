/**
 * Splitting a document's excerpt into pieces for display, marking the words that drove its
 * prediction: `effect` > 0 pushed towards the predicted class, < 0 against it. Pieces are cut where
 * the tokenizer cuts (workers/text/tokenize.ts, whose regular-expression definition this follows):
 * URLs, e-mail addresses, the masked copy's placeholders ([EMAIL] …) and words; a word is matched
 * lower-cased, as the tokenizer lower-cases, and the normalised tokens `<url>`, `<email>`, `<num>`
 * and `<email>`-style placeholders are marked where their text stands.
 */

/** One piece of the excerpt: plain text, or a word with its effect on the prediction. */
export interface Piece {
  text: string;
  effect: number | null;
}

const TOKEN =
  /(https?:\/\/[^\s<>"]+|www\.[^\s<>"]+|[\p{L}\p{N}._%+'-]*[\p{L}\p{N}]@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+|\[(?:EMAIL|PHONE|CARD|IBAN|IP|SSN|NAME)\]|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*)/u;

/** The token a piece of text is read as. */
function tokenOf(piece: string): string {
  const lower = piece.toLowerCase();
  if (lower.startsWith('http://') || lower.startsWith('https://') || lower.startsWith('www.')) return '<url>';
  if (piece.startsWith('[') && piece.endsWith(']')) return `<${lower.slice(1, -1)}>`;
  if (piece.indexOf('@') > 0) return '<email>';
  if (/^[0-9]\p{N}*$/u.test(piece)) return '<num>';
  return lower;
}

export function highlightPieces(excerpt: string, words: Array<{ word: string; effect: number }>): Piece[] {
  const effects = new Map(words.map((w) => [w.word, w.effect]));
  const pieces: Piece[] = [];
  let plain = '';
  excerpt.split(TOKEN).forEach((token, i) => {
    // split with one capture group: odd pieces are tokens, even ones the text between them.
    const effect = i % 2 === 1 ? effects.get(tokenOf(token)) : undefined;
    if (effect === undefined) {
      plain += token;
      return;
    }
    if (plain) pieces.push({ text: plain, effect: null });
    plain = '';
    pieces.push({ text: token, effect });
  });
  if (plain) pieces.push({ text: plain, effect: null });
  return pieces;
}
