import { weightAt, type Distribution } from './distribution.js';

/**
 * First Wasserstein distance W1 = ∫ |F_a(x) − F_b(x)| dx between two weighted distributions
 * (scipy's `wasserstein_distance` for 1-D samples), by one merge over the sorted supports.
 */
export function wasserstein1(a: Distribution, b: Distribution): number {
  if (a.total === 0 || b.total === 0) return 0;
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  let prev = NaN;
  let area = 0;
  const na = a.values.length;
  const nb = b.values.length;
  while (i < na || j < nb) {
    const va = i < na ? (a.values[i] as number) : Infinity;
    const vb = j < nb ? (b.values[j] as number) : Infinity;
    const x = va <= vb ? va : vb;
    if (!Number.isNaN(prev)) area += Math.abs(ca / a.total - cb / b.total) * (x - prev);
    while (i < na && a.values[i] === x) ca += weightAt(a, i++);
    while (j < nb && b.values[j] === x) cb += weightAt(b, j++);
    prev = x;
  }
  return area;
}

/** Evidently's floor on the reference standard deviation, so a constant reference does not divide by zero. */
export const WASSERSTEIN_MIN_NORM = 0.001;

/** Normed Wasserstein distance as Evidently computes it: W1 / max(std_ref, 0.001), std with ddof 0. */
export function normedWasserstein(reference: Distribution, current: Distribution, referenceStd: number): number {
  return wasserstein1(reference, current) / Math.max(referenceStd, WASSERSTEIN_MIN_NORM);
}

/**
 * Jensen–Shannon distance (natural log, scipy's `jensenshannon` default, which Evidently uses):
 * sqrt((KL(p‖m) + KL(q‖m)) / 2) with m = (p + q)/2. Inputs are counts or shares over the same
 * categories; each is normalised to sum 1. Ranges over [0, sqrt(ln 2)] ≈ [0, 0.8326].
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < p.length; k++) {
    sp += p[k] as number;
    sq += q[k] as number;
  }
  if (sp === 0 || sq === 0) return 0;
  let js = 0;
  for (let k = 0; k < p.length; k++) {
    const pk = (p[k] as number) / sp;
    const qk = (q[k] as number) / sq;
    const mk = (pk + qk) / 2;
    if (pk > 0) js += pk * Math.log(pk / mk);
    if (qk > 0) js += qk * Math.log(qk / mk);
  }
  return Math.sqrt(Math.max(0, js / 2));
}
