/** Parsing of raw cells: what counts as missing, a number, a boolean or a date. */

/** Cell texts (trimmed, lower-cased) that mean "no value"; exported so the ONNX export can state them. */
export const MISSING_MARKERS: readonly string[] = ['', 'na', 'n/a', 'nan', 'null', 'none', '?', '#n/a', 'missing'];
const MISSING = new Set(MISSING_MARKERS);
/** A decimal number as the trainer reads one (trimmed cell). */
export const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const INFINITY = /^[-+]?(inf|infinity)$/i;
/** An ISO-like date or date-time: groups 1–4 are year, month, day and the optional hour. */
export const ISO_DATE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** Blank cells and the usual spellings of "no value" (including `NaN`, which pandas writes for missing). */
export function isMissing(cell: string | undefined): boolean {
  return cell === undefined || MISSING.has(cell.trim().toLowerCase());
}

/** The cell as a finite number, or null when it is not one. */
export function parseNumber(cell: string): number | null {
  const text = cell.trim();
  if (!NUMBER.test(text)) return null;
  return Number(text);
}

export function isInfinity(cell: string): boolean {
  return INFINITY.test(cell.trim());
}

const BOOLEAN_PAIRS: Array<[string, string]> = [
  ['false', 'true'],
  ['no', 'yes'],
  ['n', 'y'],
  ['f', 't'],
];

/** The `[false, true]` spellings when every value is one of a boolean pair, else null. */
export function booleanPair(distinct: Iterable<string>): [string, string] | null {
  const values = new Set([...distinct].map((v) => v.trim().toLowerCase()));
  if (values.size === 0 || values.size > 2) return null;
  return BOOLEAN_PAIRS.find(([no, yes]) => [...values].every((v) => v === no || v === yes)) ?? null;
}

/** Parts of an ISO-like date (`2024-03-01`, `2024/3/1 14:05`), or null. */
export function parseDate(cell: string): { year: number; month: number; day: number; weekday: number; hour: number | null } | null {
  const match = ISO_DATE.exec(cell.trim());
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, weekday, hour: match[4] === undefined ? null : Number(match[4]) };
}
