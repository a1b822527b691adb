/**
 * 95 % intervals for the test metrics a model card shows, from what the registry keeps: the test
 * confusion matrix (classification) or the test residuals (regression). Accuracy: Wilson score
 * interval. Other metrics: a seeded percentile bootstrap that resamples test rows, i.e. the
 * confusion matrix's cells in proportion to their counts, or the residual pairs.
 */
import { Rng } from '../../trainer/random.js';

/** One metric with its interval (null bounds when the registry lacks what it needs). */
export interface MetricInterval {
  metric: string;
  value: number | null;
  low: number | null;
  high: number | null;
  method: 'wilson' | 'bootstrap' | 'none';
}

const Z95 = 1.959963984540054;
const RESAMPLES = 1000;

/** Wilson score interval for k successes in n trials. */
export function wilson(k: number, n: number, z = Z95): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function percentile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

function bootstrap(statistic: (draw: () => number) => number | null, seed: number): [number, number] | null {
  const rng = new Rng(seed);
  const values: number[] = [];
  for (let b = 0; b < RESAMPLES; b++) {
    const value = statistic(() => rng.next());
    if (value !== null && Number.isFinite(value)) values.push(value);
  }
  if (values.length < RESAMPLES / 2) return null;
  values.sort((a, b) => a - b);
  return [percentile(values, 0.025), percentile(values, 0.975)];
}

/** Classification metrics from a confusion matrix ([actual][predicted]); `positive` is the binary positive class index. */
function fromMatrix(matrix: number[][], positive: number | null): Record<string, number | null> {
  const k = matrix.length;
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  const diagonal = matrix.reduce((sum, row, i) => sum + row[i]!, 0);
  const recall = (c: number) => {
    const support = matrix[c]!.reduce((a, b) => a + b, 0);
    return support === 0 ? null : matrix[c]![c]! / support;
  };
  const precision = (c: number) => {
    const predicted = matrix.reduce((sum, row) => sum + row[c]!, 0);
    return predicted === 0 ? null : matrix[c]![c]! / predicted;
  };
  const f1 = (c: number) => {
    const p = precision(c) ?? 0;
    const r = recall(c) ?? 0;
    return p + r === 0 ? 0 : (2 * p * r) / (p + r);
  };
  const recalls = Array.from({ length: k }, (_, c) => recall(c)).filter((r): r is number => r !== null);
  const out: Record<string, number | null> = {
    accuracy: total === 0 ? null : diagonal / total,
    balancedAccuracy: recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : null,
  };
  if (positive !== null) {
    out.precision = precision(positive);
    out.recall = recall(positive);
    out.f1 = f1(positive);
  } else out.f1 = Array.from({ length: k }, (_, c) => f1(c)).reduce((a, b) => a + b, 0) / k;
  return out;
}

/**
 * Intervals for a classification version. `matrix` is the test confusion matrix; `positive` the
 * positive class index for binary tasks (null for multiclass, whose f1 is macro-averaged).
 */
export function classificationIntervals(matrix: number[][], positive: number | null, seed = 1): MetricInterval[] {
  const cells = matrix.flat();
  const n = cells.reduce((a, b) => a + b, 0);
  const k = matrix.length;
  const point = fromMatrix(matrix, positive);
  const cumulative: number[] = [];
  cells.reduce((sum, c, i) => (cumulative[i] = sum + c), 0);
  const resample = (draw: () => number) => {
    const counts = new Array<number>(cells.length).fill(0);
    for (let i = 0; i < n; i++) {
      const u = draw() * n;
      let lo = 0;
      let hi = cells.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      counts[lo]!++;
    }
    return fromMatrix(Array.from({ length: k }, (_, r) => counts.slice(r * k, (r + 1) * k)), positive);
  };
  const [low, high] = wilson(matrix.reduce((sum, row, i) => sum + row[i]!, 0), n);
  const intervals: MetricInterval[] = [{ metric: 'accuracy', value: point.accuracy ?? null, low, high, method: 'wilson' }];
  for (const metric of Object.keys(point).filter((m) => m !== 'accuracy')) {
    // One bootstrap per metric keeps each metric's draws independent of which others are shown.
    const bounds = n > 0 ? bootstrap((draw) => resample(draw)[metric] ?? null, seed) : null;
    intervals.push({ metric, value: point[metric] ?? null, low: bounds?.[0] ?? null, high: bounds?.[1] ?? null, method: bounds ? 'bootstrap' : 'none' });
  }
  return intervals;
}

/** Intervals for a regression version from its test residual pairs. */
export function regressionIntervals(residuals: Array<{ actual: number; predicted: number }>, seed = 1): MetricInterval[] {
  const stats = (pairs: Array<{ actual: number; predicted: number }>) => {
    const n = pairs.length;
    const mean = pairs.reduce((s, p) => s + p.actual, 0) / n;
    let abs = 0;
    let sq = 0;
    let tot = 0;
    for (const p of pairs) {
      abs += Math.abs(p.actual - p.predicted);
      sq += (p.actual - p.predicted) ** 2;
      tot += (p.actual - mean) ** 2;
    }
    return { mae: abs / n, rmse: Math.sqrt(sq / n), r2: tot === 0 ? null : 1 - sq / tot };
  };
  if (residuals.length === 0) return ['mae', 'rmse', 'r2'].map((metric) => ({ metric, value: null, low: null, high: null, method: 'none' as const }));
  const point = stats(residuals);
  return (['mae', 'rmse', 'r2'] as const).map((metric) => {
    const bounds = bootstrap((draw) => stats(residuals.map(() => residuals[Math.floor(draw() * residuals.length)]!))[metric], seed);
    return { metric, value: point[metric], low: bounds?.[0] ?? null, high: bounds?.[1] ?? null, method: bounds ? ('bootstrap' as const) : ('none' as const) };
  });
}
