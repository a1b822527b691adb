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
