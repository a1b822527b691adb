/**
 * The feature pipeline: learned on the training split only, saved as JSON next to the model, and
 * applied unchanged to validation, test and every later prediction. Numbers: median imputation and
 * standardisation. Categories: one-hot over frequent levels, rare levels grouped as "other", very
 * many levels hashed into buckets. Booleans: 0/1. Dates: year, month, day, weekday (and hour).
 */
import { UserInputError } from '../protocol.js';
import type { ColumnProfile } from './columns.js';
import type { NumberFormat } from '../csv/number-format.js';
import { booleanPair, isMissing, parseDate, parseNumber } from './values.js';

/** Mean/std scaling of one numeric input, with the median that replaces missing values. */
export interface Scaler {
  median: number;
  mean: number;
  std: number;
}

/** How one source column becomes model inputs. */
export type FeatureSpec =
  | { column: string; kind: 'numeric'; scaler: Scaler }
  | { column: string; kind: 'boolean'; falseValue: string; trueValue: string; mode: 0 | 1 }
  | { column: string; kind: 'date'; parts: Array<{ part: DatePart; scaler: Scaler }> }
  | {
      column: string;
      kind: 'categorical';
      /** One input per level, in this order. `(missing)` is a level when training data had blanks. */
      levels: string[];
      /** Rare and unseen values go to one extra "other" input when true. */
      other: boolean;
    }
  | { column: string; kind: 'hashed'; buckets: number };

export type DatePart = 'year' | 'month' | 'day' | 'weekday' | 'hour';

/** The saved pipeline (`preprocessing.json`). */
export interface Preprocessing {
  version: 1;
  features: FeatureSpec[];
  /** Model input names, in order (`age`, `workclass=Private`, `date.year` …). */
  inputs: string[];
  /**
   * Source columns (features and the target) whose numbers are written with a decimal comma or
   * thousands separators in the training file: a file given to the model is read the same way
   * before `transform`. Absent when every number was plain dot-decimal.
   */
  numberFormats?: Record<string, NumberFormat>;
}

/** Policy knobs, with the defaults used by the trainer. */
export interface PreprocessOptions {
  /** A level needs this many training rows to get its own input; rarer ones become "other". */
  minLevelCount: number;
  /** At most this many levels get their own input; when they cover < 90% of rows, the column is hashed into `hashBuckets` inputs instead. */
  maxLevels: number;
  hashBuckets: number;
  /** Refuse when the encoded data would have more inputs than this. */
  maxInputs: number;
}

export const DEFAULT_PREPROCESS: PreprocessOptions = { minLevelCount: 5, maxLevels: 50, hashBuckets: 32, maxInputs: 2000 };

export const MISSING_LEVEL = '(missing)';
export const OTHER_LEVEL = '(other)';

/** Learns the pipeline from the training values of each kept column. */
export function fitPreprocessing(
  columns: Array<{ profile: ColumnProfile; values: string[] }>,
  options: PreprocessOptions = DEFAULT_PREPROCESS,
): Preprocessing {
  const features = columns.map(({ profile, values }) => fitFeature(profile, values, options));
  const inputs = features.flatMap(inputNames);
  if (inputs.length > options.maxInputs) {
    const widest = features
      .map((f) => ({ column: f.column, width: inputNames(f).length }))
      .sort((a, b) => b.width - a.width)
      .slice(0, 5)
      .map((f) => `${f.column} (${f.width})`)
      .join(', ');
    const numeric = features.filter((f) => f.kind === 'numeric').length;
    // Name the real cause: many plain numeric columns are not a one-hot problem.
    if (numeric > options.maxInputs / 2) {
      throw new UserInputError(
        `The data has ${numeric.toLocaleString('en')} numeric feature columns (${inputs.length.toLocaleString('en')} network inputs in all), above the limit of ${options.maxInputs.toLocaleString('en')} inputs: there are too many columns, not too many categories. Keep the columns that matter (--exclude the others) or reduce the table's width first, then train again.`,
      );
    }
    throw new UserInputError(
      `The data would give the network ${inputs.length.toLocaleString('en')} inputs after one-hot encoding, above the limit of ${options.maxInputs.toLocaleString('en')}. Exclude some categorical columns; the widest are ${widest}.`,
    );
  }
  if (inputs.length === 0) throw new UserInputError('No usable feature columns are left after exclusions. Include at least one column besides the target.');
  return { version: 1, features, inputs };
}

function fitFeature(profile: ColumnProfile, values: string[], options: PreprocessOptions): FeatureSpec {
  const column = profile.name;
  switch (profile.kind) {
    case 'numeric':
      return { column, kind: 'numeric', scaler: fitScaler(values.map(toNumber)) };
    case 'boolean': {
      const present = values.filter((v) => !isMissing(v)).map((v) => v.trim().toLowerCase());
      const [falseValue, trueValue] = booleanPair(present)!;
      const trues = present.filter((v) => v === trueValue).length;
      return { column, kind: 'boolean', falseValue, trueValue, mode: trues * 2 >= present.length ? 1 : 0 };
    }
    case 'date': {
      const dates = values.map((v) => (isMissing(v) ? null : parseDate(v)));
      const parts: DatePart[] = ['year', 'month', 'day', 'weekday'];
      if (dates.some((d) => d?.hour !== null && d?.hour !== undefined)) parts.push('hour');
      return {
        column,
        kind: 'date',
        parts: parts.map((part) => ({ part, scaler: fitScaler(dates.map((d) => (d ? (d[part] ?? Number.NaN) : Number.NaN))) })),
      };
    }
    case 'categorical': {
      const counts = new Map<string, number>();
      for (const v of values) {
        const level = levelOf(v);
        counts.set(level, (counts.get(level) ?? 0) + 1);
      }
      const frequent = [...counts.entries()]
        .filter(([, count]) => count >= options.minLevelCount)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, options.maxLevels);
      // When the kept levels leave much of the column in "other" (many levels, or many rare ones),
      // hashing keeps more of the information in a bounded number of inputs.
      const covered = frequent.reduce((sum, [, count]) => sum + count, 0);
      if (counts.size > options.maxLevels && covered < 0.9 * values.length) return { column, kind: 'hashed', buckets: options.hashBuckets };
      return { column, kind: 'categorical', levels: frequent.map(([level]) => level), other: frequent.length < counts.size };
    }
  }
}

function levelOf(value: string): string {
  return isMissing(value) ? MISSING_LEVEL : value.trim();
}

function toNumber(value: string): number {
  if (isMissing(value)) return Number.NaN;
  return parseNumber(value) ?? Number.NaN;
}

function fitScaler(values: number[]): Scaler {
  const present = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (present.length === 0) return { median: 0, mean: 0, std: 1 };
  const mid = present.length >> 1;
  const median = present.length % 2 ? present[mid]! : (present[mid - 1]! + present[mid]!) / 2;
  // Mean and std of the imputed column, which is what the network will see.
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += Number.isFinite(v) ? v : median;
  const mean = sum / n;
  let squares = 0;
  for (const v of values) squares += ((Number.isFinite(v) ? v : median) - mean) ** 2;
  const std = Math.sqrt(squares / n);
  return { median, mean, std: std > 1e-12 ? std : 1 };
}

/** Input names produced by one feature. */
export function inputNames(feature: FeatureSpec): string[] {
  switch (feature.kind) {
    case 'numeric':
    case 'boolean':
      return [feature.column];
    case 'date':
      return feature.parts.map((p) => `${feature.column}.${p.part}`);
    case 'categorical':
      return [...feature.levels, ...(feature.other ? [OTHER_LEVEL] : [])].map((level) => `${feature.column}=${level}`);
    case 'hashed':
      return Array.from({ length: feature.buckets }, (_, i) => `${feature.column}#${i}`);
  }
}

/** What applying the pipeline noticed: values it had not seen in training, columns absent from the file. */
export interface TransformReport {
  /** Per column: cells whose category was not among the learned levels (new or rare in training), mapped to "other" or to no input. */
  unseen: Record<string, number>;
  /** Feature columns the file does not have: every row gets the training median or mode. */
  missingColumns: string[];
}

/**
 * Encodes `rows` (raw cells, columns named by `header`) into a row-major Float32Array of
 * `rows.length × inputs.length`.
 */
export function transform(pre: Preprocessing, header: string[], rows: string[][]): { x: Float32Array; report: TransformReport } {
  const d = pre.inputs.length;
  const x = new Float32Array(rows.length * d);
  const report: TransformReport = { unseen: {}, missingColumns: [] };
  const position = new Map(header.map((name, i) => [name, i]));
  let offset = 0;
  for (const feature of pre.features) {
    const index = position.get(feature.column);
    if (index === undefined) report.missingColumns.push(feature.column);
    const width = inputNames(feature).length;
    for (let r = 0; r < rows.length; r++) {
      const cell = index === undefined ? '' : (rows[r]![index] ?? '');
      const unseen = encodeCell(feature, cell, x, r * d + offset);
      if (unseen && index !== undefined) report.unseen[feature.column] = (report.unseen[feature.column] ?? 0) + 1;
    }
    offset += width;
  }
  return { x, report };
}

/** Writes one cell's inputs at `at`; returns true when the value is a category unseen in training. */
function encodeCell(feature: FeatureSpec, cell: string, x: Float32Array, at: number): boolean {
  switch (feature.kind) {
    case 'numeric':
      x[at] = scale(toNumber(cell), feature.scaler);
      return false;
    case 'boolean': {
      const value = cell.trim().toLowerCase();
      x[at] = value === feature.trueValue ? 1 : value === feature.falseValue ? 0 : feature.mode;
      return false;
    }
    case 'date': {
      const date = isMissing(cell) ? null : parseDate(cell);
      feature.parts.forEach((p, i) => {
        x[at + i] = scale(date ? (date[p.part] ?? Number.NaN) : Number.NaN, p.scaler);
      });
      return false;
    }
    case 'categorical': {
      const level = feature.levels.indexOf(levelOf(cell));
      if (level >= 0) x[at + level] = 1;
      else if (feature.other) x[at + feature.levels.length] = 1;
      // Only frequent levels are stored, so a value rare in training and a new one both count here.
      return level < 0 && !isMissing(cell);
    }
    case 'hashed':
      x[at + (fnv1a(levelOf(cell)) % feature.buckets)] = 1;
      return false;
  }
}

function scale(value: number, s: Scaler): number {
  return ((Number.isFinite(value) ? value : s.median) - s.mean) / s.std;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
