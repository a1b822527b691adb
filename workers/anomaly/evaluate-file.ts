/**
 * An anomaly version evaluated on a new labelled file (`evaluate.run` on an anomaly artifact): the
 * rows scored with the model's own preprocessing, flagged by the **threshold stored with the
 * version**, and ranked against the file's known anomalies (the label column and normal value the
 * version was trained with). Each metric is compared with the version's recorded test value, with
 * a seeded percentile bootstrap interval over rows.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserInputError } from '../protocol.js';
import { loadTable, MAX_TRAINING_BYTES, modelNumberFormats } from '../trainer/load.js';
import { Rng } from '../trainer/random.js';
import { isMissing } from '../trainer/values.js';
import type { MetricDifference } from '../evaluate/intervals.js';
import { labelledMetrics, type LabelledMetrics } from './evaluate.js';
import { scoreAnomalyRows } from './predict.js';

/** The compared metrics, headline first. */
const COMPARED = ['prAuc', 'rocAuc', 'precisionAtK', 'precision', 'recall', 'f1', 'alertRate'] as const;

/** What the evaluation of an anomaly version found (the evaluate engine adds the file's identity). */
export interface AnomalyFileEvaluation {
  target: string;
  rows: { total: number; scored: number; missingLabel: number; unknownLabel: number };
  metrics: LabelledMetrics;
  differences: MetricDifference[];
  columns: { missing: string[]; extra: string[] };
  warnings: string[];
}

interface Options {
  recorded: Record<string, unknown>;
  confidence: number;
  resamples: number;
  seed: number;
  signal?: AbortSignal;
}

/** Scores `file` with the anomaly model in `artifactDir` and compares it with the recorded test metrics. */
export async function evaluateAnomalyFile(artifactDir: string, file: string, options: Options): Promise<AnomalyFileEvaluation> {
  const metadata = JSON.parse(await readFile(join(artifactDir, 'metadata.json'), 'utf8')) as {
    label?: { column: string; normal: string } | null;
    features?: string[];
  };
  const label = metadata.label;
  if (!label) {
    throw new UserInputError(
      'This anomaly version was trained without labels, so there are no known anomalies to evaluate it against. Use pilot drift VERSION FILE to compare its scores on new rows with the training ones.',
    );
  }
  const table = await loadTable(file, { maxBytes: MAX_TRAINING_BYTES, numberFormats: await modelNumberFormats(artifactDir) });
  const c = table.columns.indexOf(label.column);
  if (c < 0)
    throw new UserInputError(
      `${file} has no "${label.column}" column: evaluating needs the known anomalies of each row ("${label.normal}" = normal). Add the labels, or use pilot predict for unlabelled data.`,
    );
  const kept: number[] = [];
  let missingLabel = 0;
  table.rows.forEach((row, i) => (isMissing(row[c] ?? '') ? missingLabel++ : kept.push(i)));
  const labels = Uint8Array.from(kept, (i) => ((table.rows[i]![c] ?? '').trim() === label.normal ? 0 : 1));
  const anomalies = labels.reduce((a, b) => a + b, 0);
  if (anomalies === 0 || anomalies === kept.length) {
    throw new UserInputError(
      `${file} has ${anomalies === 0 ? 'no row labelled as an anomaly' : `no row labelled "${label.normal}" (normal)`} in "${label.column}": a ranking cannot be evaluated without both. Give a file with normal rows and known anomalies.`,
    );
  }
  const rows = kept.map((i) => table.rows[i]!);
  const { scores, threshold, warnings } = await scoreAnomalyRows(artifactDir, table.columns, rows);
  const metrics = labelledMetrics(scores, labels, threshold);
  const features = metadata.features ?? [];
  const known = new Set([...features, label.column]);
  return {
    target: label.column,
    rows: { total: table.rows.length, scored: rows.length, missingLabel, unknownLabel: 0 },
    metrics,
    differences: compare(scores, labels, threshold, metrics, options),
    columns: { missing: features.filter((f) => !table.columns.includes(f)), extra: table.columns.filter((col) => !known.has(col)) },
    warnings: [
      ...table.warnings,
      ...warnings,
      ...(missingLabel ? [`${missingLabel} row(s) have no value in "${label.column}" and were left out.`] : []),
      ...(anomalies < 10 ? [`Only ${anomalies} known anomalies: the intervals are wide.`] : []),
    ],
  };
}

function compare(scores: Float64Array, labels: Uint8Array, threshold: number, metrics: LabelledMetrics, options: Options): MetricDifference[] {
  const n = scores.length;
  const draws: number[][] = COMPARED.map(() => []);
  const rng = new Rng(options.seed >>> 0 || 1);
  const s = new Float64Array(n);
  const l = new Uint8Array(n);
  for (let b = 0; b < options.resamples && !options.signal?.aborted; b++) {
    for (let t = 0; t < n; t++) {
      const i = rng.int(n);
      s[t] = scores[i]!;
      l[t] = labels[i]!;
    }
    const positives = l.reduce((a, v) => a + v, 0);
    // A resample without both classes has no ranking to score.
    if (positives === 0 || positives === n) continue;
    const m = labelledMetrics(s, l, threshold);
    COMPARED.forEach((name, k) => Number.isFinite(m[name]) && draws[k]!.push(m[name]));
  }
  const alpha = (1 - options.confidence) / 2;
  return COMPARED.map((name, k): MetricDifference => {
    const current = metrics[name];
    const raw = options.recorded[name];
    const recorded = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    const sorted = draws[k]!.sort((a, b) => a - b);
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))]! : null);
    const [lo, hi] = [at(alpha), at(1 - alpha)];
    const shift = recorded ?? 0;
    const low = lo === null ? null : lo - shift;
    const high = hi === null ? null : hi - shift;
    return {
      metric: name,
      recorded,
      current,
      difference: recorded === null ? null : current - recorded,
      low,
      high,
      method: 'bootstrap',
      significant: recorded === null || low === null || high === null ? null : low > 0 || high < 0,
    };
  });
}
