/**
 * Is one model really better than another on the same test rows? Accuracy is compared with
 * McNemar's exact test (only the rows the two models disagree on carry information); every other
 * metric with a seeded paired bootstrap (the same resampled rows scored for both models). A
 * difference counts as "better" or "worse" only when it is significant at 5 %; otherwise the two
 * are "about the same", whatever the point estimates say.
 */
import { binomialDistribution } from 'simple-statistics';
import { METRICS, quantile, type Scored } from '../evaluate/intervals.js';
import { Rng } from './random.js';

/** Metrics where a smaller value is better. */
const LOWER_IS_BETTER = new Set(['mae', 'rmse']);
/** Two-sided significance level for "better"/"worse". */
export const ALPHA = 0.05;

/** One metric of model A against model B on the same rows. */
export interface Comparison {
  metric: string;
  /** Model A's value (the network, or the candidate). */
  a: number;
  /** Model B's value (the reference it is compared with). */
  b: number;
  /** a − b. */
  difference: number;
  /** 95 % interval of the difference (bootstrap percentiles; for accuracy, from the same bootstrap, for display only). */
  low: number | null;
  high: number | null;
  /** Two-sided p-value of "no difference". */
  pValue: number;
  method: 'mcnemar' | 'bootstrap';
  /** McNemar only: rows only A got right, and rows only B got right. */
  discordant?: { aOnly: number; bOnly: number };
  /** What a reader should take away, judged at 5 %. */
  verdict: 'better' | 'worse' | 'about the same';
}

/**
 * McNemar's exact test: with `aOnly` and `bOnly` the rows where exactly one model is right, the
 * two-sided p-value of a fair coin giving a split at least this uneven (scipy.stats.binomtest with
 * p = 0.5, statsmodels' mcnemar(exact=True)).
 */
export function mcnemarExact(aOnly: number, bOnly: number): number {
  const n = aOnly + bOnly;
  if (n === 0) return 1;
  const k = Math.min(aOnly, bOnly);
  const cells = binomialDistribution(n, 0.5);
  if (!cells) throw new Error(`binomial table unavailable for ${n} trials`);
  let tail = 0;
  // The table runs from 0 upwards until the mass reaches 1 − 1e-4, so the lower tail (k ≤ n/2) is always in it.
  for (let i = 0; i <= k && i < cells.length; i++) tail += cells[i]!;
  return Math.min(1, 2 * tail);
}

/** Compares A with B on every metric of the task; `resamples` paired bootstrap draws, seeded. */
export function compareModels(a: Scored, b: Scored, options: { resamples: number; seed: number }): Comparison[] {
  const n = a.actual.length;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const metrics = Object.entries(METRICS[a.task]);
  const diffs: number[][] = metrics.map(() => []);
  const rng = new Rng(options.seed >>> 0 || 1);
  const sample = new Int32Array(n);
  for (let r = 0; r < options.resamples; r++) {
    for (let t = 0; t < n; t++) sample[t] = rng.int(n);
    metrics.forEach(([, fn], m) => {
      const d = fn(a, sample) - fn(b, sample);
      if (Number.isFinite(d)) diffs[m]!.push(d);
    });
  }
  return metrics.map(([metric, fn], m): Comparison => {
    const va = fn(a, all);
    const vb = fn(b, all);
    const sorted = diffs[m]!.sort((x, y) => x - y);
    const [low, high] = sorted.length >= 10 ? [quantile(sorted, ALPHA / 2), quantile(sorted, 1 - ALPHA / 2)] : [null, null];
    const difference = va - vb;
    if (metric === 'accuracy' && a.task !== 'regression') {
      let aOnly = 0;
      let bOnly = 0;
      for (let i = 0; i < n; i++) {
        const ra = a.predicted[i] === a.actual[i];
        const rb = b.predicted[i] === b.actual[i];
        if (ra && !rb) aOnly++;
        else if (rb && !ra) bOnly++;
      }
      const pValue = mcnemarExact(aOnly, bOnly);
      return { metric, a: va, b: vb, difference, low, high, pValue, method: 'mcnemar', discordant: { aOnly, bOnly }, verdict: judge(difference, pValue, false) };
    }
    // Bootstrap p-value: twice the share of draws on the far side of 0 (at least one draw's worth).
    const below = sorted.filter((d) => d <= 0).length;
    const above = sorted.filter((d) => d >= 0).length;
    const pValue = sorted.length ? Math.min(1, (2 * Math.max(1, Math.min(below, above))) / sorted.length) : 1;
    return { metric, a: va, b: vb, difference, low, high, pValue, method: 'bootstrap', verdict: judge(difference, pValue, LOWER_IS_BETTER.has(metric)) };
  });
}

function judge(difference: number, pValue: number, lowerIsBetter: boolean): Comparison['verdict'] {
  if (pValue >= ALPHA || difference === 0) return 'about the same';
  return difference > 0 !== lowerIsBetter ? 'better' : 'worse';
}

/** Scored rows from class probabilities (binary decided at `threshold`) or predicted values, for `compareModels`. */
export function scoredFrom(
  task: Scored['task'],
  actual: ArrayLike<number>,
  outputs: { kind: 'classes'; probs: Float32Array } | { kind: 'values'; values: Float64Array },
  classes: number,
  threshold = 0.5,
): Scored {
  const n = actual.length;
  if (outputs.kind === 'values') return { task, actual: Float64Array.from(actual), predicted: Float64Array.from(outputs.values), score: null, classes: 0 };
  const k = outputs.probs.length / Math.max(n, 1);
  const predicted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (task === 'binary') predicted[i] = outputs.probs[2 * i + 1]! >= threshold ? 1 : 0;
    else {
      let best = 0;
      for (let j = 1; j < k; j++) if (outputs.probs[i * k + j]! > outputs.probs[i * k + best]!) best = j;
      predicted[i] = best;
    }
  }
  const score = task === 'binary' ? Float64Array.from({ length: n }, (_, i) => outputs.probs[2 * i + 1]!) : null;
  return { task, actual: Float64Array.from(actual), predicted, score, classes };
}
