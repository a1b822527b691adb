/**
 * How good a ranking of rows by unusualness is. With labels: ROC AUC, PR AUC (average precision),
 * precision at k, and precision/recall at the chosen threshold, plus a paired bootstrap that says
 * whether the network's PR AUC differs from a baseline's by more than chance. Without labels:
 * the score distribution and the stability of the ranking across seeds.
 */
import { sampleRankCorrelation } from 'simple-statistics';
import { Rng } from '../trainer/random.js';
import { averagePrecision, rocAuc } from '../trainer/metrics.js';

/** A detector's figures on the labelled test rows. */
export type LabelledMetrics = {
  rocAuc: number;
  /** Average precision (area under the precision/recall curve); a random ranking scores the anomaly rate. */
  prAuc: number;
  /** Of the k highest-scoring rows (k = the number of anomalies), the share that are anomalies. */
  precisionAtK: number;
  k: number;
  /** At the chosen threshold (score ≥ threshold is flagged). */
  precision: number;
  recall: number;
  f1: number;
  alertRate: number;
  threshold: number;
  rows: number;
  anomalies: number;
};

/** Test figures without labels. */
export type UnlabelledMetrics = {
  /** Share of test rows the threshold flags. */
  alertRate: number;
  threshold: number;
  rows: number;
  /** Score quantiles of the test rows. */
  quantiles: { p50: number; p90: number; p99: number; max: number };
};

export function labelledMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): LabelledMetrics {
  const n = scores.length;
  const anomalies = Array.from(labels).reduce((a, b) => a + b, 0);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let hits = 0;
  for (let i = 0; i < anomalies; i++) hits += labels[order[i]!]!;
  let tp = 0;
  let flagged = 0;
  for (let i = 0; i < n; i++) {
    if (scores[i]! >= threshold) {
      flagged++;
      tp += labels[i]!;
    }
  }
  const precision = flagged ? tp / flagged : 0;
  const recall = anomalies ? tp / anomalies : 0;
  return {
    rocAuc: rocAuc(scores, labels),
    prAuc: averagePrecision(scores, labels),
    precisionAtK: anomalies ? hits / anomalies : 0,
    k: anomalies,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    alertRate: n ? flagged / n : 0,
    threshold,
    rows: n,
    anomalies,
  };
}

export function unlabelledMetrics(scores: ArrayLike<number>, threshold: number): UnlabelledMetrics {
  const sorted = Float64Array.from(scores).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const flagged = sorted.filter((s) => s >= threshold).length;
  return {
    alertRate: sorted.length ? flagged / sorted.length : 0,
    threshold,
    rows: sorted.length,
    quantiles: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? 0 },
  };
}

/** Whether one detector's PR AUC differs from another's on the same rows, by more than resampling noise. */
export interface Comparison {
  against: string;
  /** Network minus baseline, on the test rows. */
  difference: number;
  /** 95 % interval of the difference over bootstrap resamples of the test rows (anomalies and normal rows resampled separately). */
  interval: [number, number];
  verdict: 'network better' | 'baseline better' | 'about the same';
}

export function comparePrAuc(network: ArrayLike<number>, baseline: ArrayLike<number>, labels: ArrayLike<number>, against: string, seed: number, resamples = 300): Comparison {
  const n = labels.length;
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < n; i++) (labels[i] ? positives : negatives).push(i);
  const rng = new Rng(seed);
  const differences: number[] = [];
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let r = 0; r < resamples; r++) {
    let at = 0;
    for (const group of [positives, negatives]) {
      for (let i = 0; i < group.length; i++) {
        const row = group[rng.int(group.length)]!;
        a[at] = network[row]!;
        b[at] = baseline[row]!;
        y[at++] = labels[row]!;
      }
    }
    differences.push(averagePrecision(a, y) - averagePrecision(b, y));
  }
  differences.sort((p, q) => p - q);
  const interval: [number, number] = [differences[Math.floor(0.025 * resamples)]!, differences[Math.ceil(0.975 * resamples) - 1]!];
  const difference = averagePrecision(network, labels) - averagePrecision(baseline, labels);
  const verdict = interval[0] > 0 ? 'network better' : interval[1] < 0 ? 'baseline better' : 'about the same';
  return { against, difference, interval, verdict };
}

/** Agreement of two rankings of the same rows (two seeds of one detector). */
export interface Stability {
  /** Spearman rank correlation of all scores. */
  spearman: number;
  /** Share of the top-k rows of one ranking that are also in the other's top k. */
  topKOverlap: number;
  k: number;
}

export function stability(a: ArrayLike<number>, b: ArrayLike<number>, k: number): Stability {
  const n = a.length;
  const kk = Math.max(1, Math.min(k, n));
  const top = (s: ArrayLike<number>) => new Set(Array.from({ length: n }, (_, i) => i).sort((p, q) => s[q]! - s[p]!).slice(0, kk));
  const ta = top(a);
  const tb = top(b);
  let shared = 0;
  for (const i of ta) if (tb.has(i)) shared++;
  return { spearman: n > 2 ? sampleRankCorrelation(Array.from(a), Array.from(b)) : Number.NaN, topKOverlap: shared / kk, k: kk };
}

/** One bar of the score histogram, split by label when there are labels. */
export interface HistogramBin {
  from: number;
  to: number;
  /** Rows believed normal (all rows without labels). */
  normal: number;
  /** Labelled anomalies. */
  anomaly: number;
}

/**
 * `bins` equal-width bars from the lowest score to the 99th percentile, and one last bar for the
 * rest: reconstruction errors have a long tail, which would squash every ordinary row into one bar.
 */
export function histogram(scores: ArrayLike<number>, labels?: ArrayLike<number>, bins = 30): HistogramBin[] {
  const sorted = Float64Array.from(scores).sort();
  if (sorted.length === 0) return [];
  const lo = sorted[0]!;
  const max = sorted.at(-1)!;
  const hi = Math.max(sorted[Math.floor(0.99 * (sorted.length - 1))]!, lo + 1e-12);
  const width = (hi - lo) / bins;
  const out: HistogramBin[] = Array.from({ length: bins }, (_, b) => ({ from: lo + b * width, to: lo + (b + 1) * width, normal: 0, anomaly: 0 }));
  if (max > hi) out.push({ from: hi, to: max, normal: 0, anomaly: 0 });
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    const b = s >= hi && max > hi ? bins : Math.min(bins - 1, Math.floor((s - lo) / width));
    if (labels?.[i]) out[b]!.anomaly++;
    else out[b]!.normal++;
  }
  return out;
}
