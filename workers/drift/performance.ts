/** Performance drift: the model's metric on the labelled current batch against its registered value. */
import { parseNumberAt } from './numbers.js';
import type { PerformanceDrift } from './report.js';

export type PerformanceMetric = PerformanceDrift['metric'];

/** Default tolerance: a drop of more than 5% of the registered value counts as degraded. */
export const DEFAULT_PERFORMANCE_TOLERANCE = 0.05;

/**
 * Computes `metric` from row-aligned label and prediction cells (empty or missing rows skipped)
 * and compares it with the registered value. Accuracy compares numbers as numbers ("1" = "1.0")
 * and text as text. Returns null when no row has both.
 */
export function performanceDrift(
  labels: readonly string[],
  predictions: readonly string[],
  metric: PerformanceMetric,
  reference: number,
  tolerance = DEFAULT_PERFORMANCE_TOLERANCE,
): PerformanceDrift | null {
  let rows = 0;
  let total = 0;
  // Sum of squares of the per-row loss (|e| for MAE, e² for RMSE): its spread gives the interval.
  let squares = 0;
  const n = Math.min(labels.length, predictions.length);
  for (let i = 0; i < n; i++) {
    const label = labels[i] as string;
    const prediction = predictions[i] as string;
    if (label === '' || prediction === '') continue;
    const y = parseNumberAt(label, 0, label.length);
    const p = parseNumberAt(prediction, 0, prediction.length);
    if (metric === 'accuracy') {
      rows++;
      const same = !Number.isNaN(y) && !Number.isNaN(p) ? y === p : label === prediction;
      if (same) total++;
      continue;
    }
    if (Number.isNaN(y) || Number.isNaN(p)) continue;
    rows++;
    const loss = metric === 'mae' ? Math.abs(y - p) : (y - p) * (y - p);
    total += loss;
    squares += loss * loss;
  }
  if (rows === 0) return null;
  const current = metric === 'accuracy' ? total / rows : metric === 'mae' ? total / rows : Math.sqrt(total / rows);
  const drop = metric === 'accuracy' ? reference - current : current - reference;
  return { metric, reference, current, drop, degraded: drop > tolerance * Math.abs(reference), rows, interval: interval(metric, total, squares, rows) };
}

const Z95 = 1.959963984540054;

/** The 95 % interval of the current metric from its per-row losses. */
function interval(metric: PerformanceMetric, total: number, squares: number, n: number): [number, number] {
  if (metric === 'accuracy') {
    // Wilson score interval of `total` right answers in `n`.
    const p = total / n;
    const z2 = Z95 * Z95;
    const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
    return [Math.max(0, centre - half), Math.min(1, centre + half)];
  }
  // Normal interval of the mean loss (sample standard deviation); RMSE takes the square root of the MSE's ends.
  const mean = total / n;
  const sd = n > 1 ? Math.sqrt(Math.max(0, (squares - n * mean * mean) / (n - 1))) : Infinity;
  const half = (Z95 * sd) / Math.sqrt(n);
  const low = Math.max(0, mean - half);
  const high = mean + half;
  return metric === 'mae' ? [low, high] : [Math.sqrt(low), Math.sqrt(high)];
}
