/**
 * The linear autoregression baseline: least squares from a window's inputs (the same lags and
 * calendar the network sees) to each of the next H values, with an intercept. Solved from the
 * normal equations (XᵀX + λI)·B = XᵀY by a Cholesky factorisation, in double precision. λ is
 * tiny (1e-6 of the mean diagonal): it only keeps the system solvable when inputs are collinear
 * (the one-hot calendar columns always sum to 1, like the intercept); the intercept is not penalised.
 * No Node library does multi-output least squares (simple-statistics fits one input).
 */
import { UserInputError } from '../protocol.js';

/** Coefficients: (d + 1) × k row-major, the last row being the intercepts. */
export interface LinearModel {
  d: number;
  k: number;
  coefficients: Float64Array;
}

/** Fits Y (n × k) on X (n × d). */
export function fitLinear(x: Float32Array, y: Float32Array, n: number, d: number, k: number, ridge = 1e-6): LinearModel {
  const m = d + 1;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m * k);
  const row = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j]!;
    row[d] = 1;
    // Upper triangle of XᵀX only; mirrored below.
    for (let p = 0; p < m; p++) {
      const v = row[p]!;
      if (v === 0) continue;
      const base = p * m;
      for (let q = p; q < m; q++) a[base + q]! += v * row[q]!;
      const yb = p * k;
      for (let h = 0; h < k; h++) b[yb + h]! += v * y[i * k + h]!;
    }
  }
  let trace = 0;
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < p; q++) a[p * m + q] = a[q * m + p]!;
    trace += a[p * m + p]!;
  }
  const lambda = ridge * (trace / m || 1);
  for (let p = 0; p < d; p++) a[p * m + p]! += lambda;
  cholesky(a, m);
  const coefficients = new Float64Array(m * k);
  const col = new Float64Array(m);
  for (let h = 0; h < k; h++) {
    for (let p = 0; p < m; p++) col[p] = b[p * k + h]!;
    solveCholesky(a, m, col);
    for (let p = 0; p < m; p++) coefficients[p * k + h] = col[p]!;
  }
  return { d, k, coefficients };
}

/** Predictions for n rows: n × k. */
export function predictLinear(model: LinearModel, x: Float32Array, n: number): Float64Array {
  const { d, k, coefficients } = model;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < k; h++) out[i * k + h] = coefficients[d * k + h]!;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j]!;
      if (v === 0) continue;
      const base = j * k;
      for (let h = 0; h < k; h++) out[i * k + h]! += v * coefficients[base + h]!;
    }
  }
  return out;
}

/** In-place Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite m × m matrix (L in the lower triangle). */
export function cholesky(a: Float64Array, m: number): void {
  for (let j = 0; j < m; j++) {
    let diag = a[j * m + j]!;
    for (let p = 0; p < j; p++) diag -= a[j * m + p]! ** 2;
    if (!(diag > 0)) throw new UserInputError('The linear baseline could not be fitted: the windows are degenerate (a constant or duplicated series?). Check the value column.');
    const l = Math.sqrt(diag);
    a[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j]!;
      for (let p = 0; p < j; p++) s -= a[i * m + p]! * a[j * m + p]!;
      a[i * m + j] = s / l;
    }
  }
}

/** Solves L·Lᵀ·x = b in place (b becomes x), with L from `cholesky`. */
export function solveCholesky(l: Float64Array, m: number, b: Float64Array): void {
  for (let i = 0; i < m; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[i * m + p]! * b[p]!;
    b[i] = s / l[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let p = i + 1; p < m; p++) s -= l[p * m + i]! * b[p]!;
    b[i] = s / l[i * m + i]!;
  }
}
