/**
 * From a table to regular series: parse the times, group by id, infer the frequency (the median
 * step, snapped to a calendar unit when close), put every value on that grid, and report what
 * had to be fixed on the way (duplicates, gaps, irregular times) as quality alerts.
 *
 * Rules, stated in the result: values that share a grid step are combined by **sum** when the
 * column holds counts (non-negative whole numbers: rentals, tickets, sales units) and by **mean**
 * when it holds levels (temperatures, prices, CPU load). Steps with no value are filled by linear
 * interpolation between their neighbours, except in irregular event counts, where an empty step
 * means nothing happened and is filled with 0.
 */
import { UserInputError } from '../protocol.js';
import { parseTimeColumn, parseTimeOfDay, type TimeFormat, type TimeSpec } from './time.js';

/** The series' step: a fixed number of milliseconds, or whole calendar months (monthly, quarterly, yearly data). */
export interface Frequency {
  unit: 'ms' | 'month';
  /** Milliseconds (unit `ms`) or months (unit `month`). */
  step: number;
  /** In words: 'hourly', 'daily', 'every 15 minutes', 'monthly' … */
  label: string;
}

/** One regular series. */
export interface Series {
  /** The id column's value ('' with no id column). */
  id: string;
  /** Grid index of the first value (0 = the earliest time of all series). */
  offset: number;
  /** One value per step; no gaps (filled ones are marked in `filled`). */
  values: Float64Array;
  /** 1 where the value was filled in (a gap or a blank cell). */
  filled: Uint8Array;
  /** Holiday flags per step (when a holiday column is given); may run past `values` (future rows with a blank value). */
  holiday: Uint8Array | null;
}

/** A data-quality finding about the time axis, with the fix. */
export interface TimeAlert {
  kind: 'gaps' | 'duplicates' | 'irregular' | 'missing-values' | 'blank-times';
  severity: 'info' | 'warning';
  /** How many steps or rows are concerned. */
  count: number;
  message: string;
  /** What to do about it. */
  fix: string;
  /** Up to five examples (times as ISO text). */
  examples: string[];
}

/** The series of a table, on one grid. */
export interface SeriesSet {
  series: Series[];
  frequency: Frequency;
  /** Grid index 0 in milliseconds (UTC wall clock). */
  origin: number;
  format: TimeFormat;
  aggregate: 'sum' | 'mean';
  /** Why that rule (counts or levels), in words. */
  aggregateReason: string;
  alerts: TimeAlert[];
  warnings: string[];
}

/** What to read from the table. */
export interface SeriesSpec {
  time: TimeSpec;
  target: string;
  id: string | null;
  holiday: string | null;
  aggregate: 'auto' | 'sum' | 'mean';
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NICE_STEPS: Array<[number, string]> = [
  [1000, 'every second'],
  [60_000, 'every minute'],
  [5 * 60_000, 'every 5 minutes'],
  [10 * 60_000, 'every 10 minutes'],
  [15 * 60_000, 'every 15 minutes'],
  [30 * 60_000, 'every 30 minutes'],
  [HOUR, 'hourly'],
  [2 * HOUR, 'every 2 hours'],
  [3 * HOUR, 'every 3 hours'],
  [6 * HOUR, 'every 6 hours'],
  [12 * HOUR, 'every 12 hours'],
  [DAY, 'daily'],
  [7 * DAY, 'weekly'],
];

/** The frequency from the median step between consecutive distinct times. */
export function inferFrequency(medianMs: number): Frequency {
  if (medianMs >= 27.5 * DAY && medianMs <= 31.5 * DAY) return { unit: 'month', step: 1, label: 'monthly' };
  if (medianMs >= 89 * DAY && medianMs <= 92.5 * DAY) return { unit: 'month', step: 3, label: 'quarterly' };
  if (medianMs >= 364 * DAY && medianMs <= 366.5 * DAY) return { unit: 'month', step: 12, label: 'yearly' };
  for (const [ms, label] of NICE_STEPS) if (Math.abs(medianMs - ms) <= 0.1 * ms) return { unit: 'ms', step: ms, label };
  return { unit: 'ms', step: Math.round(medianMs), label: `every ${(medianMs / 1000).toFixed(0)} s` };
}

/** Grid index of a time (floor: a time belongs to the step that starts at or before it). */
export function gridIndex(frequency: Frequency, origin: number, t: number): number {
  if (frequency.unit === 'ms') return Math.floor((t - origin) / frequency.step + 1e-9);
  const months = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
  return Math.floor((months(new Date(t)) - months(new Date(origin))) / frequency.step);
}

/** Time (ms) of a grid index. */
export function gridTime(frequency: Frequency, origin: number, index: number): number {
  if (frequency.unit === 'ms') return origin + index * frequency.step;
  const d = new Date(origin);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + index * frequency.step, 1, d.getUTCHours(), d.getUTCMinutes());
}

/** ISO text of a time, without seconds when they are zero ('2012-03-01 14:00'). */
export function formatTime(t: number): string {
  const iso = new Date(t).toISOString();
  const date = iso.slice(0, 10);
  const time = iso.slice(11, 19);
  if (time === '00:00:00') return date;
  return `${date} ${time.endsWith(':00') ? time.slice(0, 5) : time}`;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const MISSING = new Set(['', 'na', 'nan', 'n/a', 'null', 'none', '?', '-']);
const TRUE = new Set(['1', 'true', 'yes', 'y', 't']);

/** Reads the series out of a table of text cells. Throws `UserInputError` for what cannot be read. */
export function buildSeries(header: string[], rows: string[][], spec: SeriesSpec): SeriesSet {
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new UserInputError(`There is no column '${name}'. Columns: ${header.join(', ')}.`);
    return i;
  };
  const dateCol = col(spec.time.date);
  const targetCol = col(spec.target);
  const idCol = spec.id ? col(spec.id) : -1;
  const holidayCol = spec.holiday ? col(spec.holiday) : -1;
  if (rows.length === 0) throw new UserInputError('The file has no data rows: a forecast needs a history.');

  const parsed = parseTimeColumn(spec.time.date, rows.map((r) => r[dateCol] ?? ''));
  const warnings = [...parsed.warnings];
  const times = parsed.times;
  if (spec.time.timeOfDay) {
    const tod = parseTimeOfDay(spec.time.timeOfDay, rows.map((r) => r[col(spec.time.timeOfDay!)] ?? ''));
    for (let i = 0; i < times.length; i++) times[i] = times[i]! + tod[i]!;
  }

  // Values: numbers, or missing; anything else is refused with examples.
  const values = new Float64Array(rows.length);
  const notNumbers: number[] = [];
  let counts = true;
  let seen = 0;
  rows.forEach((r, i) => {
    const cell = (r[targetCol] ?? '').trim();
    if (MISSING.has(cell.toLowerCase())) {
      values[i] = NaN;
      return;
    }
    const v = NUMBER.test(cell) ? Number(cell) : NaN;
    if (!Number.isFinite(v)) notNumbers.push(i);
    values[i] = v;
    seen++;
    if (!(v >= 0 && Number.isInteger(v))) counts = false;
  });
  if (notNumbers.length) {
    const examples = [...new Set(notNumbers.slice(0, 3).map((i) => `'${rows[i]![targetCol]}'`))].join(', ');
    throw new UserInputError(
      `Column '${spec.target}' must hold numbers to forecast, but ${notNumbers.length} row(s) do not, e.g. ${examples} (row ${notNumbers[0]! + 1}). Pick a numeric value column, or clean those cells.`,
    );
  }
  if (seen === 0) throw new UserInputError(`Column '${spec.target}' has no values: nothing to forecast.`);
  const aggregate = spec.aggregate === 'auto' ? (counts ? 'sum' : 'mean') : spec.aggregate;
  const aggregateReason =
    spec.aggregate !== 'auto'
      ? `${aggregate}, as you chose`
      : counts
        ? `sum: '${spec.target}' holds counts (whole numbers ≥ 0), so values in one step add up`
        : `mean: '${spec.target}' holds levels (not whole counts), so values in one step are averaged`;

  const alerts: TimeAlert[] = [];
  const blank: number[] = [];
  const groups = new Map<string, number[]>();
  for (let i = 0; i < rows.length; i++) {
    if (Number.isNaN(times[i])) {
      blank.push(i);
      continue;
    }
    const id = idCol >= 0 ? (rows[i]![idCol] ?? '').trim() : '';
    let g = groups.get(id);
    if (!g) groups.set(id, (g = []));
    g.push(i);
  }
  if (blank.length) {
    alerts.push({
      kind: 'blank-times',
      severity: 'warning',
      count: blank.length,
      message: `${blank.length} row(s) have no time and were left out (first: row ${blank[0]! + 1}).`,
      fix: 'Fill in the time of those rows in the source, or remove them.',
      examples: [],
    });
  }

  // The step: median gap between consecutive distinct times, over all series.
  const diffs: number[] = [];
  let origin = Infinity;
  for (const g of groups.values()) {
    g.sort((a, b) => times[a]! - times[b]!);
    origin = Math.min(origin, times[g[0]!]!);
    for (let k = 1; k < g.length; k++) {
      const d = times[g[k]!]! - times[g[k - 1]!]!;
      if (d > 0) diffs.push(d);
    }
  }
  if (diffs.length === 0) {
    throw new UserInputError(`Every row has the same time, so there is no series to learn from. A forecast needs values at many successive times.`);
  }
  diffs.sort((a, b) => a - b);
  const frequency = inferFrequency(diffs[Math.floor(diffs.length / 2)]!);
  // Regular data sits on the grid (gaps only leave steps out); irregular data has times between grid steps.
  let onGrid = 0;
  let timed = 0;
  for (const g of groups.values()) {
    for (const i of g) {
      timed++;
      if (frequency.unit === 'month' || (times[i]! - origin) % frequency.step === 0) onGrid++;
    }
  }
  const irregular = onGrid < 0.9 * timed;
  if (irregular) {
    alerts.push({
      kind: 'irregular',
      severity: 'warning',
      count: timed - onGrid,
      message: `The times are irregular: ${Math.round((100 * (timed - onGrid)) / timed)} % of them fall between ${frequency.label} steps. The values were resampled to ${frequency.label} steps (${aggregateReason}).`,
      fix: 'If the data has a natural step (one reading an hour), export it at that step; otherwise check that the resampled series looks right.',
      examples: [],
    });
  }

  const series: Series[] = [];
  let duplicateSteps = 0;
  const duplicateExamples: string[] = [];
  let gapSteps = 0;
  let gapCount = 0;
  let longestGap = 0;
  const gapExamples: string[] = [];
  let missingValues = 0;
  for (const [id, g] of groups) {
    const first = gridIndex(frequency, origin, times[g[0]!]!);
    const last = gridIndex(frequency, origin, times[g.at(-1)!]!);
    const length = last - first + 1;
    const sums = new Float64Array(length);
    const n = new Uint32Array(length);
    const rowsIn = new Uint32Array(length);
    const holiday = holidayCol >= 0 ? new Uint8Array(length) : null;
    for (const i of g) {
      const k = gridIndex(frequency, origin, times[i]!) - first;
      rowsIn[k]!++;
      if (holiday && TRUE.has((rows[i]![holidayCol] ?? '').trim().toLowerCase())) holiday[k] = 1;
      if (Number.isNaN(values[i])) {
        missingValues++;
        continue;
      }
      sums[k]! += values[i]!;
      n[k]!++;
    }
    // Trailing steps with a time but no value are future rows (they may carry holiday flags): not part of the history.
    let end = length;
    while (end > 0 && n[end - 1] === 0) end--;
    if (end === 0) continue;
    const out = new Float64Array(end);
    const filled = new Uint8Array(end);
    for (let k = 0; k < end; k++) {
      if (!irregular && rowsIn[k]! > 1) {
        duplicateSteps++;
        if (duplicateExamples.length < 5) duplicateExamples.push(formatTime(gridTime(frequency, origin, first + k)));
      }
      if (n[k]! > 0) out[k] = aggregate === 'sum' ? sums[k]! : sums[k]! / n[k]!;
      else {
        filled[k] = 1;
        out[k] = NaN;
      }
    }
    for (let k = 0; k < end; ) {
      if (!filled[k]) {
        k++;
        continue;
      }
      let j = k;
      while (j < end && filled[j]) j++;
      // A run of empty steps that had rows (blank values) is missing data; one without rows is a gap in time.
      let hadRows = false;
      for (let q = k; q < j; q++) if (rowsIn[q]! > 0) hadRows = true;
      if (!hadRows) {
        gapCount++;
        gapSteps += j - k;
        longestGap = Math.max(longestGap, j - k);
        if (gapExamples.length < 5) gapExamples.push(formatTime(gridTime(frequency, origin, first + k)));
      }
      const before = k > 0 ? out[k - 1]! : out[j]!;
      const after = j < end ? out[j]! : before;
      for (let q = k; q < j; q++) out[q] = irregular && aggregate === 'sum' ? 0 : before + ((after - before) * (q - k + 1)) / (j - k + 1);
      k = j;
    }
    series.push({ id, offset: first, values: out, filled, holiday });
  }
  if (duplicateSteps) {
    alerts.push({
      kind: 'duplicates',
      severity: 'warning',
      count: duplicateSteps,
      message: `${duplicateSteps} time(s) appear in more than one row${idCol >= 0 ? ' of the same series' : ''}; their values were combined (${aggregateReason}).`,
      fix: idCol >= 0 || groups.size > 1 ? 'If those rows are corrections, keep only the latest one per time.' : 'If the rows belong to different series (shops, machines), give the column that tells them apart as the id column; if they are corrections, keep one row per time.',
      examples: duplicateExamples,
    });
  }
  if (gapSteps) {
    const unit = frequency.label;
    alerts.push({
      kind: 'gaps',
      severity: 'warning',
      count: gapSteps,
      message: `${gapSteps} ${unit} step(s) are missing in ${gapCount} gap(s) (the longest: ${longestGap} step(s)); ${irregular && aggregate === 'sum' ? 'they were counted as 0' : 'they were filled by linear interpolation between their neighbours'}.`,
      fix: 'Add the missing times to the source (with 0 if nothing happened then), or check that interpolation is acceptable for this data.',
      examples: gapExamples,
    });
  }
  if (missingValues) {
    alerts.push({
      kind: 'missing-values',
      severity: 'warning',
      count: missingValues,
      message: `${missingValues} row(s) have no value in '${spec.target}'; steps left without a value were filled by linear interpolation.`,
      fix: 'Fill in the missing values in the source if they are known.',
      examples: [],
    });
  }
  return { series, frequency, origin, format: parsed.format, aggregate, aggregateReason, alerts, warnings };
}
