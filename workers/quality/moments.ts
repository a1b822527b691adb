/**
 * Running mean, variance and skewness in one pass (Welford, extended to the third moment by
 * Terriberry), mergeable across ranges with Chan et al.'s pairwise formulas.
 */

/** Plain data: count, mean, and the 2nd and 3rd central moment sums. */
export interface Moments {
  n: number;
  mean: number;
  m2: number;
  m3: number;
}

export function emptyMoments(): Moments {
  return { n: 0, mean: 0, m2: 0, m3: 0 };
}

export function addMoment(s: Moments, x: number): void {
  const n1 = s.n;
  const n = n1 + 1;
  const delta = x - s.mean;
  const deltaN = delta / n;
  const term1 = delta * deltaN * n1;
  s.mean += deltaN;
  s.m3 += term1 * deltaN * (n - 2) - 3 * deltaN * s.m2;
  s.m2 += term1;
  s.n = n;
}

/** `w` copies of `x` at once: Chan et al.'s merge with a point mass (the same as `addMoment` when w = 1). */
export function addMomentWeighted(s: Moments, x: number, w: number): void {
  if (w === 1) return addMoment(s, x);
  const n1 = s.n;
  const n = n1 + w;
  const delta = x - s.mean;
  s.mean += (delta * w) / n;
  s.m3 += (delta * delta * delta * n1 * w * (n1 - w)) / (n * n) - (3 * delta * w * s.m2) / n;
  s.m2 += (delta * delta * n1 * w) / n;
  s.n = n;
}

export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  const mean = a.mean + (delta * b.n) / n;
  const m2 = a.m2 + b.m2 + (delta * delta * a.n * b.n) / n;
  const m3 =
    a.m3 + b.m3 + (delta ** 3 * a.n * b.n * (a.n - b.n)) / (n * n) + (3 * delta * (a.n * b.m2 - b.n * a.m2)) / n;
  return { n, mean, m2, m3 };
}

/** Sample standard deviation (n - 1), as pandas' `std()`. */
export function stdOf(s: Moments): number | null {
  return s.n > 1 ? Math.sqrt(s.m2 / (s.n - 1)) : null;
}

/** Adjusted Fisher–Pearson skewness, as pandas' `skew()`. */
export function skewOf(s: Moments): number | null {
  if (s.n < 3 || s.m2 === 0) return null;
  const n = s.n;
  const g1 = (Math.sqrt(n) * s.m3) / s.m2 ** 1.5;
  return (g1 * Math.sqrt(n * (n - 1))) / (n - 2);
}
