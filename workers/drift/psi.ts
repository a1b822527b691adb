import { upperBound } from './distribution.js';

/** Number of reference-quantile bins for PSI. */
export const PSI_BINS = 10;
/**
 * Share substituted for an empty bin before taking logs (Evidently's `feel_zeroes` value), so a
 * bin empty on one side contributes a large but finite term instead of infinity.
 */
export const PSI_EPSILON = 0.0001;
/** Conventional bands: below 0.1 no significant change, 0.1–0.25 moderate, above 0.25 significant. */
export const PSI_BANDS = { moderate: 0.1, significant: 0.25 } as const;

export type PsiBand = 'stable' | 'moderate' | 'significant';

/** Population Stability Index Σ (c − r)·ln(c / r) over bins of shares (each side sums to 1). */
export function psi(referenceShares: ArrayLike<number>, currentShares: ArrayLike<number>, epsilon = PSI_EPSILON): number {
  let total = 0;
  for (let k = 0; k < referenceShares.length; k++) {
    const r = Math.max(referenceShares[k] as number, epsilon);
    const c = Math.max(currentShares[k] as number, epsilon);
    total += (c - r) * Math.log(c / r);
  }
  return total;
}

export function psiBand(value: number): PsiBand {
  if (value >= PSI_BANDS.significant) return 'significant';
  if (value >= PSI_BANDS.moderate) return 'moderate';
  return 'stable';
}

/** Quantile of sorted values with linear interpolation (numpy's default, `method='linear'`). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}

/**
 * Inner edges of `bins` reference-quantile bins (the 10%, 20%, … 90% quantiles), duplicates
 * removed: a column with heavy ties (a 0/1 flag) ends up with fewer, wider bins.
 */
export function quantileEdges(sorted: ArrayLike<number>, bins = PSI_BINS): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const q = quantileSorted(sorted, k / bins);
    if (edges.length === 0 || q > (edges[edges.length - 1] as number)) edges.push(q);
  }
  return edges;
}

/**
 * Shares of sorted values in the bins (−∞, e₀], (e₀, e₁], …, (e_last, ∞): `edges.length + 1` bins.
 */
export function binShares(sorted: ArrayLike<number>, edges: readonly number[]): number[] {
  const n = sorted.length;
  const shares: number[] = [];
  let below = 0;
  for (const edge of edges) {
    const upTo = upperBound(sorted, edge);
    shares.push(n === 0 ? 0 : (upTo - below) / n);
    below = upTo;
  }
  shares.push(n === 0 ? 0 : (n - below) / n);
  return shares;
}
