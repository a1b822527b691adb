/**
 * Timestamps from table cells. A column is parsed with ONE format, detected from its cells: a
 * column that mixes formats (some rows `2024-03-01`, others `01/03/2024`) is refused, because
 * guessing per row silently swaps days and months. Times are wall-clock times read as UTC: no
 * daylight-saving shifts, so "hour 8" is always 8 o'clock as written. An explicit offset (`Z`,
 * `+02:00`) is applied, and the calendar features then follow UTC.
 */
import { UserInputError } from '../protocol.js';

/** The formats a time column may use. `dmy`/`mdy` are day/month/year and month/day/year with `/`, `.` or `-`. */
export type TimeFormat = 'iso' | 'ymd-slash' | 'dmy' | 'mdy' | 'day-month-name' | 'year-month' | 'year' | 'epoch-s' | 'epoch-ms';

const FORMAT_NAMES: Record<TimeFormat | 'dm-ambiguous', string> = {
  iso: 'ISO date or date-time (2024-03-01, 2024-03-01 14:00)',
  'ymd-slash': 'year/month/day (2024/03/01)',
  dmy: 'day/month/year (01/03/2024)',
  mdy: 'month/day/year (03/01/2024)',
  'dm-ambiguous': 'day/month or month/day with the year last',
  'day-month-name': 'day, month name, year (1 Mar 2024, 01-Mar-2024)',
  'year-month': 'year-month (2024-03)',
  year: 'year (2024)',
  'epoch-s': 'Unix time in seconds',
  'epoch-ms': 'Unix time in milliseconds',
};

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const YMD_SLASH = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
// Spreadsheet exports often write 12-hour times: `3/1/2024 2:30 PM`.
const DM_Y = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AP]M))?)?$/i;
const DAY_MONTH_NAME = /^(\d{1,2})[- ]([A-Za-z]{3,9})\.?[- ](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** 1–12 for an English month name or its first three letters ('Sept' too), else 0. */
const monthNumber = (name: string) => {
  const lower = name.toLowerCase();
  const i = MONTHS.indexOf(lower.slice(0, 3));
  const full = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'][i];
  return i >= 0 && (lower.length === 3 || lower === 'sept' || full === lower) ? i + 1 : 0;
};
/** An hour on a 12-hour clock to 0–23 (12 AM is midnight); 99 for an impossible one. */
const hour24 = (hour: number, meridiem: string | undefined) => {
  if (!meridiem) return hour;
  if (hour < 1 || hour > 12) return 99;
  return (hour % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
};
const YEAR_MONTH = /^(\d{4})-(\d{1,2})$/;
const YEAR = /^(\d{4})$/;
const EPOCH_S = /^\d{9,10}$/;
const EPOCH_MS = /^\d{12,13}$/;

type Family = TimeFormat | 'dm-ambiguous';

/** The format family of one cell, before day/month order is settled. */
function familyOf(cell: string): Family | null {
  if (ISO.test(cell)) return 'iso';
  if (YMD_SLASH.test(cell)) return 'ymd-slash';
  const dm = DM_Y.exec(cell);
  if (dm) {
    const a = Number(dm[1]);
    const b = Number(dm[3]);
    if (a > 12 && b <= 12) return 'dmy';
    if (b > 12 && a <= 12) return 'mdy';
    return 'dm-ambiguous';
  }
  const named = DAY_MONTH_NAME.exec(cell);
  if (named && monthNumber(named[2]!) > 0) return 'day-month-name';
  if (YEAR_MONTH.test(cell)) return 'year-month';
  if (YEAR.test(cell)) return 'year';
  if (EPOCH_MS.test(cell)) return 'epoch-ms';
  if (EPOCH_S.test(cell)) return 'epoch-s';
  return null;
}

/** Milliseconds since 1970 (UTC) of a valid calendar time, or null (30 February, hour 25 …). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(t);
  // Date.UTC rolls 31 April over to 1 May: a different day back means the date does not exist.
  return d.getUTCDate() === day && d.getUTCMonth() === month - 1 ? t : null;
}

const num = (s: string | undefined, fallback = 0) => (s === undefined || s === '' ? fallback : Number(s));

/** Parses one cell in a known format; null when it does not fit or is not a real date. */
export function parseWith(format: TimeFormat, cell: string): number | null {
  const text = cell.trim();
  switch (format) {
    case 'iso': {
      const m = ISO.exec(text);
      if (!m) return null;
      const fraction = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
      const t = utc(num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), num(m[6]), fraction);
      if (t === null || !m[8] || m[8].toUpperCase() === 'Z') return t;
      const sign = m[8].startsWith('-') ? -1 : 1;
      const digits = m[8].replace(/[^0-9]/g, '');
      return t - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    case 'ymd-slash': {
      const m = YMD_SLASH.exec(text);
      return m ? utc(num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), num(m[6])) : null;
    }
    case 'dmy':
    case 'mdy': {
      const m = DM_Y.exec(text);
      if (!m) return null;
      const [day, month] = format === 'dmy' ? [num(m[1]), num(m[3])] : [num(m[3]), num(m[1])];
      return utc(num(m[4]), month, day, hour24(num(m[5]), m[8]), num(m[6]), num(m[7]));
    }
    case 'day-month-name': {
      const m = DAY_MONTH_NAME.exec(text);
      const month = m ? monthNumber(m[2]!) : 0;
      return m && month ? utc(num(m[3]), month, num(m[1]), num(m[4]), num(m[5]), num(m[6])) : null;
    }
    case 'year-month': {
      const m = YEAR_MONTH.exec(text);
      return m ? utc(num(m[1]), num(m[2]), 1) : null;
    }
    case 'year': {
      const m = YEAR.exec(text);
      return m ? utc(num(m[1]), 1, 1) : null;
    }
    case 'epoch-s':
      return EPOCH_S.test(text) ? Number(text) * 1000 : null;
    case 'epoch-ms':
      return EPOCH_MS.test(text) ? Number(text) : null;
  }
}

/** A parsed time column. */
export interface ParsedTimes {
  /** Milliseconds since 1970 (UTC wall clock), one per cell; NaN where the cell was blank. */
  times: Float64Array;
  format: TimeFormat;
  /** What the caller should know (an assumed day/month order). */
  warnings: string[];
}

/** Row numbers as people count them: data rows from 1 (the header excluded). */
const rowList = (rows: number[]) => rows.slice(0, 5).map((r) => r + 1).join(', ') + (rows.length > 5 ? ` and ${rows.length - 5} more` : '');

/**
 * Detects the column's format and parses every cell. Blank cells give NaN (the caller decides).
 * Throws `UserInputError` naming examples and rows when cells match no format, name impossible
 * dates, or when the column mixes formats.
 */
export function parseTimeColumn(column: string, cells: string[]): ParsedTimes {
  const families = new Map<Family | 'unparseable', number[]>();
  cells.forEach((raw, row) => {
    const cell = raw.trim();
    if (cell === '') return;
    const family = familyOf(cell) ?? 'unparseable';
    let rows = families.get(family);
    if (!rows) families.set(family, (rows = []));
    rows.push(row);
  });
  const bad = families.get('unparseable');
  if (bad) {
    const examples = [...new Set(bad.slice(0, 3).map((r) => `'${cells[r]!.trim()}'`))].join(', ');
    throw new UserInputError(
      `Column '${column}' has ${bad.length} value(s) that are not dates or times, e.g. ${examples} (rows ${rowList(bad)}). ` +
        'Use ISO dates such as 2024-03-01 or 2024-03-01 14:00 (or day/month/year), or pick the right time column.',
    );
  }
  // Day/month rows that could be either order join whichever order the unambiguous rows show.
  const present = [...families.keys()].filter((k): k is Family => k !== 'unparseable');
  const definite = present.filter((k): k is TimeFormat => k !== 'dm-ambiguous');
  const compatible = definite.length === 0 || (definite.length === 1 && (!families.has('dm-ambiguous') || definite[0] === 'dmy' || definite[0] === 'mdy'));
  if (!compatible) {
    const parts = present
      .map((k) => ({ k, rows: families.get(k)! }))
      .sort((a, b) => b.rows.length - a.rows.length)
      .map(({ k, rows }) => `${rows.length} row(s) as ${FORMAT_NAMES[k]} like '${cells[rows[0]!]!.trim()}' (rows ${rowList(rows)})`);
    throw new UserInputError(
      `Column '${column}' mixes time formats: ${parts.join('; ')}. Convert the column to one format (ISO 2024-03-01 14:00 is safest) and try again.`,
    );
  }
  const warnings: string[] = [];
  const ambiguous = families.get('dm-ambiguous') ?? [];
  let format: TimeFormat;
  if (definite.length === 1) format = definite[0]!;
  else if (ambiguous.length > 0) {
    format = 'dmy';
    warnings.push(
      `Column '${column}' writes dates like '${cells[ambiguous[0]!]!.trim()}', where day and month cannot be told apart: read as day/month/year. Write ISO dates (2024-03-01) if that is wrong.`,
    );
  } else throw new UserInputError(`Column '${column}' is empty: it has no times. Pick the column that holds the dates or times.`);

  const times = new Float64Array(cells.length);
  const invalid: number[] = [];
  cells.forEach((raw, row) => {
    const cell = raw.trim();
    if (cell === '') {
      times[row] = NaN;
      return;
    }
    const t = parseWith(format, cell);
    if (t === null) invalid.push(row);
    times[row] = t ?? NaN;
  });
  if (invalid.length) {
    const examples = [...new Set(invalid.slice(0, 3).map((r) => `'${cells[r]!.trim()}'`))].join(', ');
    throw new UserInputError(
      `Column '${column}' has ${invalid.length} date(s) that do not exist when read as ${FORMAT_NAMES[format]}, e.g. ${examples} (rows ${rowList(invalid)}). Correct them in the file and try again.`,
    );
  }
  return { times, format, warnings };
}

/**
 * The time of day in a second column (a date column + an hour column, as in `dteday` + `hr`):
 * an hour 0–23, or `HH:MM[:SS]`. Returns milliseconds after midnight, NaN for a blank cell.
 */
export function parseTimeOfDay(column: string, cells: string[]): Float64Array {
  const out = new Float64Array(cells.length);
  const bad: number[] = [];
  cells.forEach((raw, row) => {
    const cell = raw.trim();
    if (cell === '') {
      out[row] = NaN;
      return;
    }
    const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(cell);
    if (/^\d{1,2}$/.test(cell) && Number(cell) <= 23) out[row] = Number(cell) * 3_600_000;
    else if (m && Number(m[1]) <= 23 && Number(m[2]) <= 59 && num(m[3]) <= 59) {
      out[row] = (Number(m[1]) * 3600 + Number(m[2]) * 60 + num(m[3])) * 1000;
    } else bad.push(row);
  });
  if (bad.length) {
    throw new UserInputError(
      `Column '${column}' should hold the hour (0–23) or time of day (14:30) but has ${bad.length} other value(s), e.g. '${cells[bad[0]!]!.trim()}' (rows ${rowList(bad)}). Correct them, or give only the date column.`,
    );
  }
  return out;
}

/** How the time is made from the table's columns: one column, or a date column plus an hour/time-of-day column. */
export interface TimeSpec {
  date: string;
  timeOfDay: string | null;
}

/**
 * Reads a `--time` spec: `COL`, or `DATE+HOUR` (two columns joined by `+`, e.g. `dteday+hr`). A
 * column whose own name contains `+` is taken whole when the header has it.
 */
export function parseTimeSpec(spec: string, header: string[]): TimeSpec {
  if (header.includes(spec)) return { date: spec, timeOfDay: null };
  const plus = spec.indexOf('+');
  if (plus > 0) {
    const date = spec.slice(0, plus).trim();
    const timeOfDay = spec.slice(plus + 1).trim();
    for (const c of [date, timeOfDay]) {
      if (!header.includes(c)) throw new UserInputError(`There is no column '${c}' (from the time '${spec}'). Columns: ${header.join(', ')}.`);
    }
    return { date, timeOfDay };
  }
  throw new UserInputError(`There is no time column '${spec}'. Columns: ${header.join(', ')}. For a date and an hour column, write both joined by '+', e.g. dteday+hr.`);
}
