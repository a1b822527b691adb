/** Reading a run's metrics for the Results step: formatting (the verdict itself comes from the main process). */

/** The parts of the trainer's metrics the page reads (classification and regression share one loose shape). */
export interface LooseMetrics {
  [key: string]: unknown;
  accuracy?: number;
  r2?: number;
  mae?: number;
  perClass?: { label: string; precision: number; recall: number; f1: number; support: number }[];
  positiveClass?: string;
  confusionMatrix?: { labels: string[]; matrix: number[][] };
  thresholds?: { threshold: number; precision: number; recall: number; f1: number; positiveRate: number }[];
  residuals?: { actual: number; predicted: number }[];
}

const LOWER_IS_BETTER = new Set(['mae', 'rmse', 'mape', 'logLoss']);

/** Rates as percentages, errors and losses as numbers. */
export function fmt(value: unknown, key: string, difference = false): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (key === 'r2' || LOWER_IS_BETTER.has(key)) return value.toFixed(3);
  return `${(value * 100).toFixed(1)}${difference ? ' points' : '%'}`;
}

/** Plain names of the metrics, a one-line explanation each, and the formal name for the small print. */
export const METRIC_INFO: Record<string, { name: string; help: string; formal: string }> = {
  accuracy: { name: 'Right answers', help: 'Share of test rows the model got right.', formal: 'accuracy' },
  balancedAccuracy: { name: 'Right answers, per class', help: 'The hit rate of each class, averaged: a rare class counts as much as a common one.', formal: 'balanced accuracy' },
  precision: { name: 'Alarms that are right', help: 'Of the rows the model flags, the share that really are the case.', formal: 'precision' },
  recall: { name: 'Cases caught', help: 'Of the real cases, the share the model flags.', formal: 'recall, true positive rate' },
  f1: { name: 'Balance of the two', help: 'One number that is high only when both alarms-that-are-right and cases-caught are high.', formal: 'F1 score' },
  rocAuc: { name: 'Ranking quality', help: 'Chance that a real case gets a higher score than a non-case (0.5 is guessing, 1 is perfect).', formal: 'ROC AUC' },
  prAuc: { name: 'Ranking quality on the rare class', help: 'Average share of right alarms over all thresholds; compare with the share of cases.', formal: 'PR AUC, average precision' },
  logLoss: { name: 'Confidence penalty', help: 'Lower is better: punishes confident wrong answers hardest.', formal: 'log loss, cross-entropy' },
  r2: { name: 'Variation explained', help: 'Share of the ups and downs of the target the model accounts for (1 is perfect, 0 is "always the average").', formal: 'R², coefficient of determination' },
  mae: { name: 'Typical error', help: 'Average size of the miss, in the target’s own units.', formal: 'mean absolute error, MAE' },
  rmse: { name: 'Typical error, big misses weighed more', help: 'Like the typical error, but large misses count extra.', formal: 'root mean squared error, RMSE' },
  mape: { name: 'Typical error in percent', help: 'Average miss as a share of the true value (rows where it is 0 left out).', formal: 'mean absolute percentage error, MAPE' },
};

/** The criterion's metrics that move with the threshold (ranking metrics and log loss do not). */
export const THRESHOLD_METRICS = new Set(['accuracy', 'balancedAccuracy', 'precision', 'recall', 'f1']);

/**
 * Whether the Goal step's criterion holds on `metrics` (already at the threshold under look), or
 * null when none is set or the metric does not move with the threshold. The verdict itself comes
 * from the main process; this only marks the rows of the threshold table.
 */
export function meetsCriterion(goal: { successMetric: string | null; successThreshold: number | null; successClass: string | null }, metrics: LooseMetrics): boolean | null {
  const key = goal.successMetric;
  if (!key || goal.successThreshold === null || !THRESHOLD_METRICS.has(key)) return null;
  let value = metrics[key];
  if (goal.successClass) value = metrics.perClass?.find((c) => c.label === goal.successClass)?.[key as 'precision' | 'recall' | 'f1'] ?? value;
  return typeof value === 'number' ? value >= goal.successThreshold : null;
}
