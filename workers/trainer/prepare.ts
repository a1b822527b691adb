/**
 * From a CSV path to encoded train/validation/test matrices: read, check the target, split
 * (seeded, stratified), decide the features (exclusions with reasons) and fit the preprocessing
 * on the training rows only.
 */
import { UserInputError } from '../protocol.js';
import { profileColumn, type ColumnProfile } from './columns.js';
import { loadTable, type Sampling } from './load.js';
import { fitPreprocessing, inputNames, transform, type Preprocessing } from './preprocess.js';
import { seedFor } from './random.js';
import type { TrainInput } from './schema.js';
import { splitRows, type Split } from './split.js';
import { encodeTarget, fitTarget, type TargetSpec } from './task.js';
import { findLeaks } from './leakage.js';
import { isInfinity, isMissing } from './values.js';

/** Fewest rows with a target the trainer accepts: below it, a test split says nothing. */
export const MIN_ROWS = 50;
/**
 * Rows trained on when the caller gives no cap. A 200,000-row table trains in well under a
 * minute on a laptop's CPU; beyond it a seeded sample gives nearly the same model at bounded memory.
 */
export const DEFAULT_TRAINING_ROWS = 200_000;

/** A column left out, and why (shown in the wizard's "features" step). */
export interface Exclusion {
  column: string;
  reason: string;
}

export interface EncodedSplit {
  x: Float32Array;
  y: Float32Array;
  n: number;
  /** Raw rows (test split: for fairness groups). */
  rows: string[][];
}

export interface Prepared {
  header: string[];
  datasetSha256: string;
  target: TargetSpec;
  preprocessing: Preprocessing;
  excluded: Exclusion[];
  profiles: ColumnProfile[];
  rows: { train: number; validation: number; test: number };
  train: EncodedSplit;
  validation: EncodedSplit;
  test: EncodedSplit;
  /** Each source column's input range, for permutation importance. */
  blocks: Array<{ column: string; start: number; end: number }>;
  warnings: string[];
  /** How the training rows were sampled from a larger file; null when every row was used. */
  sampling: Sampling | null;
}

export async function prepare(input: TrainInput): Promise<Prepared> {
  const maxRows = input.maxRows ?? DEFAULT_TRAINING_ROWS;
  const formats = Object.fromEntries(input.numberFormats.map((f) => [f.column, { decimal: f.decimal, thousands: f.thousands }]));
  const table = await loadTable(input.file, { maxRows, seed: input.seed, numberFormats: formats });
  const warnings = [...table.warnings];
  const { columns } = table;
  const targetIndex = columns.indexOf(input.target);
  if (targetIndex < 0) {
    throw new UserInputError(`The target column "${input.target}" is not in ${input.file}. Its columns are: ${columns.join(', ')}.`);
  }
  for (const name of [...input.exclude, ...input.include, ...input.protected]) {
    if (!columns.includes(name)) throw new UserInputError(`Column "${name}" is not in ${input.file}. Its columns are: ${columns.join(', ')}.`);
  }

  const rows = table.rows.filter((row) => !isMissing(row[targetIndex]));
  if (rows.length === 0) {
    throw new UserInputError(`The target column "${input.target}" is empty in every row. Pick a column that holds the outcome to predict.`);
  }
  if (rows.length < table.rows.length) warnings.push(`${table.rows.length - rows.length} row(s) without a value for "${input.target}" were left out.`);
  if (table.sampling) warnings.push(`Trained on ${table.sampling.rule}${input.maxRows === undefined ? `; tables above ${DEFAULT_TRAINING_ROWS.toLocaleString('en')} rows are sampled so memory stays bounded (--max-rows changes the cap)` : ''}.`);
  if (rows.length < MIN_ROWS) {
    throw new UserInputError(
      `Only ${rows.length} row(s) have a value for "${input.target}"; training needs at least ${MIN_ROWS} (and many more for a useful model). Add rows, then retry.`,
    );
  }

  const targetValues = rows.map((row) => row[targetIndex]!);
  let target = fitTarget(input.target, targetValues, input.task, input.positiveClass);
  const y = encodeTarget(target, targetValues);
  let strata: Int32Array | undefined;
  if (target.task !== 'regression') {
    strata = Int32Array.from(y);
    const counts = new Array<number>(target.classes.length).fill(0);
    for (const c of strata) counts[c]!++;
    const small = target.classes.filter((_, c) => counts[c]! < 3);
    if (small.length) {
      throw new UserInputError(
        `Class ${small.map((c) => `"${c}"`).join(', ')} of "${input.target}" has fewer than 3 rows, too few to train, validate and test on. Add rows of that class, or remove them.`,
      );
    }
  }
  const split = splitRows(rows.length, { validation: input.validationFraction, test: input.testFraction }, seedFor(input.seed, 'split'), strata);
  if (target.task === 'regression') target = refitRegressionScale(target, targetValues, split);

  const trainRows = split.train.map((i) => rows[i]!);
  const excluded: Exclusion[] = [];
  const profiles: ColumnProfile[] = [];
  const kept: Array<{ profile: ColumnProfile; values: string[] }> = [];
  columns.forEach((name, c) => {
    if (c === targetIndex) return;
    const values = trainRows.map((row) => row[c] ?? '');
    const profile = profileColumn(name, values);
    profiles.push(profile);
    if (input.exclude.includes(name)) return excluded.push({ column: name, reason: 'excluded by you' });
    if (profile.exclude && !(input.include.includes(name) && profile.missing < values.length)) {
      return excluded.push({ column: name, reason: profile.exclude });
    }
    if (profile.kind === 'numeric') refuseInfinity(name, rows, c);
    if (profile.nonNumeric > 0) warnings.push(`"${name}" is numeric but has ${profile.nonNumeric} text value(s) in training rows; they are treated as missing.`);
    kept.push({ profile, values });
  });
  // Columns that give the answer away are left out by default, like identifiers (include brings one back).
  const leaks = findLeaks(
    target.task,
    input.target,
    trainRows.map((row) => row[targetIndex]!),
    kept.filter((k) => !input.include.includes(k.profile.name)).map((k) => ({ name: k.profile.name, numeric: k.profile.kind === 'numeric', values: k.values })),
  );
  const leaking = new Set(leaks.map((l) => l.column));
  excluded.push(...leaks);
  for (let i = kept.length - 1; i >= 0; i--) if (leaking.has(kept[i]!.profile.name)) kept.splice(i, 1);
  if (kept.length === 0) {
    throw new UserInputError(`Every usable column gives "${input.target}" away (${leaks.map((l) => l.column).join(', ')}), so nothing honest is left to learn from. Add columns known before the outcome, or bring one back with include if it truly is.`);
  }
  const preprocessing = fitPreprocessing(kept);
  // The formats of the columns the model reads, so prediction and evaluation read a file as training did.
  const used = [input.target, ...preprocessing.features.map((f) => f.column)].filter((name) => formats[name]);
  if (used.length > 0) preprocessing.numberFormats = Object.fromEntries(used.map((name) => [name, formats[name]!]));
  for (const feature of preprocessing.features) {
    if (feature.kind === 'hashed') warnings.push(`"${feature.column}" has too many categories for one input each; it was hashed into ${feature.buckets} buckets.`);
  }

  const encode = (indices: number[]): EncodedSplit => {
    const part = indices.map((i) => rows[i]!);
    return { x: transform(preprocessing, columns, part).x, y: Float32Array.from(indices, (i) => y[i]!), n: part.length, rows: part };
  };
  if (target.task === 'regression') {
    const scaled = encodeTarget(target, targetValues);
    y.set(scaled);
  }
  let start = 0;
  const blocks = preprocessing.features.map((feature) => {
    const width = inputNames(feature).length;
    const block = { column: feature.column, start, end: start + width };
    start += width;
    return block;
  });
  return {
    header: columns,
    datasetSha256: table.sha256,
    target,
    preprocessing,
    excluded,
    profiles,
    rows: { train: split.train.length, validation: split.validation.length, test: split.test.length },
    train: encode(split.train),
    validation: encode(split.validation),
    test: encode(split.test),
    blocks,
    warnings,
    sampling: table.sampling,
  };
}

/** The regression target's scale, learned from the training rows only. */
function refitRegressionScale(target: TargetSpec, values: string[], split: Split): TargetSpec {
  const ys = split.train.map((i) => Number(values[i]!.trim()));
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const std = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length);
  return { column: target.column, task: 'regression', mean, std: std > 1e-12 ? std : 1 };
}

function refuseInfinity(name: string, rows: string[][], c: number): void {
  const count = rows.filter((row) => isInfinity(row[c] ?? '')).length;
  if (count === 0) return;
  throw new UserInputError(
    `Column "${name}" contains Infinity in ${count} row(s). Replace those values with real numbers or leave them blank (blanks are filled with the median), then retry.`,
  );
}
