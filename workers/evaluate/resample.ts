/**
 * The bootstrap's per-resample work for classification, arranged so a resample of a million rows
 * costs one pass over its draws and one sequential walk, instead of a sort (ROC AUC) and two
 * passes of random reads (recalls) per resample:
 *   - each row's (actual, predicted) pair is one small code, so a resample's confusion counts are
 *     a histogram of codes;
 *   - rows are sorted by score once; a resample's ROC AUC walks its draw counts in that order.
 * Every count is an integer and every rank sum a multiple of ½ far below 2⁵³, so each metric is
 * the value the direct computation gives on the resample's rows, to the last bit.
 */
import type { Scored } from './intervals.js';

/** Per-class rates of one resample, as the metric formulas take them. */
export interface Recalls {
  recall: number[];
  precision: number[];
  support: number[];
}

/** Recall, precision and support from a row-major `classes × classes` confusion count (actual × predicted). */
export function recallsOf(confusion: ArrayLike<number>, classes: number): Recalls {
  const tp = new Array<number>(classes).fill(0);
  const support = new Array<number>(classes).fill(0);
  const called = new Array<number>(classes).fill(0);
  for (let a = 0; a < classes; a++) {
    for (let p = 0; p < classes; p++) {
      const c = confusion[a * classes + p]!;
      support[a]! += c;
      called[p]! += c;
      if (a === p) tp[a]! += c;
    }
  }
  return {
    recall: tp.map((v, c) => (support[c] ? v / support[c]! : 0)),
    precision: tp.map((v, c) => (called[c] ? v / called[c]! : 0)),
    support,
  };
}

/** Reusable state for the resamples of one scored file. */
export class Resampler {
  private readonly code: Uint16Array;
  private readonly confusion: Float64Array;
  private readonly auc: WeightedAuc | null;

  constructor(private readonly s: Scored) {
    const n = s.actual.length;
    const k = s.classes;
    this.code = new Uint16Array(n);
    for (let i = 0; i < n; i++) this.code[i] = s.actual[i]! * k + s.predicted[i]!;
    this.confusion = new Float64Array(k * k);
    this.auc = s.task === 'binary' && s.score ? new WeightedAuc(s.score, s.actual) : null;
  }

  /** Takes one resample's draws (row indices, with repeats). */
  draw(sample: ArrayLike<number>): void {
    this.confusion.fill(0);
    for (let t = 0; t < sample.length; t++) this.confusion[this.code[sample[t]!]!]!++;
    this.auc?.draw(sample);
  }

  /** The drawn resample's per-class rates. */
  recalls(): Recalls {
    return recallsOf(this.confusion, this.s.classes);
  }

  /** The drawn resample's ROC AUC (binary). */
  rocAuc(): number {
    return this.auc ? this.auc.value() : Number.NaN;
  }
}

/**
 * ROC AUC of bootstrap resamples without sorting each one: the rows are sorted by score once, and
 * a resample is its count of draws per sorted position. The tie groups of a resample are the tie
 * groups of the rows with their counts, so the average ranks and the rank sum are those `rocAuc`
 * computes on the resample's rows.
 */
export class WeightedAuc {
  /** Sorted position of each row. */
  private readonly position: Int32Array;
  /** 1 where the row at this sorted position is positive. */
  private readonly positive: Uint8Array;
  /** For the first position of each tie group: one past its last position. */
  private readonly groupEnd: Int32Array;
  private readonly counts: Int32Array;

  constructor(scores: ArrayLike<number>, positives: ArrayLike<number>) {
    const n = scores.length;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => scores[a]! - scores[b]!);
    this.position = new Int32Array(n);
    this.positive = new Uint8Array(n);
    for (let t = 0; t < n; t++) {
      this.position[order[t]!] = t;
      this.positive[t] = positives[order[t]!] ? 1 : 0;
    }
    this.groupEnd = new Int32Array(n);
    for (let i = 0; i < n; ) {
      let j = i;
      while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
      this.groupEnd[i] = j + 1;
      i = j + 1;
    }
    this.counts = new Int32Array(n);
  }

  /** Counts one resample's draws (row indices, with repeats). */
  draw(sample: ArrayLike<number>): void {
    const counts = this.counts;
    counts.fill(0);
    for (let t = 0; t < sample.length; t++) counts[this.position[sample[t]!]!]!++;
  }

  /** The AUC of the drawn rows, as `rocAuc` on those rows gives it. */
  value(): number {
    const counts = this.counts;
    const n = counts.length;
    let below = 0;
    let rankSum = 0;
    let nPos = 0;
    for (let i = 0; i < n; ) {
      const end = this.groupEnd[i]!;
      let size = 0;
      let pos = 0;
      for (let t = i; t < end; t++) {
        const c = counts[t]!;
        size += c;
        if (this.positive[t] === 1) pos += c;
      }
      if (size > 0) {
        // The group holds sampled ranks below+1 … below+size: their average is below + (size+1)/2.
        rankSum += pos * (below + (size - 1) / 2 + 1);
        nPos += pos;
        below += size;
      }
      i = end;
    }
    const nNeg = below - nPos;
    if (nPos === 0 || nNeg === 0) return Number.NaN;
    return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
  }

  /** The AUC of the rows drawn in `sample`. */
  of(sample: ArrayLike<number>): number {
    this.draw(sample);
    return this.value();
  }
}
