/**
 * The robust z-score rule, the simplest baseline: a row is as unusual as its most unusual input,
 * measured in robust standard deviations from the training median,
 * max over inputs of |x − median| / (1.4826 · MAD). 1.4826 makes the MAD estimate the standard
 * deviation for normally distributed values; medians keep the few anomalies in the training rows
 * from shifting the scale, as a mean and standard deviation would.
 */
import { median, medianAbsoluteDeviation } from 'simple-statistics';

/** Per input: its centre and robust scale (0 = the input is left out: it does not vary). */
export interface RobustScaler {
  median: number[];
  scale: number[];
}

/** √(π/2): turns a mean absolute deviation into a standard deviation for normal values. */
const MEAN_ABS_TO_STD = 1.2533141373155;

/** Fits medians and scales on `n` rows of `x` (n × d). */
export function fitRobust(x: Float32Array, n: number, d: number): RobustScaler {
  const medians: number[] = [];
  const scales: number[] = [];
  const column = new Array<number>(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) column[i] = x[i * d + j]!;
    const m = median(column);
    let scale = 1.4826 * medianAbsoluteDeviation(column);
    // Inputs that are mostly one value (a one-hot level, a count that is usually 0) have MAD 0;
    // their mean absolute deviation still measures how unusual a value is.
    if (scale <= 1e-12) scale = (MEAN_ABS_TO_STD * column.reduce((sum, v) => sum + Math.abs(v - m), 0)) / n;
    medians.push(m);
    scales.push(scale > 1e-12 ? scale : 0);
  }
  return { median: medians, scale: scales };
}

/** max over inputs of |x − median| / scale, per row. */
export function robustScores(scaler: RobustScaler, x: Float32Array, n: number): Float64Array {
  const d = scaler.median.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let worst = 0;
    for (let j = 0; j < d; j++) {
      const s = scaler.scale[j]!;
      if (s === 0) continue;
      const z = Math.abs(x[i * d + j]! - scaler.median[j]!) / s;
      if (z > worst) worst = z;
    }
    out[i] = worst;
  }
  return out;
}
