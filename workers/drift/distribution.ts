/**
 * A one-dimensional empirical distribution: sorted support points with weights (counts). The
 * current batch is a plain sorted array (every weight 1); a cached reference profile is either
 * the exact distinct values with their counts, or equal-mass quantile points when it had too
 * many distinct values to keep (see `profile.ts`).
 */
export interface Distribution {
  /** Support points, ascending. */
  values: ArrayLike<number>;
  /** Weight of each point (absent: every weight is 1). */
  weights?: ArrayLike<number>;
  /** Sum of the weights (the number of observations). */
  total: number;
}

/** A distribution with every weight 1 from values already sorted ascending. */
export function fromSorted(values: ArrayLike<number>): Distribution {
  return { values, total: values.length };
}

/** A distribution from unsorted values (copies, then sorts). */
export function fromValues(values: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(values).sort();
  return fromSorted(sorted);
}

export function weightAt(d: Distribution, i: number): number {
  return d.weights ? (d.weights[i] as number) : 1;
}

/** Mean and population standard deviation (ddof 0, as numpy's `std`). */
export function meanStd(d: Distribution): { mean: number; std: number } {
  if (d.total === 0) return { mean: 0, std: 0 };
  let sum = 0;
  for (let i = 0; i < d.values.length; i++) sum += (d.values[i] as number) * weightAt(d, i);
  const mean = sum / d.total;
  let ss = 0;
  for (let i = 0; i < d.values.length; i++) {
    const dev = (d.values[i] as number) - mean;
    ss += dev * dev * weightAt(d, i);
  }
  return { mean, std: Math.sqrt(ss / d.total) };
}

/** Index of the first value strictly greater than x in a sorted array (binary search). */
export function upperBound(values: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Distinct values and their counts from a sorted array (run-length encoding). */
export function runLengths(sorted: ArrayLike<number>): { values: number[]; counts: number[] } {
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; ) {
    const v = sorted[i] as number;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === v) j++;
    values.push(v);
    counts.push(j - i);
    i = j;
  }
  return { values, counts };
}

/**
 * Number of distinct values in a sorted array, counting at most `cap + 1` (enough to know
 * "more than cap" without scanning runs further than needed).
 */
export function countDistinct(sorted: ArrayLike<number>, cap = Infinity): number {
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      distinct++;
      if (distinct > cap) return distinct;
    }
  }
  return distinct;
}
