/**
 * What one cell holds. Checks are ordered by cost and exit at the first character that rules a
 * kind out, because they run on every cell of the file.
 */

/** The kinds a single value can be; a column's type is decided from their counts. */
export const enum Kind {
  Integer = 0,
  Float = 1,
  Boolean = 2,
  Date = 3,
  Text = 4,
}

const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no', 't', 'f', 'y', 'n', 'TRUE', 'FALSE', 'True', 'False', 'Yes', 'No', 'YES', 'NO', 'Y', 'N', 'T', 'F']);

/** The default missing-value markers, compared after trimming whitespace (the empty string is always missing). */
export const DEFAULT_MISSING_MARKERS = ['', 'NA', 'N/A', 'null', 'NULL', 'NaN', '?', '-'] as const;

/** Result slot for `classify`: the parsed number for numeric kinds. */
export const parsed = { number: 0 };

/**
 * Classifies a trimmed, non-missing value. For Integer and Float, `parsed.number` holds the value.
 */
export function classify(v: string): Kind {
  const c = v.charCodeAt(0);
  const n = v.length;
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    if (n >= 8 && isDateLike(v)) return Kind.Date;
    // Number() accepts hex, binary and "Infinity"; exclude them by their second character.
    const c1 = n > 1 ? v.charCodeAt(1) : 48;
    if (c1 === 120 || c1 === 88 || c1 === 98 || c1 === 66 || c1 === 111 || c1 === 79 || c1 === 73) return Kind.Text;
    const x = Number(v);
    if (x === x && n > 0 && !(n === 1 && (c === 45 || c === 43 || c === 46))) {
      parsed.number = x;
      return isIntegerLiteral(v) ? Kind.Integer : Kind.Float;
    }
    return Kind.Text;
  }
  if (n <= 5 && BOOLEAN_WORDS.has(v)) return Kind.Boolean;
  return Kind.Text;
}

/** `classify`'s answer when only the decoded string can tell (see `classifyBytes`). */
export const UNKNOWN_KIND = -1;

/** 10^0 … 10^22: the powers of ten a double holds exactly. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * `classify` for a trimmed, non-missing ASCII value given as bytes `[from, to)` (one byte per
 * character), without making it a string. It answers the common cases exactly and returns
 * `UNKNOWN_KIND` for the rest (exponents, more than 15 significant digits, short words that may
 * be booleans), which the caller hands to `classify`.
 *
 * Plain decimals are parsed here: with at most 15 significant digits the digits form an integer
 * m < 2^53 and the value is m / 10^f with f ≤ 22, a division of two exact doubles, which IEEE
 * rounds correctly, so it equals `Number()` (Clinger's fast path). Any character outside
 * `0-9 . e E + -`, a sign after the first character or a second point makes `Number()` NaN.
 */
export function classifyBytes(b: Uint8Array, from: number, to: number): number {
  const c = b[from]!;
  const n = to - from;
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    if (n >= 8 && isDateLikeBytes(b, from, to)) return Kind.Date;
    const c1 = n > 1 ? b[from + 1]! : 48;
    if (c1 === 120 || c1 === 88 || c1 === 98 || c1 === 66 || c1 === 111 || c1 === 79 || c1 === 73) return Kind.Text;
    let i = c === 45 || c === 43 ? from + 1 : from;
    let m = 0;
    let digitCount = 0;
    let significant = 0;
    let fraction = 0;
    let dot = false;
    for (; i < to; i++) {
      const d = b[i]!;
      if (d >= 48 && d <= 57) {
        digitCount++;
        if (dot) fraction++;
        if (significant > 0 || d !== 48) significant++;
        m = m * 10 + (d - 48);
      } else if (d === 46 && !dot) dot = true;
      else if (d === 101 || d === 69) return UNKNOWN_KIND;
      else return Kind.Text;
    }
    if (digitCount === 0) return Kind.Text;
    if (significant > 15 || fraction > 22) return UNKNOWN_KIND;
    const x = fraction === 0 ? m : m / POW10[fraction]!;
    parsed.number = c === 45 ? -x : x;
    return !dot && n < 16 ? Kind.Integer : Kind.Float;
  }
  // Every boolean word starts with t, f, y or n in some case.
  const lower = c | 32;
  return n <= 5 && (lower === 116 || lower === 102 || lower === 121 || lower === 110) ? UNKNOWN_KIND : Kind.Text;
}

function isIntegerLiteral(v: string): boolean {
  let i = v.charCodeAt(0) === 45 || v.charCodeAt(0) === 43 ? 1 : 0;
  if (i === v.length) return false;
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return v.length < 16; // beyond 15 digits a double cannot hold every integer: keep it, but as a float
}

/** YYYY-MM-DD or YYYY/MM/DD (optionally with a time), or DD/MM/YYYY, DD.MM.YYYY, MM/DD/YYYY. */
export function isDateLike(v: string): boolean {
  const n = v.length;
  if (n < 8 || n > 35) return false;
  const s4 = v.charCodeAt(4);
  if ((s4 === 45 || s4 === 47) && v.charCodeAt(7) === s4 && digits(v, 0, 4) && digits(v, 5, 7) && digits(v, 8, 10)) {
    if (n === 10) return validMonthDay(v.charCodeAt(5), v.charCodeAt(6), v.charCodeAt(8), v.charCodeAt(9));
    const t = v.charCodeAt(10);
    return (t === 84 || t === 32) && v.charCodeAt(13) === 58 && digits(v, 11, 13) && digits(v, 14, 16);
  }
  const s2 = v.charCodeAt(2);
  if ((s2 === 47 || s2 === 46 || s2 === 45) && v.charCodeAt(5) === s2 && digits(v, 0, 2) && digits(v, 3, 5) && digits(v, 6, 10)) {
    return n === 10 || v.charCodeAt(10) === 32;
  }
  return false;
}

/**
 * `isDateLike` for ASCII bytes `[from, to)`. Where `isDateLike` reads past the end of its string
 * it gets NaN, which passes its digit checks and fails its equality checks; so here positions
 * past `to` (the next field's bytes) are skipped by `digitBytes` and are -1 for comparisons.
 */
function isDateLikeBytes(b: Uint8Array, from: number, to: number): boolean {
  const n = to - from;
  if (n < 8 || n > 35) return false;
  const s4 = b[from + 4]!;
  if ((s4 === 45 || s4 === 47) && b[from + 7] === s4 && digitBytes(b, from, 0, 4, n) && digitBytes(b, from, 5, 7, n) && digitBytes(b, from, 8, 10, n)) {
    if (n === 10) return validMonthDay(b[from + 5]!, b[from + 6]!, b[from + 8]!, b[from + 9]!);
    const t = n > 10 ? b[from + 10]! : -1;
    return (t === 84 || t === 32) && n > 13 && b[from + 13] === 58 && digitBytes(b, from, 11, 13, n) && digitBytes(b, from, 14, 16, n);
  }
  const s2 = b[from + 2]!;
  if ((s2 === 47 || s2 === 46 || s2 === 45) && b[from + 5] === s2 && digitBytes(b, from, 0, 2, n) && digitBytes(b, from, 3, 5, n) && digitBytes(b, from, 6, 10, n)) {
    return n === 10 || (n > 10 && b[from + 10] === 32);
  }
  return false;
}

/** Whether the characters at offsets `[lo, hi)` of the value at `from` (length n) that exist are digits. */
function digitBytes(b: Uint8Array, from: number, lo: number, hi: number, n: number): boolean {
  for (let k = lo; k < hi && k < n; k++) {
    const c = b[from + k]!;
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function validMonthDay(m1: number, m2: number, d1: number, d2: number): boolean {
  const month = (m1 - 48) * 10 + (m2 - 48);
  const day = (d1 - 48) * 10 + (d2 - 48);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

function digits(v: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Whether a date string sorts chronologically as text (ISO order), so min/max can be kept as strings. */
export function isIsoOrdered(v: string): boolean {
  const s4 = v.charCodeAt(4);
  return s4 === 45 || s4 === 47;
}
