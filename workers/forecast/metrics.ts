/**
 * Forecast accuracy, in the value's own units: MAE, RMSE, MAPE, sMAPE and MASE, overall and per
 * horizon step. MASE divides each absolute error by its series' in-sample seasonal-naive error
 * (the mean |y_t − y_{t−m}| over the training stretch, m the seasonal period), so below 1 means
 * "better than the seasonal naive forecast was on the training data" (Hyndman & Koehler, 2006).
 * Percentages are fractions (0.12 = 12 %). MAPE is null when an actual value is 0 (it would divide
 * by zero); sMAPE counts a point where actual and forecast are both 0 as no error.
 */

/** Accuracy of one model over a set of forecast windows. */
export interface ForecastMetrics {
  mae: number;
  rmse: number;
  /** Mean absolute percentage error (fraction); null when some actual value is 0. */
  mape: number | null;
  /** Symmetric MAPE, 2|e| / (|y| + |ŷ|), as a fraction (0…2). */
  smape: number;
  /** Mean absolute scaled error against the seasonal naive forecast's in-sample error. */
  mase: number;
  /** Forecast windows scored (each gives `horizon` points). */
  windows: number;
  /** The same metrics for each horizon step (step 1 = the next value). */
  byStep: Array<{ step: number; mae: number; rmse: number; mape: number | null; smape: number; mase: number }>;
}

interface Sums {
  abs: number;
  sq: number;
  pct: number;
  zero: boolean;
  smape: number;
  scaled: number;
  n: number;
}

const empty = (): Sums => ({ abs: 0, sq: 0, pct: 0, zero: false, smape: 0, scaled: 0, n: 0 });

function finish(s: Sums): { mae: number; rmse: number; mape: number | null; smape: number; mase: number } {
  const n = Math.max(s.n, 1);
  return { mae: s.abs / n, rmse: Math.sqrt(s.sq / n), mape: s.zero || s.n === 0 ? null : s.pct / n, smape: s.smape / n, mase: s.scaled / n };
}

/**
 * `actual` and `predicted` are windows × horizon, in the value's units; `scale[i]` is window i's
 * MASE denominator (its series' in-sample seasonal-naive MAE). Windows with a missing actual are skipped.
 */
export function forecastMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>, scale: ArrayLike<number>, horizon: number, rows?: ArrayLike<number>): ForecastMetrics {
  const total = empty();
  const steps = Array.from({ length: horizon }, empty);
  const windows = rows ?? Array.from({ length: actual.length / horizon }, (_, i) => i);
  for (let r = 0; r < windows.length; r++) {
    const i = windows[r]!;
    for (let h = 0; h < horizon; h++) {
      const y = actual[i * horizon + h]!;
      const f = predicted[i * horizon + h]!;
      if (!Number.isFinite(y)) continue;
      const e = Math.abs(y - f);
      for (const s of [total, steps[h]!]) {
        s.abs += e;
        s.sq += e * e;
        if (y === 0) s.zero = true;
        else s.pct += e / Math.abs(y);
        const denominator = Math.abs(y) + Math.abs(f);
        s.smape += denominator === 0 ? 0 : (2 * e) / denominator;
        s.scaled += e / scale[i]!;
        s.n++;
      }
    }
  }
  return { ...finish(total), windows: windows.length, byStep: steps.map((s, h) => ({ step: h + 1, ...finish(s) })) };
}

/** The MASE denominator of a series: mean |y_t − y_{t−m}| over its first `end` values (1 when that is 0 or undefined). */
export function maseScale(values: ArrayLike<number>, end: number, period: number): number {
  let sum = 0;
  let n = 0;
  for (let t = period; t < Math.min(end, values.length); t++) {
    sum += Math.abs(values[t]! - values[t - period]!);
    n++;
  }
  const scale = n > 0 ? sum / n : 0;
  return scale > 0 ? scale : 1;
}

/** The q-quantile (0…1) of values, by linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const position = q * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/** Whether one model's errors differ from another's beyond chance (Diebold–Mariano, absolute errors). */
export interface ErrorComparison {
  /** 1 − (mean |error| of the first) / (mean |error| of the second): 0.23 = "23 % closer"; negative when the first is worse. */
  closer: number;
  /** The Diebold–Mariano statistic: mean loss difference / its Newey–West standard error. */
  z: number;
  /** |z| ≥ 1.96: the difference is unlikely to be chance (5 % level, two-sided). */
  significant: boolean;
}

/**
 * Compares two models' absolute errors on the same windows. Each window's loss is its mean
 * absolute scaled error over the horizon; overlapping windows make neighbouring losses
 * correlated, so the variance of the mean difference is Newey–West's with `lags` lags.
 */
export function compareErrors(actual: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, scale: ArrayLike<number>, horizon: number, rows: ArrayLike<number>, lags: number): ErrorComparison {
  const n = rows.length;
  const d = new Float64Array(n);
  let sumA = 0;
  let sumB = 0;
  for (let r = 0; r < n; r++) {
    const i = rows[r]!;
    let la = 0;
    let lb = 0;
    for (let h = 0; h < horizon; h++) {
      const y = actual[i * horizon + h]!;
      la += Math.abs(y - a[i * horizon + h]!) / scale[i]!;
      lb += Math.abs(y - b[i * horizon + h]!) / scale[i]!;
    }
    sumA += la;
    sumB += lb;
    d[r] = (la - lb) / horizon;
  }
  const mean = d.reduce((s, v) => s + v, 0) / Math.max(n, 1);
  const gamma = (k: number) => {
    let s = 0;
    for (let i = k; i < n; i++) s += (d[i]! - mean) * (d[i - k]! - mean);
    return s / n;
  };
  let variance = gamma(0);
  const L = Math.min(lags, n - 1);
  for (let k = 1; k <= L; k++) variance += 2 * (1 - k / (L + 1)) * gamma(k);
  const se = Math.sqrt(Math.max(variance, 0) / Math.max(n, 1));
  const z = se > 0 ? mean / se : 0;
  return { closer: sumB > 0 ? 1 - sumA / sumB : 0, z, significant: Math.abs(z) >= 1.96 };
}
