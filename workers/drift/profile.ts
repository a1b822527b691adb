/**
 * Reference profiles: what a drift check keeps of the reference data, computed once per model
 * version and cached (JSON) by the caller, so a later check reads only the new batch.
 *
 * A numeric column keeps its exact distribution when it has at most `maxPoints` distinct values
 * (every column of a reference of ≤ `maxPoints` rows, and count-like columns of any size);
 * otherwise `maxPoints` equal-mass quantile points, which bound the error of W1 and of the KS
 * statistic by about 1/maxPoints of the range and of the CDF. PSI bins and the chart histogram
 * are computed from the full data when the profile is built, so they are exact in both cases.
 */
import type { ColumnCollector } from './collector.js';
import { countDistinct, meanStd, runLengths, upperBound } from './distribution.js';
import { binShares, quantileEdges } from './psi.js';

export const PROFILE_VERSION = 1;
/** Default most support points kept per numeric column. */
export const DEFAULT_MAX_POINTS = 2_000;
/** Equal-width bins of the chart histogram. */
export const HISTOGRAM_BINS = 20;

/** A numeric column of the reference. */
export interface NumericColumnProfile {
  name: string;
  kind: 'numeric';
  /** Non-missing values. */
  count: number;
  /** Missing cells (empty, NA, NaN, null, ?…). */
  missing: number;
  mean: number;
  /** Population standard deviation (ddof 0): the Wasserstein norm. */
  std: number;
  min: number;
  max: number;
  /** Distinct values, exact up to `maxPoints`; `maxPoints + 1` means "more". */
  distinct: number;
  /** `points`/`weights` are the exact distribution (distinct values and their counts). */
  exact: boolean;
  /** Support points, ascending: distinct values, or equal-mass quantile points when not exact. */
  points: number[];
  /** Weight (count) of each point; the weights sum to `count`. */
  weights: number[];
  /** Inner edges of the 10 reference-quantile PSI bins (ties merged), ascending. */
  psiEdges: number[];
  /** Reference share of each PSI bin: `psiEdges.length + 1` values. */
  psiShares: number[];
  /** Equal-width chart bins from min to max: `edges` has `shares.length + 1` values. */
  histogram: { edges: number[]; shares: number[] };
}

/** A text (categorical) column of the reference. */
export interface CategoricalColumnProfile {
  name: string;
  kind: 'categorical';
  count: number;
  missing: number;
  /** Categories, most frequent first (at most `MAX_CATEGORIES`). */
  categories: string[];
  /** Count of each category. */
  counts: number[];
  /** Values of categories beyond the cap, pooled. */
  otherCount: number;
}

export type ColumnProfile = NumericColumnProfile | CategoricalColumnProfile;

/** Which file was read. */
export interface FileIdentity {
  /** File name without its directory. */
  file: string;
  bytes: number;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
}

/** Everything a drift check needs from the reference data. JSON-serialisable. */
export interface ReferenceProfile {
  version: typeof PROFILE_VERSION;
  /** Data rows of the reference file. */
  rows: number;
  /** The reference file's name (no directory), size and SHA-256: which data the profile describes. */
  source: FileIdentity;
  columns: ColumnProfile[];
  /** How the reference file was read (from the CSV sniffer and the scan). */
  warnings: string[];
  /** The model version's predictions on the reference rows (column `prediction`), when a model was given. */
  predictions?: ColumnProfile;
}

/** Profile of a numeric column from its sorted values. */
export function numericProfile(name: string, sorted: Float64Array, missing: number, maxPoints = DEFAULT_MAX_POINTS): NumericColumnProfile {
  const count = sorted.length;
  if (count === 0) {
    return {
      name, kind: 'numeric', count, missing, mean: 0, std: 0, min: 0, max: 0, distinct: 0, exact: true,
      points: [], weights: [], psiEdges: [], psiShares: [], histogram: { edges: [], shares: [] },
    };
  }
  const distinct = countDistinct(sorted, maxPoints);
  const exact = distinct <= maxPoints;
  let points: number[];
  let weights: number[];
  if (exact) {
    const runs = runLengths(sorted);
    points = runs.values;
    weights = runs.counts;
  } else {
    // Point k stands for the k-th 1/maxPoints of the mass; its median is the W1-optimal representative.
    points = [];
    weights = [];
    for (let k = 0; k < maxPoints; k++) {
      const lo = Math.floor((k * count) / maxPoints);
      const hi = Math.floor(((k + 1) * count) / maxPoints);
      if (hi === lo) continue;
      points.push(sorted[(lo + hi - 1) >> 1] as number);
      weights.push(hi - lo);
    }
  }
  const { mean, std } = meanStd({ values: sorted, total: count });
  const psiEdges = quantileEdges(sorted);
  return {
    name, kind: 'numeric', count, missing, mean, std,
    min: sorted[0] as number, max: sorted[count - 1] as number,
    distinct, exact, points, weights, psiEdges,
    psiShares: binShares(sorted, psiEdges),
    histogram: histogram(sorted),
  };
}

function histogram(sorted: Float64Array): { edges: number[]; shares: number[] } {
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  if (!(max > min)) return { edges: [min, max], shares: [1] };
  const edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => min + ((max - min) * i) / HISTOGRAM_BINS);
  edges[HISTOGRAM_BINS] = max;
  const shares = histogramShares(sorted, edges).inside;
  return { edges, shares };
}

/**
 * Shares of sorted values in equal-width bins [e0, e1), [e1, e2) … [e_{k−1}, e_k] (last closed),
 * plus the shares below e0 and above e_k.
 */
export function histogramShares(sorted: ArrayLike<number>, edges: readonly number[]): { below: number; inside: number[]; above: number } {
  const n = sorted.length;
  if (n === 0) return { below: 0, inside: edges.slice(1).map(() => 0), above: 0 };
  const first = edges[0] as number;
  const last = edges[edges.length - 1] as number;
  const below = lowerBound(sorted, first);
  const insideEnd = upperBound(sorted, last);
  const inside: number[] = [];
  let from = below;
  for (let b = 1; b < edges.length; b++) {
    const to = b === edges.length - 1 ? insideEnd : lowerBound(sorted, edges[b] as number);
    inside.push((to - from) / n);
    from = to;
  }
  return { below: below / n, inside, above: (n - insideEnd) / n };
}

function lowerBound(values: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Profile of a text column from its category counts. */
export function categoricalProfile(name: string, collector: ColumnCollector): CategoricalColumnProfile {
  const entries = [...collector.counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    name, kind: 'categorical', count: collector.categoryTotal(), missing: collector.missing,
    categories: entries.map((e) => e[0]), counts: entries.map((e) => e[1]), otherCount: collector.otherCount,
  };
}

/** Profile of one collected column. */
export function columnProfile(name: string, collector: ColumnCollector, maxPoints = DEFAULT_MAX_POINTS): ColumnProfile {
  return collector.kind === 'numeric'
    ? numericProfile(name, collector.sortedValues(), collector.missing, maxPoints)
    : categoricalProfile(name, collector);
}
