/**
 * How numbers are written in a column: which mark is the decimal one and which (if any) groups
 * thousands — `12,34`, `1.234.567,89`, `"1,234,567"`, `1 234,5`, `1'234.5`. The decision is made
 * once per column from the evidence of every cell (the importer's streaming pass), stored with the
 * dataset and with a model's preprocessing, and every reader turns such cells into plain
 * dot-decimal text (`toCanonical`) before it parses them, so all of them read the same number.
 */

import { z } from 'zod';

/** The mark between the integer and the fractional digits. */
export type DecimalMark = '.' | ',';
/** The mark between groups of three digits; '' for none. A space stands for every kind of space (no-break and narrow no-break too), `'` for both apostrophes. */
export type ThousandsMark = '' | ',' | '.' | ' ' | "'";

/** One way of writing numbers. */
export interface NumberFormat {
  decimal: DecimalMark;
  thousands: ThousandsMark;
}

/** The format chosen for one column whose numbers are not plain dot-decimal, and why. */
export interface ColumnNumberFormat extends NumberFormat {
  column: string;
  /** `detected` from the column's cells, or `override` when the user named the format. */
  source: 'detected' | 'override';
  /** True when the cells alone allowed two readings (`1,234`), and the rule in `note` decided. */
  ambiguous: boolean;
  /** One plain sentence for the import result, the quality report and the wizard. */
  note: string;
}

/** A column's format as stored with a dataset and passed to the engines (validated at their boundary). */
export const columnNumberFormatSchema = z.object({
  column: z.string(),
  decimal: z.enum(['.', ',']),
  thousands: z.enum(['', ',', '.', ' ', "'"]),
  source: z.enum(['detected', 'override']),
  ambiguous: z.boolean(),
  note: z.string(),
});

/** The candidates, in order of preference when several read every cell the same way. Index 0 is the plain format. */
export const CANDIDATES: readonly NumberFormat[] = [
  { decimal: '.', thousands: '' },
  { decimal: '.', thousands: ',' },
  { decimal: '.', thousands: ' ' },
  { decimal: '.', thousands: "'" },
  { decimal: ',', thousands: '' },
  { decimal: ',', thousands: '.' },
  { decimal: ',', thousands: ' ' },
  { decimal: ',', thousands: "'" },
];
const ALL = (1 << CANDIDATES.length) - 1;

/** The candidate index of a format, or -1 when it is not one (e.g. the same mark twice). */
export function candidateIndex(format: NumberFormat): number {
  return CANDIDATES.findIndex((c) => c.decimal === format.decimal && c.thousands === format.thousands);
}

const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const COMMA = 44;
const SPACE = 32;
const APOSTROPHE = 39;
const NBSP = 0xa0; // Latin-1's no-break space (a UTF-8 one is decoded first: see `shapeMaskOfText`)

function separatorOf(b: number): number {
  if (b === DOT) return DOT;
  if (b === COMMA) return COMMA;
  if (b === SPACE || b === NBSP) return SPACE;
  if (b === APOSTROPHE) return APOSTROPHE;
  return -1;
}

const MARK_CODE: Record<string, number> = { '.': DOT, ',': COMMA, ' ': SPACE, "'": APOSTROPHE, '': -2 };
// Per candidate, its marks' byte codes (this runs on every cell of an import: no lookups by name).
const DEC_CODE = Int32Array.from(CANDIDATES, (c) => MARK_CODE[c.decimal]!);
const THOU_CODE = Int32Array.from(CANDIDATES, (c) => MARK_CODE[c.thousands]!);
/** Candidates whose decimal mark is a point (bits 0–3) or a comma (bits 4–7). */
const POINT_DECIMALS = 0x0f;
const COMMA_DECIMALS = 0xf0;
/** The candidates whose thousands mark is a point (5) or a comma (1). */
const POINT_GROUPS = 1 << 5;
const COMMA_GROUPS = 1 << 1;

/**
 * Which candidates read the one-byte-per-character value `b[from, to)` as a number: bit k for
 * `CANDIDATES[k]`; 0 when none does (text, a date, empty). Digits without marks fit all of them.
 * A thousands mark needs 1–3 digits before the first one and exactly 3 after each; the decimal
 * mark is the last mark and needs a digit on one side.
 */
export function shapeMask(b: Uint8Array, from: number, to: number): number {
  while (from < to && b[from]! <= SPACE) from++;
  while (to > from && b[to - 1]! <= SPACE) to--;
  let i = from;
  if (i < to && (b[i] === PLUS || b[i] === MINUS)) i++;
  if (i >= to) return 0;
  let run = 0;
  let first = -1; // length of the first run of digits, once a mark ends it
  let marks = 0;
  let innerMark = -1; // the mark of every mark but the last (-3 when they differ)
  let lastMark = -1;
  let inner3 = true; // every run between two marks has 3 digits
  let exponent = false;
  for (; i < to; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) {
      run++;
      continue;
    }
    if ((c === 101 || c === 69) && (run > 0 || marks > 0) && !exponent) {
      // An exponent ends the number: [+-]digits to the end.
      let j = i + 1;
      if (j < to && (b[j] === PLUS || b[j] === MINUS)) j++;
      if (j >= to) return 0;
      for (; j < to; j++) if (b[j]! < 48 || b[j]! > 57) return 0;
      exponent = true;
      break;
    }
    const mark = separatorOf(c);
    if (mark < 0) return 0;
    if (marks === 0) first = run;
    else {
      if (run === 0) return 0; // two marks in a row
      if (run !== 3) inner3 = false;
      innerMark = innerMark === -1 || innerMark === lastMark ? lastMark : -3;
    }
    marks++;
    lastMark = mark;
    run = 0;
  }
  const last = run;
  if (marks === 0) return last > 0 ? ALL : 0;
  if (first === 0 && marks > 1) return 0;
  if (marks === 1 && (lastMark === DOT || lastMark === COMMA)) {
    // The common case (3.14, 12,34, 1,065): a decimal reading, and a grouping one for d,ddd.
    const decimal = first + last > 0 ? (lastMark === DOT ? POINT_DECIMALS : COMMA_DECIMALS) : 0;
    const grouping = !exponent && first >= 1 && first <= 3 && last === 3 ? (lastMark === DOT ? POINT_GROUPS : COMMA_GROUPS) : 0;
    return decimal | grouping;
  }
  let mask = 0;
  for (let k = 0; k < CANDIDATES.length; k++) {
    const dec = DEC_CODE[k]!;
    const thou = THOU_CODE[k]!;
    // The last mark is the decimal one: the marks before it group thousands.
    const asDecimal =
      lastMark === dec &&
      (last > 0 || (first > 0 && marks === 1)) &&
      (marks === 1 ? first + last > 0 : innerMark === thou && first >= 1 && first <= 3 && inner3);
    // Every mark groups thousands.
    const asGrouping = !exponent && lastMark === thou && (marks === 1 || innerMark === thou) && first >= 1 && first <= 3 && inner3 && last === 3;
    if (asDecimal || asGrouping) mask |= 1 << k;
  }
  return mask;
}

/** Spaces and apostrophes of other kinds, as the one-byte marks `shapeMask` knows. */
function simplify(text: string): string {
  return text.replace(/[\u00a0\u2007\u202f]/g, ' ').replace(/\u2019/g, "'");
}

/** `shapeMask` of a decoded string (non-ASCII cells, UTF-16 files). */
export function shapeMaskOfText(text: string): number {
  const simple = simplify(text);
  // Any other non-ASCII character rules a number out.
  for (let i = 0; i < simple.length; i++) if (simple.charCodeAt(i) > 0x7f) return 0;
  return shapeMask(Buffer.from(simple, 'latin1'), 0, simple.length);
}

/**
 * The cell as plain dot-decimal text (`1.234,5` → `1234.5` in the `,`/`.` format), or null when
 * it is not a number in `format`. Cells of the plain format come back trimmed and unchanged.
 */
export function toCanonical(text: string, format: NumberFormat): string | null {
  const k = candidateIndex(format);
  if (k < 0) return null;
  const simple = simplify(text).trim();
  if ((shapeMaskOfText(simple) & (1 << k)) === 0) return null;
  let out = '';
  for (let i = 0; i < simple.length; i++) {
    const ch = simple[i]!;
    if (ch === format.decimal) out += '.';
    else if (ch === format.thousands) continue;
    else out += ch;
  }
  return out;
}

/** The number a cell holds in `format`, or NaN. */
export function parseWithFormat(text: string, format: NumberFormat): number {
  const canonical = toCanonical(text, format);
  return canonical === null ? Number.NaN : Number(canonical);
}

/** A format in words, for notes and the CLI: `decimal comma, "." between thousands`. */
export function describeFormat(format: NumberFormat): string {
  const decimal = format.decimal === ',' ? 'decimal comma' : 'decimal point';
  const thousands = { '': 'no thousands separator', ',': 'commas between thousands', '.': 'points between thousands', ' ': 'spaces between thousands', "'": 'apostrophes between thousands' }[format.thousands];
  return `${decimal}, ${thousands}`;
}

/** The CLI flags that ask for a format (`--decimal , --thousands .`). */
export function formatFlags(format: NumberFormat): string {
  const thousands = format.thousands === '' ? 'none' : format.thousands === ' ' ? 'space' : format.thousands;
  return `--decimal ${format.decimal} --thousands ${thousands}`;
}
