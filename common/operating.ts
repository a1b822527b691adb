/**
 * The operating threshold of a binary pilot: rows whose probability of the positive class is at or
 * above it are called positive. Training records the test split's counts at 0.5 (the confusion
 * matrix) and precision, recall and the share flagged at every step of 0.05 (the threshold
 * table). From those, every count at a table threshold follows exactly (true positives = recall ×
 * positives, flagged = share × rows), so the figures shown for a chosen threshold are measured on
 * the same test rows, never estimated. Thresholds between the table's steps have no measured
 * figures, so only the table's values can be chosen.
 */

/** Where training decides when the user chose nothing. */
export const DEFAULT_THRESHOLD = 0.5;

/** The test split's counts and rates at one threshold. */
export interface OperatingPoint {
  threshold: number;
  /** Real positives called positive, real negatives called positive, positives missed, negatives passed. */
  counts: { tp: number; fp: number; fn: number; tn: number };
  accuracy: number;
  balancedAccuracy: number;
  /** Of the positive class. */
  precision: number;
  recall: number;
  f1: number;
  /** Share of rows called positive. */
  positiveRate: number;
  /** Share of real negatives called positive (false positive rate). */
  falseAlarmRate: number;
}

type Json = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Whether two thresholds are the same step of the table (they are stored as binary fractions). */
export const sameThreshold = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

/** The thresholds the test metrics have measured figures for (empty for tasks other than binary). */
export function tableThresholds(metrics: Json): number[] {
  const rows = Array.isArray(metrics.thresholds) ? (metrics.thresholds as unknown[]) : [];
  return rows.map((r) => (r && typeof r === 'object' ? num((r as Json).threshold) : null)).filter((t): t is number => t !== null);
}

/** The test split at `threshold`, from a binary version's test metrics; null when it has no measured figures there. */
export function operatingPoint(metrics: Json, threshold: number): OperatingPoint | null {
  const matrix = (metrics.confusionMatrix as { matrix?: unknown } | undefined)?.matrix;
  if (!Array.isArray(matrix) || matrix.length !== 2) return null;
  const cells = (matrix as unknown[][]).flat().map(num);
  if (cells.length !== 4 || cells.some((c) => c === null)) return null;
  const [tn0, fp0, fn0, tp0] = cells as [number, number, number, number];
  const negatives = tn0 + fp0;
  const positives = fn0 + tp0;
  const n = negatives + positives;
  if (n === 0) return null;
  let tp: number;
  let called: number;
  if (sameThreshold(threshold, DEFAULT_THRESHOLD) && !tableRow(metrics, threshold)) {
    tp = tp0;
    called = tp0 + fp0;
  } else {
    const row = tableRow(metrics, threshold);
    const recall = num(row?.recall);
    const share = num(row?.positiveRate);
    if (recall === null || share === null) return null;
    tp = Math.round(recall * positives);
    called = Math.round(share * n);
  }
  const fp = called - tp;
  const fn = positives - tp;
  const tn = negatives - fp;
  const precision = called ? tp / called : 1;
  const recall = positives ? tp / positives : 0;
  const specificity = negatives ? tn / negatives : 0;
  return {
    threshold,
    counts: { tp, fp, fn, tn },
    accuracy: (tp + tn) / n,
    balancedAccuracy: (recall + specificity) / 2,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    positiveRate: called / n,
    falseAlarmRate: negatives ? fp / negatives : 0,
  };
}

function tableRow(metrics: Json, threshold: number): Json | null {
  const rows = Array.isArray(metrics.thresholds) ? (metrics.thresholds as unknown[]) : [];
  const row = rows.find((r) => r && typeof r === 'object' && sameThreshold(num((r as Json).threshold) ?? -1, threshold));
  return (row as Json | undefined) ?? null;
}

/**
 * A binary version's test metrics as they are at its operating threshold: accuracy, balanced
 * accuracy, precision, recall, F1, the per-class figures, macro averages and the confusion matrix
 * replaced, `operatingThreshold` added. Ranking metrics (ROC AUC, PR AUC, log loss) do not depend on
 * the threshold and stay. Unchanged when no threshold was chosen or there are no figures for it.
 */
export function metricsAtThreshold(metrics: Json, threshold: number | null | undefined): Json {
  if (threshold === null || threshold === undefined || sameThreshold(threshold, DEFAULT_THRESHOLD)) return metrics;
  const point = operatingPoint(metrics, threshold);
  if (!point) return metrics;
  const { tp, fp, fn, tn } = point.counts;
  const labels = ((metrics.confusionMatrix as { labels?: unknown }).labels as string[] | undefined) ?? ['0', '1'];
  const negPrecision = tn + fn ? tn / (tn + fn) : 1;
  const negRecall = tn + fp ? tn / (tn + fp) : 0;
  const negF1 = negPrecision + negRecall > 0 ? (2 * negPrecision * negRecall) / (negPrecision + negRecall) : 0;
  const perClass = [
    { label: labels[0], precision: negPrecision, recall: negRecall, f1: negF1, support: tn + fp },
    { label: labels[1], precision: point.precision, recall: point.recall, f1: point.f1, support: tp + fn },
  ];
  return {
    ...metrics,
    operatingThreshold: threshold,
    accuracy: point.accuracy,
    balancedAccuracy: point.balancedAccuracy,
    precision: point.precision,
    recall: point.recall,
    f1: point.f1,
    macro: { precision: (negPrecision + point.precision) / 2, recall: (negRecall + point.recall) / 2, f1: (negF1 + point.f1) / 2 },
    perClass,
    confusionMatrix: { labels, matrix: [[tn, fp], [fn, tp]] },
  };
}
