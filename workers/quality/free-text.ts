/**
 * Which cells of a text column are worth scanning for personal data inside them (`text/pii-spans.ts`),
 * decided on the cell's bytes where the scorer reads ASCII spans (`ColumnAccumulator.addBytes`):
 * the scan runs on a string, so a cell that surely holds nothing stays on the byte path. Every
 * kind the scan finds needs a digit, an `@`, or a person name, and a name starts with a given name
 * from `text/names.ts` or a title — so a sentence with neither stays on the byte path.
 */
import { GIVEN_NAMES } from '../text/names.js';
import type { PiiKind } from './pii.js';
import type { TextPiiSummary } from '../text/pii-spans.js';

/** Sentences, not codes or labels: the cells worth scanning for personal data inside them. */
export const FREE_TEXT_MIN = 16;

export function isFreeText(v: string): boolean {
  return v.length >= FREE_TEXT_MIN && v.indexOf(' ') > 0;
}

/** The words a name can start with on the byte path (ASCII): the given names written in ASCII, and titles. */
const NAME_STARTS = new Set([...GIVEN_NAMES.filter((n) => /^[A-Za-z'-]+$/.test(n)), 'Mr', 'Mrs', 'Ms', 'Miss', 'Dr', 'Prof']);
const LONGEST_START = Math.max(...[...NAME_STARTS].map((n) => n.length));

const isUpper = (d: number) => d >= 65 && d <= 90;
const isLower = (d: number) => d >= 97 && d <= 122;
const isSpace = (d: number) => d === 32 || d === 9 || d === 10 || d === 13;

/**
 * False where a free-text cell `bytes[from, to)` surely holds no in-text personal data: a sentence
 * with a space but no digit, no `@` and no word that can start a name (a listed given name or a
 * title followed by white space) stays on the byte path. Only a capitalised word followed by white
 * space is looked up, so a lower-case sentence costs one pass over its bytes.
 */
export function mayHoldTextPii(bytes: Buffer, from: number, to: number): boolean {
  let space = false;
  let signal = false;
  for (let k = from; k < to; k++) {
    // Most bytes (lower-case letters, punctuation) change nothing: one table look-up each.
    const c = BYTE_CLASS[bytes[k]!]!;
    if (c === 0) continue;
    if (c === SPACE) {
      if (signal) return true;
      space = true;
    } else if (c === SIGNAL) {
      if (space) return true;
      signal = true;
    } else if (c === UPPER && !signal && k + 1 < to && isLower(bytes[k + 1]!)) {
      const previous = k > from ? bytes[k - 1]! : 32;
      if (isUpper(previous) || isLower(previous)) continue;
      let e = k + 2;
      while (e < to && (isLower(bytes[e]!) || isUpper(bytes[e]!) || bytes[e] === 45 || bytes[e] === 39)) e++;
      const after = e < to && bytes[e] === 46 ? e + 1 : e; // "Dr." — the title's dot
      if (e - k <= LONGEST_START && after < to && isSpace(bytes[after]!) && NAME_STARTS.has(bytes.toString('latin1', k, e))) return true;
    }
  }
  return false;
}

/**
 * `mayHoldTextPii` for a string (cells read as text: quoted with `""`, UTF-16 files): the same
 * gate for an ASCII string; any other string may hold a name the byte gate does not list.
 */
export function mayHoldTextPiiText(v: string): boolean {
  for (let k = 0; k < v.length; k++) if (v.charCodeAt(k) > 0x7f) return true;
  const bytes = Buffer.from(v, 'latin1');
  return mayHoldTextPii(bytes, 0, bytes.length);
}

const SPACE = 1;
const SIGNAL = 2;
const UPPER = 3;
/** Per byte: 0 (changes nothing), SPACE (0x20), SIGNAL (a digit or `@`), UPPER (A–Z). */
const BYTE_CLASS = new Uint8Array(256);
BYTE_CLASS[32] = SPACE;
BYTE_CLASS[64] = SIGNAL;
for (let d = 48; d <= 57; d++) BYTE_CLASS[d] = SIGNAL;
for (let d = 65; d <= 90; d++) BYTE_CLASS[d] = UPPER;

/** Compares ASCII bytes `[from, to)` with a string as `<` / `>` compare strings: negative, 0 or positive. */
export function compareBytes(bytes: Buffer, from: number, to: number, s: string): number {
  const n = Math.min(to - from, s.length);
  for (let k = 0; k < n; k++) {
    const d = bytes[from + k]! - s.charCodeAt(k);
    if (d !== 0) return d;
  }
  return to - from - s.length;
}

export function mergeTextPii(into: TextPiiSummary, from: TextPiiSummary): void {
  into.texts += from.texts;
  for (const [k, n] of Object.entries(from.counts) as [PiiKind, number][]) into.counts[k] = (into.counts[k] ?? 0) + n;
  for (const e of from.examples) if (into.examples.length < 3) into.examples.push(e);
}
