/**
 * Character classes the tokenizer needs (Unicode letter, mark, number, white space, and the
 * scripts written without spaces), looked up in a table instead of matched by a regular
 * expression: the tokenizer scans code points, and a table lookup per character is several
 * times faster than a Unicode-property regex. The table is filled 256 code points at a time, on
 * first use, from the same Unicode properties (so the classes are exactly the regex's, for the
 * Unicode version of the Node.js that runs it); code points above the BMP (rare) ask the regex.
 */

/** `\p{L}` */
export const LETTER = 1;
/** `\p{M}` */
export const MARK = 2;
/** `\p{N}` */
export const NUMBER = 4;
/** Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar: one token per character. */
export const UNSPACED = 8;
/** `\s` (Unicode white space and the BOM). */
export const SPACE = 16;

const LETTER_RE = /\p{L}/u;
const MARK_RE = /\p{M}/u;
const NUMBER_RE = /\p{N}/u;
const UNSPACED_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const SPACE_RE = /\s/u;

function classify(cp: number): number {
  const s = String.fromCodePoint(cp);
  return (LETTER_RE.test(s) ? LETTER : 0) | (MARK_RE.test(s) ? MARK : 0) | (NUMBER_RE.test(s) ? NUMBER : 0) | (UNSPACED_RE.test(s) ? UNSPACED : 0) | (SPACE_RE.test(s) ? SPACE : 0);
}

const bmp = new Uint8Array(0x10000);
const filled = new Uint8Array(0x100);
const astral = new Map<number, number>();

/** The same properties as global regular expressions, to classify a block of 256 code points with one scan each. */
const BLOCK_RES: Array<[RegExp, number]> = [
  [new RegExp(LETTER_RE.source, 'gu'), LETTER],
  [new RegExp(MARK_RE.source, 'gu'), MARK],
  [new RegExp(NUMBER_RE.source, 'gu'), NUMBER],
  [new RegExp(UNSPACED_RE.source, 'gu'), UNSPACED],
  [new RegExp(SPACE_RE.source, 'gu'), SPACE],
];

function fill(block: number): void {
  const from = block << 8;
  // The block's 256 code units as one string (no surrogate pairs can form: a block holds only
  // high or only low surrogates), matched once per property instead of 1,280 single tests.
  const text = String.fromCharCode(...Array.from({ length: 0x100 }, (_, i) => from + i));
  for (const [re, bit] of BLOCK_RES) for (const m of text.matchAll(re)) bmp[from + m.index!]! |= bit;
  filled[block] = 1;
}
// ASCII and Latin-1 up front: nearly every text is mostly these.
fill(0);

/** The classes of one code point (a bit set of LETTER, MARK, NUMBER, UNSPACED, SPACE). */
export function classOf(cp: number): number {
  if (cp < 0x10000) {
    if (filled[cp >> 8] === 0) fill(cp >> 8);
    return bmp[cp]!;
  }
  let c = astral.get(cp);
  if (c === undefined) {
    c = classify(cp);
    astral.set(cp, c);
  }
  return c;
}
