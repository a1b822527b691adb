/**
 * From a table to encoded splits for anomaly detection. Rows believed normal (every row, or those
 * whose label says normal) are split into train / validation / test; labelled anomalies never
 * reach the training split: half go to validation (to choose the threshold), half to test. The
 * feature pipeline is the tabular trainer's (workers/trainer/), fitted on the training rows.
 */
import { UserInputError } from '../protocol.js';
import { profileColumn } from '../trainer/columns.js';
import { loadTable } from '../trainer/load.js';
import type { Exclusion } from '../trainer/prepare.js';
import { fitPreprocessing, transform, type Preprocessing } from '../trainer/preprocess.js';
import { Rng, seedFor } from '../trainer/random.js';
import { splitRows } from '../trainer/split.js';
import { isInfinity, isMissing } from '../trainer/values.js';
import type { AnomalyInput } from './schema.js';

/** Fewest rows believed normal: below it the network cannot learn what normal looks like, nor be validated. */
export const MIN_NORMAL_ROWS = 50;

/** One split, encoded. `label` is 1 for a labelled anomaly, 0 otherwise (null without a label column). */
export interface AnomalySplit {
  x: Float32Array;
  n: number;
  label: Uint8Array | null;
  /** 1-based data row numbers in the file (header not counted), to point at the rows. */
  rowNumbers: number[];
}

/** The label column's meaning, when there is one. */
export interface LabelSpec {
  column: string;
  /** The value meaning normal; every other non-blank value is an anomaly. */
  normal: string;
  /** The other values seen (the anomaly classes). */
  anomalyValues: string[];
  normalRows: number;
  anomalyRows: number;
}

export interface AnomalyData {
  header: string[];
  datasetSha256: string;
  preprocessing: Preprocessing;
  excluded: Exclusion[];
  label: LabelSpec | null;
  train: AnomalySplit;
  validation: AnomalySplit;
  test: AnomalySplit;
  /** Every row of the file in the analysis (for the top anomalies). */
  all: AnomalySplit;
  warnings: string[];
}

export async function prepareAnomaly(input: AnomalyInput): Promise<AnomalyData> {
  const formats = Object.fromEntries(input.numberFormats.map((f) => [f.column, { decimal: f.decimal, thousands: f.thousands }]));
  const table = await loadTable(input.file, { numberFormats: formats });
  const warnings = [...table.warnings];
  const { columns } = table;
  for (const name of [...input.exclude, ...input.include, ...(input.label ? [input.label] : [])]) {
    if (!columns.includes(name)) throw new UserInputError(`Column "${name}" is not in ${input.file}. Its columns are: ${columns.join(', ')}.`);
  }
  let indices = table.rows.map((_, i) => i);
  if (input.maxRows !== undefined && indices.length > input.maxRows) {
    const rng = new Rng(seedFor(input.seed, 'sample'));
    indices = (rng.shuffle([...indices]) as number[]).slice(0, input.maxRows).sort((a, b) => a - b);
    warnings.push(`Used a random sample of ${input.maxRows} of ${table.rows.length} rows.`);
  }

  const labelIndex = input.label ? columns.indexOf(input.label) : -1;
  let label: LabelSpec | null = null;
  let normals = indices;
  let anomalies: number[] = [];
  if (input.label) {
    const values = indices.map((i) => table.rows[i]![labelIndex] ?? '');
    const blank = values.filter((v) => isMissing(v)).length;
    const counts = new Map<string, number>();
    for (const v of values) if (!isMissing(v)) counts.set(v.trim(), (counts.get(v.trim()) ?? 0) + 1);
    if (counts.size === 0) throw new UserInputError(`The label column "${input.label}" is empty in every row. Pick the column that marks known anomalies, or train without a label.`);
    const normal = input.normal?.trim() ?? [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    const seen = [...counts.keys()].map((v) => `"${v}"`).join(', ');
    if (!counts.has(normal)) {
      throw new UserInputError(
        `No row of "${input.label}" has the value "${normal}", so no row is known to be normal (the column's values are ${seen}). Give the value that means normal, or train without a label.`,
      );
    }
    if (counts.size === 1) {
      throw new UserInputError(
        `The label column "${input.label}" marks no row as an anomaly: every labelled row is "${normal}". Nothing can be evaluated against it; train without a label (the threshold then comes from an alert rate), or pick the column that marks the known anomalies.`,
      );
    }
    normals = indices.filter((i) => (table.rows[i]![labelIndex] ?? '').trim() === normal);
    anomalies = indices.filter((i) => !isMissing(table.rows[i]![labelIndex]) && (table.rows[i]![labelIndex] ?? '').trim() !== normal);
    if (anomalies.length < 2) {
      throw new UserInputError(
        `Only ${anomalies.length} row is labelled as an anomaly in "${input.label}"; at least 2 are needed (one to choose the threshold, one to test it). Label more known anomalies, or train without a label.`,
      );
    }
    if (blank) warnings.push(`${blank} row(s) have no value in "${input.label}"; they were left out (neither normal nor a known anomaly).`);
    label = {
      column: input.label,
      normal,
      anomalyValues: [...counts.keys()].filter((v) => v !== normal).sort(),
      normalRows: normals.length,
      anomalyRows: anomalies.length,
    };
  }
  if (normals.length < MIN_NORMAL_ROWS) {
    const what = label ? `${normals.length} row(s) are labelled "${label.normal}" (normal)` : `The file has ${normals.length} row(s)`;
    throw new UserInputError(
      label && normals.length === 0
        ? `Every labelled row of "${label.column}" is an anomaly: no row is known to be normal, and the network learns what normal looks like. Check the value that means normal, or add normal rows.`
        : `${what}; learning what normal looks like needs at least ${MIN_NORMAL_ROWS} (and many more for a useful model). Add rows, then retry.`,
    );
  }
  if (label && anomalies.length > normals.length) {
    warnings.push(`More rows are labelled as anomalies (${anomalies.length}) than as normal (${normals.length}): anomaly detection assumes anomalies are rare. Check that "${label.normal}" is the value that means normal.`);
  }

  const split = splitRows(normals.length, { validation: input.validationFraction, test: input.testFraction }, seedFor(input.seed, 'split'));
  const shuffled = new Rng(seedFor(input.seed, 'anomaly-split')).shuffle([...anomalies]) as number[];
  const half = Math.floor(shuffled.length / 2);
  const parts = {
    train: split.train.map((i) => normals[i]!),
    validation: [...split.validation.map((i) => normals[i]!), ...shuffled.slice(0, half)].sort((a, b) => a - b),
    test: [...split.test.map((i) => normals[i]!), ...shuffled.slice(half)].sort((a, b) => a - b),
  };

  const trainRows = parts.train.map((i) => table.rows[i]!);
  const excluded: Exclusion[] = [];
  const kept: Array<{ profile: ReturnType<typeof profileColumn>; values: string[] }> = [];
  columns.forEach((name, c) => {
    if (c === labelIndex) return;
    const values = trainRows.map((row) => row[c] ?? '');
    const profile = profileColumn(name, values);
    if (input.exclude.includes(name)) return excluded.push({ column: name, reason: 'excluded by you' });
    if (profile.exclude && !(input.include.includes(name) && profile.missing < values.length)) return excluded.push({ column: name, reason: profile.exclude });
    if (profile.kind === 'numeric') {
      const infinite = indices.filter((i) => isInfinity(table.rows[i]![c] ?? '')).length;
      if (infinite) throw new UserInputError(`Column "${name}" contains Infinity in ${infinite} row(s). Replace those values with real numbers or leave them blank, then retry.`);
    }
    if (profile.nonNumeric > 0) warnings.push(`"${name}" is numeric but has ${profile.nonNumeric} text value(s) in training rows; they are treated as missing.`);
    kept.push({ profile, values });
  });
  if (kept.length === 0) {
    throw new UserInputError(
      `No column can describe what normal looks like: ${excluded.map((e) => `"${e.column}" (${e.reason})`).join(', ') || 'the file has no columns besides the label'}. Anomaly detection needs at least one column whose values vary; include one, or use another file.`,
    );
  }
  const preprocessing = fitPreprocessing(kept);
  // The formats of the columns the model reads, so prediction and evaluation read a file as training did.
  const used = preprocessing.features.map((f) => f.column).filter((name) => formats[name]);
  if (used.length > 0) preprocessing.numberFormats = Object.fromEntries(used.map((name) => [name, formats[name]!]));
  const isAnomaly = new Set(anomalies);
  const encode = (rows: number[]): AnomalySplit => ({
    x: transform(preprocessing, columns, rows.map((i) => table.rows[i]!)).x,
    n: rows.length,
    label: label ? Uint8Array.from(rows, (i) => (isAnomaly.has(i) ? 1 : 0)) : null,
    rowNumbers: rows.map((i) => i + 1),
  });
  return {
    header: columns,
    datasetSha256: table.sha256,
    preprocessing,
    excluded,
    label,
    train: encode(parts.train),
    validation: encode(parts.validation),
    test: encode(parts.test),
    all: encode([...normals, ...anomalies].sort((a, b) => a - b)),
    warnings,
  };
}
