import { weightAt, type Distribution } from './distribution.js';
import { kolmogorovSf } from './special.js';

/** How a KS p-value was obtained. */
export type KsMethod = 'exact' | 'asymptotic';

export interface KsResult {
  /** D = sup |F_ref(x) − F_cur(x)|. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  method: KsMethod;
}

/** Largest sample size for the exact p-value, as scipy's `ks_2samp(method='auto')`. */
export const KS_EXACT_MAX_N = 10_000;
/** Cap on n·m lattice cells for the exact p-value, to bound its cost (≈ 50 ms). */
export const KS_EXACT_MAX_CELLS = 20_000_000;

/** Two-sample KS statistic between two weighted distributions (ties handled by stepping past equal values). */
export function ksStatistic(a: Distribution, b: Distribution): number {
  if (a.total === 0 || b.total === 0) return 0;
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  let d = 0;
  const na = a.values.length;
  const nb = b.values.length;
  while (i < na || j < nb) {
    const va = i < na ? (a.values[i] as number) : Infinity;
    const vb = j < nb ? (b.values[j] as number) : Infinity;
    const x = va <= vb ? va : vb;
    while (i < na && a.values[i] === x) ca += weightAt(a, i++);
    while (j < nb && b.values[j] === x) cb += weightAt(b, j++);
    const diff = Math.abs(ca / a.total - cb / b.total);
    if (diff > d) d = diff;
  }
  return d;
}

/**
 * Exact two-sided p-value P(D ≥ d) for sample sizes n and m under H0 (continuous data), by
 * dynamic programming over the lattice paths of the merged sample: the probability mass that
 * first leaves the band |i/n − j/m| < d. Summing exit mass (instead of 1 − inside mass) keeps
 * small p-values accurate. Integer arithmetic on i·m − j·n avoids float ties at the boundary.
 */
export function ksExactPValue(n: number, m: number, d: number): number {
  const h = Math.round(d * n * m);
  if (h <= 0) return 1;
  const total = n + m;
  const row = new Float64Array(m + 1);
  let out = 0;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      let p: number;
      if (i === 0 && j === 0) p = 1;
      else {
        p = 0;
        if (i > 0) p += (row[j] as number) * ((n - i + 1) / (total - i + 1 - j));
        if (j > 0) p += (row[j - 1] as number) * ((m - j + 1) / (total - i - j + 1));
      }
      if (Math.abs(i * m - j * n) >= h) {
        out += p;
        p = 0;
      }
      row[j] = p;
    }
  }
  return Math.min(1, out);
}

/** Two-sided asymptotic p-value: the Kolmogorov limit at sqrt(n·m/(n+m))·d (scipy's `kstwobign`). */
export function ksAsymptoticPValue(n: number, m: number, d: number): number {
  const en = (n * m) / (n + m);
  return kolmogorovSf(Math.sqrt(en) * d);
}

/**
 * Two-sample Kolmogorov–Smirnov test. Exact p-value when both samples have at most
 * `KS_EXACT_MAX_N` observations and n·m ≤ `KS_EXACT_MAX_CELLS` (scipy's 'auto' rule, with a cost
 * cap); otherwise the asymptotic Kolmogorov distribution.
 */
export function ksTwoSample(reference: Distribution, current: Distribution): KsResult {
  const n = reference.total;
  const m = current.total;
  const statistic = ksStatistic(reference, current);
  if (n === 0 || m === 0) return { statistic, pValue: 1, method: 'exact' };
  const exact = Math.max(n, m) <= KS_EXACT_MAX_N && n * m <= KS_EXACT_MAX_CELLS;
  return exact
    ? { statistic, pValue: ksExactPValue(n, m, statistic), method: 'exact' }
    : { statistic, pValue: ksAsymptoticPValue(n, m, statistic), method: 'asymptotic' };
}
