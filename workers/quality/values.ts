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
