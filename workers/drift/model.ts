/**
 * The model's side of drift: apply a saved version to a CSV with the trainer's `predictRows`, and
 * measure its metric on a labelled batch against the registered test metric.
 */
import { stat, writeFile } from 'node:fs/promises';
import { loadTable, MAX_TRAINING_BYTES } from '../trainer/load.js';
import { predictRows, type Prediction } from '../trainer/predict.js';
import { performanceDrift } from './performance.js';
import type { PerformanceDrift } from './report.js';
import type { DriftModel } from './schema.js';

/** The name of the predictions column in the profile and in the report. */
export const PREDICTION_COLUMN = 'prediction';

/** What applying the model to one file gave. */
export interface ModelRun {
  /** One cell per row: the predicted class, or the predicted value as text. */
  predictions: string[];
  /** The target column's cells, when the file has it (else null). */
  labels: string[] | null;
  warnings: string[];
}

/**
 * Predicts every row of `csvPath` with the version's model. The trainer's loader holds the whole
 * file in memory, so a file above its limit is not predicted: the column checks still run on it,
 * and a warning says the model part was skipped.
 */
export async function applyModel(model: DriftModel, csvPath: string): Promise<ModelRun> {
  const { size } = await stat(csvPath);
  if (size > MAX_TRAINING_BYTES) {
    const warning = `${csvPath} is ${(size / 1e6).toFixed(0)} MB, above the ${(MAX_TRAINING_BYTES / 1e6).toFixed(0)} MB the model can be applied to at once: prediction and performance drift were skipped (the inputs were still checked). Check a sample of the rows for them.`;
    return { predictions: [], labels: null, warnings: [warning] };
  }
  const table = await loadTable(csvPath, MAX_TRAINING_BYTES);
  if (table.rows.length === 0) return { predictions: [], labels: null, warnings: [] };
  const targetIndex = model.target ? table.columns.indexOf(model.target) : -1;
  if (model.task === 'anomaly') {
    // An anomaly model's output is its score: the score distribution on the training rows against the new batch's.
    const { scoreAnomalyRows } = await import('../anomaly/predict.js');
    const { scores, warnings } = await scoreAnomalyRows(model.artifactDir, table.columns, table.rows);
    return { predictions: Array.from(scores, (s) => s.toPrecision(6)), labels: null, warnings };
  }
  const { predictions, warnings } = await predictRows(model.artifactDir, table.columns, table.rows);
  return {
    predictions: predictions.map(cell),
    labels: targetIndex < 0 ? null : table.rows.map((row) => row[targetIndex] ?? ''),
    warnings,
  };
}

function cell(p: Prediction): string {
  return p.value !== undefined ? String(p.value) : (p.label ?? '');
}

/** Writes predictions as a one-column CSV, so the file-level engine profiles and compares them like any column. */
export async function writePredictions(path: string, predictions: readonly string[]): Promise<void> {
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  await writeFile(path, `${PREDICTION_COLUMN}\n${predictions.map(quote).join('\n')}\n`);
}

/**
 * The registered metric this check can recompute: accuracy for classifiers, MAE for regression
 * (the trainer records both as `testMetrics.accuracy` / `testMetrics.mae`). Null when absent.
 */
export function registeredMetric(model: DriftModel): { metric: PerformanceDrift['metric']; value: number } | null {
  // Anomaly and forecast versions have no accuracy or MAE of this kind to recompute from labels.
  if (model.task !== 'binary' && model.task !== 'multiclass' && model.task !== 'regression') return null;
  const metric = model.task === 'regression' ? 'mae' : 'accuracy';
  const value = model.testMetrics[metric];
  return typeof value === 'number' && Number.isFinite(value) ? { metric, value } : null;
}

/** Performance drift of a labelled batch, or null when it has no labels or the version recorded no usable metric. */
export function modelPerformance(model: DriftModel, run: ModelRun, tolerance?: number): PerformanceDrift | null {
  const registered = registeredMetric(model);
  if (!registered || !run.labels) return null;
  return performanceDrift(run.labels, run.predictions, registered.metric, registered.value, tolerance);
}
