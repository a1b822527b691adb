/**
 * Quantiles, CDF and histogram answered exactly from (value, count) pairs — used for numeric
 * columns whose distinct values fit in the exact map, so most integer columns never touch the
 * sketch. Same interface as the KLL sketch's query side.
 */

export interface Distribution {
  quantile(q: number): number;
  cdf(x: number, strict?: boolean): number;
  histogram(edges: number[]): number[];
}

export class ExactDistribution implements Distribution {
  private readonly values: number[];
  private readonly counts: number[];
  private readonly total: number;

  constructor(pairs: [number, number][]) {
    pairs.sort((a, b) => a[0] - b[0]);
    this.values = pairs.map((p) => p[0]);
    this.counts = pairs.map((p) => p[1]);
    this.total = this.counts.reduce((s, c) => s + c, 0);
  }

  /** The smallest value whose cumulative share reaches q (the same rule as the sketch). */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const target = q * this.total;
    let cumulative = 0;
    for (let i = 0; i < this.values.length; i++) {
      cumulative += this.counts[i]!;
      if (cumulative >= target) return this.values[i]!;
    }
    return this.values[this.values.length - 1]!;
  }

  cdf(x: number, strict = false): number {
    let below = 0;
    for (let i = 0; i < this.values.length; i++) {
      const v = this.values[i]!;
      if (v < x || (!strict && v === x)) below += this.counts[i]!;
    }
    return this.total === 0 ? Number.NaN : below / this.total;
  }

  histogram(edges: number[]): number[] {
    const bins = new Array<number>(Math.max(edges.length - 1, 0)).fill(0);
    const lo = edges[0]!;
    const width = (edges[edges.length - 1]! - lo) / bins.length;
    for (let i = 0; i < this.values.length; i++) {
      let b = width > 0 ? Math.floor((this.values[i]! - lo) / width) : 0;
      if (b >= bins.length) b = bins.length - 1;
      if (b < 0) b = 0;
      bins[b]! += this.counts[i]!;
    }
    return bins;
  }
}
