/**
 * The language of a text, as a heuristic (said as such in the quality report): the script of its
 * letters (Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai, Hangul, Kana, Han) and, for
 * Latin script, which of seven languages' commonest words occur most.
 */

const STOP: Record<string, string[]> = {
  english: ['the', 'and', 'of', 'to', 'is', 'in', 'that', 'it', 'for', 'you', 'with', 'this'],
  french: ['le', 'la', 'les', 'et', 'des', 'est', 'une', 'pour', 'que', 'dans', 'pas', 'vous'],
  german: ['der', 'die', 'und', 'das', 'ist', 'nicht', 'mit', 'ein', 'eine', 'ich', 'sie', 'auf'],
  spanish: ['el', 'los', 'las', 'y', 'que', 'es', 'por', 'para', 'una', 'con', 'del', 'se'],
  italian: ['il', 'che', 'di', 'e', 'per', 'una', 'non', 'sono', 'della', 'con', 'gli', 'questo'],
  portuguese: ['o', 'os', 'que', 'não', 'uma', 'para', 'com', 'do', 'da', 'em', 'são', 'você'],
  dutch: ['de', 'het', 'een', 'en', 'van', 'is', 'niet', 'dat', 'op', 'voor', 'met', 'zijn'],
};
/** Unicode blocks of the scripts told apart (first code point, last code point, name). */
const BLOCKS: Array<[number, number, string]> = [
  [0x0370, 0x03ff, 'Greek'],
  [0x0400, 0x052f, 'Cyrillic'],
  [0x0590, 0x05ff, 'Hebrew'],
  [0x0600, 0x06ff, 'Arabic'],
  [0x0900, 0x097f, 'Devanagari'],
  [0x0e00, 0x0e7f, 'Thai'],
  [0x1100, 0x11ff, 'Korean'],
  [0x3040, 0x30ff, 'Japanese'],
  [0x4e00, 0x9fff, 'Chinese'],
  [0xac00, 0xd7af, 'Korean'],
];
export const LANGUAGES = Object.keys(STOP);
export const STOP_LANGUAGE = new Map<string, string[]>();
for (const [lang, list] of Object.entries(STOP)) for (const w of list) STOP_LANGUAGE.set(w, [...(STOP_LANGUAGE.get(w) ?? []), lang]);

/** The language of one text (heuristic), or 'unknown'. */
export function guessLanguage(text: string, tokens: string[]): string {
  return languageOf(text, () => {
    const counts = new Map<string, number>();
    for (const t of tokens.slice(0, 400)) for (const lang of STOP_LANGUAGE.get(t) ?? []) counts.set(lang, (counts.get(lang) ?? 0) + 1);
    return counts;
  });
}

/** The scripts told apart, each once (Korean has two blocks), and per block its script's index. */
const SCRIPTS = [...new Set(BLOCKS.map((b) => b[2]))];
const BLOCK_FROM = Int32Array.from(BLOCKS, (b) => b[0]);
const BLOCK_TO = Int32Array.from(BLOCKS, (b) => b[1]);
const BLOCK_SCRIPT = Int32Array.from(BLOCKS, (b) => SCRIPTS.indexOf(b[2]));
const CHINESE = SCRIPTS.indexOf('Chinese');
const JAPANESE = SCRIPTS.indexOf('Japanese');

/**
 * The script of the letters (first 2,000 characters); for Latin script, the language whose stop
 * words `stopCounts` counts most. Ties go to the script, or the language, seen first. The hot loop
 * only counts Latin letters and notes whether anything else occurs; the rare texts with other
 * letters are counted by script in a function of their own (inside this loop, that branch sent
 * the optimised code back to the interpreter dozens of times on the SpamAssassin corpus).
 */
export function languageOf(text: string, stopCounts: () => Map<string, number>): string {
  let latin = 0;
  let other = false;
  const n = Math.min(text.length, 2000);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x250) other = true;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xc0) latin++;
  }
  const script = other ? scriptOf(text, n, latin) : null;
  if (script !== null) return script;
  if (latin === 0) return 'unknown';
  return topLanguage(stopCounts());
}

/** The script with more letters than `latin` in text[0, n) (first seen wins ties; Han with any kana is Japanese), or null. */
function scriptOf(text: string, n: number, latin: number): string | null {
  const counts = new Int32Array(SCRIPTS.length);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x250) continue;
    for (let b = 0; b < BLOCK_FROM.length; b++) {
      if (c >= BLOCK_FROM[b]! && c <= BLOCK_TO[b]!) {
        const script = BLOCK_SCRIPT[b]!;
        if (counts[script]!++ === 0) order.push(script);
      }
    }
  }
  let best = -1;
  let bestCount = latin;
  for (const script of order) {
    if (counts[script]! > bestCount) {
      best = script;
      bestCount = counts[script]!;
    }
  }
  if (best === CHINESE && counts[JAPANESE]! > 0) return 'Japanese';
  return best >= 0 ? SCRIPTS[best]! : null;
}

/** The language counted most (at least twice; the first seen wins ties), or 'unknown'. */
function topLanguage(counts: Map<string, number>): string {
  let top = 'unknown';
  let topCount = 1;
  for (const [language, count] of counts) {
    if (count > topCount) {
      top = language;
      topCount = count;
    }
  }
  return top;
}
