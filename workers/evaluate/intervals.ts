/**
 * How far a version's metric on new data is from its recorded test metric, with an interval.
 * The recorded value is taken as fixed (the test rows are not kept), so the interval is the
 * uncertainty of the new measurement: a normal approximation for accuracy (a proportion:
 * p ± z·√(p(1−p)/n)), a seeded percentile bootstrap over rows for every other metric.
 */
import { rocAuc } from '../trainer/metrics.js';
import { Rng } from '../trainer/random.js';
import { Resampler, recallsOf, type Recalls } from './resample.js';

/** One metric, then and now. */
export interface MetricDifference {
  metric: string;
  /** The version's recorded test value; null when the version did not record it. */
  recorded: number | null;
  current: number;
  /** current − recorded. */
  difference: number | null;
  /** Interval of the difference (or of the current value when nothing was recorded). */
  low: number | null;
  high: number | null;
  method: 'normal' | 'bootstrap';
  /** True when the interval excludes 0: the change is more than sampling noise. */
  significant: boolean | null;
}

/** Scored rows, in the shapes the metric functions below need. */
export interface Scored {
  task: 'binary' | 'multiclass' | 'regression';
  /** Class index (classification) or value (regression), per row. */
  actual: Float64Array;
  /** Decided class index or predicted value, per row. */
  predicted: Float64Array;
  /** Binary: P(positive) per row. */
  score: Float64Array | null;
  classes: number;
}

type MetricFn = (s: Scored, rows: ArrayLike<number>) => number;

function recalls(s: Scored, rows: ArrayLike<number>): Recalls {
  const k = s.classes;
  const confusion = new Float64Array(k * k);
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t]!;
    confusion[s.actual[i]! * k + s.predicted[i]!]!++;
  }
  return recallsOf(confusion, k);
}

const f1 = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);
const meanOverPresent = (values: number[], support: number[]) => {
  const present = values.filter((_, c) => support[c]! > 0);
  return present.reduce((a, b) => a + b, 0) / Math.max(present.length, 1);
};

/** The classification metrics that follow from per-class rates alone (computed once per resample). */
const FROM_RECALLS: Record<'binary' | 'multiclass', Record<string, (r: Recalls) => number>> = {
  binary: {
    balancedAccuracy: (r) => meanOverPresent(r.recall, r.support),
    f1: (r) => f1(r.precision[1]!, r.recall[1]!),
  },
  multiclass: {
    balancedAccuracy: (r) => meanOverPresent(r.recall, r.support),
    f1: (r) => meanOverPresent(r.precision.map((p, c) => f1(p, r.recall[c]!)), r.support),
  },
};

/** The metrics compared, per task, headline first (the same definitions as the trainer's metrics.ts). */
export const METRICS: Record<Scored['task'], Record<string, MetricFn>> = {
  binary: {
    accuracy: accuracyOf,
    balancedAccuracy: (s, rows) => FROM_RECALLS.binary.balancedAccuracy!(recalls(s, rows)),
    f1: (s, rows) => FROM_RECALLS.binary.f1!(recalls(s, rows)),
    rocAuc: (s, rows) => rocAuc(Float64Array.from(rows, (i) => s.score![i]!), Float64Array.from(rows, (i) => s.actual[i]!)),
  },
  multiclass: {
    accuracy: accuracyOf,
    balancedAccuracy: (s, rows) => FROM_RECALLS.multiclass.balancedAccuracy!(recalls(s, rows)),
    f1: (s, rows) => FROM_RECALLS.multiclass.f1!(recalls(s, rows)),
  },
  regression: {
    r2: (s, rows) => {
      let mean = 0;
      for (let t = 0; t < rows.length; t++) mean += s.actual[rows[t]!]!;
      mean /= rows.length;
      let sse = 0;
      let sst = 0;
      for (let t = 0; t < rows.length; t++) {
        const i = rows[t]!;
        sse += (s.predicted[i]! - s.actual[i]!) ** 2;
        sst += (s.actual[i]! - mean) ** 2;
      }
      return sst > 0 ? 1 - sse / sst : 0;
    },
    mae: (s, rows) => sum(rows, (i) => Math.abs(s.predicted[i]! - s.actual[i]!)) / rows.length,
    rmse: (s, rows) => Math.sqrt(sum(rows, (i) => (s.predicted[i]! - s.actual[i]!) ** 2) / rows.length),
  },
};

function accuracyOf(s: Scored, rows: ArrayLike<number>): number {
  return sum(rows, (i) => (s.actual[i] === s.predicted[i] ? 1 : 0)) / rows.length;
}

function sum(rows: ArrayLike<number>, f: (i: number) => number): number {
  let total = 0;
  for (let t = 0; t < rows.length; t++) total += f(rows[t]!);
  return total;
}

/** The z of a two-sided interval at `confidence` (1.96 at 0.95). */
export function zFor(confidence: number): number {
  return inverseNormal((1 + confidence) / 2);
}

/**
 * The standard normal quantile, Acklam's rational approximation (relative error < 1.2e-9);
 * simple-statistics' probit is a coarser table-free approximation (z = 1.957 at 0.975).
 */
export function inverseNormal(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Differences for every metric of the task; `recorded` is the version's test metrics JSON. */
export function differences(
  s: Scored,
  recorded: Record<string, unknown>,
  options: { confidence: number; resamples: number; seed: number; signal?: AbortSignal },
): MetricDifference[] {
  const n = s.actual.length;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const metrics = Object.entries(METRICS[s.task]);
  const current = metrics.map(([, fn]) => fn(s, all));
  // One set of resamples shared by all metrics, so their intervals describe the same draws.
  const draws: number[][] = metrics.map(() => []);
  const rng = new Rng(options.seed >>> 0 || 1);
  const sample = new Int32Array(n);
  // Sorting every resample for ROC AUC and two passes of random reads for the recalls were most of
  // a large evaluation's time; the resampler does one pass per resample (resample.ts), same values.
  const fromRecalls = s.task === 'regression' ? null : FROM_RECALLS[s.task];
  const resampler = fromRecalls && options.resamples > 0 ? new Resampler(s) : null;
  for (let b = 0; b < options.resamples; b++) {
    if (options.signal?.aborted) break;
    for (let t = 0; t < n; t++) sample[t] = rng.int(n);
    resampler?.draw(sample);
    const rates = resampler?.recalls();
    metrics.forEach(([name, fn], m) => {
      if (name !== 'accuracy') {
        const viaRates = fromRecalls?.[name];
        const value = resampler && rates && viaRates ? viaRates(rates) : resampler && name === 'rocAuc' ? resampler.rocAuc() : fn(s, sample);
        if (Number.isFinite(value)) draws[m]!.push(value);
      }
    });
  }
  const alpha = (1 - options.confidence) / 2;
  return metrics.map(([name], m): MetricDifference => {
    const value = current[m]!;
    const raw = recorded[name];
    const before = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    let low: number | null = null;
    let high: number | null = null;
    let method: MetricDifference['method'] = 'bootstrap';
    if (name === 'accuracy') {
      method = 'normal';
      const half = zFor(options.confidence) * Math.sqrt((value * (1 - value)) / n);
      [low, high] = [value - half, value + half];
    } else {
      const sorted = draws[m]!.sort((a, b) => a - b);
      if (sorted.length >= 10) [low, high] = [quantile(sorted, alpha), quantile(sorted, 1 - alpha)];
    }
    const shift = before ?? 0;
    const difference = before === null ? null : value - before;
    const lo = low === null ? null : low - shift;
    const hi = high === null ? null : high - shift;
    return {
      metric: name,
      recorded: before,
      current: value,
      difference,
      low: lo,
      high: hi,
      method,
      significant: before === null || lo === null || hi === null ? null : lo > 0 || hi < 0,
    };
  });
}

/** Linear-interpolated quantile of sorted values (type 7, as numpy's default). */
export function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}

