/**
 * Number parsing straight from a range of a decoded chunk, without making a string. Plain
 * decimals with at most 15 significant digits and a power of ten within 10^±22 are computed as
 * one exact integer divided (or multiplied) by one exact power of ten, which IEEE division rounds
 * correctly, so the result equals `Number(text)`; anything else falls back to `Number`.
 */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** The number in `text[start, end)` (surrounding spaces allowed), or NaN when it is not a plain number. */
export function parseNumberAt(text: string, start: number, end: number): number {
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  if (start === end) return NaN;
  let pos = start;
  let negative = false;
  let c = text.charCodeAt(pos);
  if (c === 45 || c === 43) {
    negative = c === 45;
    pos++;
  }
  let mantissa = 0;
  let digits = 0;
  let significant = 0;
  let scale = 0;
  let sawDot = false;
  for (; pos < end; pos++) {
    c = text.charCodeAt(pos);
    if (c >= 48 && c <= 57) {
      digits++;
      if (significant > 0 || c !== 48) significant++;
      mantissa = mantissa * 10 + (c - 48);
      if (sawDot) scale--;
    } else if (c === 46 && !sawDot) sawDot = true;
    else break;
  }
  if (digits === 0) return NaN;
  if (pos < end) {
    if (c !== 101 && c !== 69) return NaN;
    return slow(text, start, end);
  }
  if (significant > 15 || scale < -22) return slow(text, start, end);
  const value = scale === 0 ? mantissa : mantissa / (POW10[-scale] as number);
  return negative ? -value : value;
}

function slow(text: string, start: number, end: number): number {
  const s = text.slice(start, end);
  return NUMERIC.test(s) ? Number(s) : NaN;
}

const MISSING = new Set(['', 'NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', 'None', '?', '#N/A', '-']);

/** Whether a trimmed cell stands for a missing value (pandas' default NA strings, plus `?` as in UCI data). */
export function isMissingToken(trimmed: string): boolean {
  return MISSING.has(trimmed);
}
