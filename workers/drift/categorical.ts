import { chiSquaredSf, normalSf } from './special.js';

export interface ChiSquaredResult {
  statistic: number;
  /** Degrees of freedom: categories seen in either sample minus one. */
  df: number;
  pValue: number;
}

/**
 * Chi-squared test of homogeneity on the 2×k table (reference counts, current counts): are both
 * samples drawn from the same categorical distribution? Categories absent from both are dropped.
 * Evidently instead runs a goodness-of-fit test of the current counts against the scaled
 * reference, which treats the reference as exact and cannot handle a category new in the current
 * data (expected count 0); the homogeneity test has neither problem and agrees with it when the
 * reference is much larger than the current sample.
 */
export function chiSquaredHomogeneity(reference: ArrayLike<number>, current: ArrayLike<number>): ChiSquaredResult {
  let nr = 0;
  let nc = 0;
  let k = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as number;
    const c = current[i] as number;
    nr += r;
    nc += c;
    if (r + c > 0) k++;
  }
  const n = nr + nc;
  if (nr === 0 || nc === 0 || k < 2) return { statistic: 0, df: Math.max(0, k - 1), pValue: 1 };
  let statistic = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as number;
    const c = current[i] as number;
    const col = r + c;
    if (col === 0) continue;
    const er = (nr * col) / n;
    const ec = (nc * col) / n;
    statistic += ((r - er) * (r - er)) / er + ((c - ec) * (c - ec)) / ec;
  }
  const df = k - 1;
  return { statistic, df, pValue: chiSquaredSf(statistic, df) };
}

export interface ZTestResult {
  /** z = (p_ref − p_cur) / sqrt(P(1−P)(1/n_ref + 1/n_cur)), P the pooled proportion. */
  statistic: number;
  /** Two-sided p-value 2·(1 − Φ(|z|)). */
  pValue: number;
}

/**
 * Two-proportion Z test (Evidently's `z` test for binary columns): the share of one category
 * (`hitsRef` of `nRef`, `hitsCur` of `nCur`). Identical constant samples give p = 1.
 */
export function twoProportionZ(hitsRef: number, nRef: number, hitsCur: number, nCur: number): ZTestResult {
  if (nRef === 0 || nCur === 0) return { statistic: 0, pValue: 1 };
  const p1 = hitsRef / nRef;
  const p2 = hitsCur / nCur;
  const pooled = (hitsRef + hitsCur) / (nRef + nCur);
  const variance = pooled * (1 - pooled) * (1 / nRef + 1 / nCur);
  if (variance <= 0) return { statistic: 0, pValue: 1 };
  const z = (p1 - p2) / Math.sqrt(variance);
  return { statistic: z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}
