/**
 * A seeded uniform sample of rows (priority sampling: every row draws a random key, the rows with
 * the smallest keys are kept), mergeable across ranges by keeping the smallest keys overall.
 * Correlations and leakage checks run on it, so their cost does not grow with the file.
 */
import { Rng, detach } from './hash.js';

export interface SampleState {
  keys: number[];
  rows: string[][];
}

/**
 * A kept row's trimmed fields, or a function that makes them. Most rows offered early are
 * dropped again as the threshold falls (about 7 kept per final row on a 1 GB file), so a scan
 * that reads bytes keeps a copy of the record's bytes and decodes only the rows still here at the end.
 */
export type SampledRow = string[] | (() => string[]);

export class RowSample {
  private keys: number[] = [];
  private rows: SampledRow[] = [];
  private threshold = 1;
  private readonly rng: Rng;

  constructor(
    private readonly size: number,
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  /** Offers a row; `row()` is called only when it is kept, and gives what to keep. */
  offer(row: () => SampledRow): void {
    const key = this.rng.next();
    if (key >= this.threshold) return;
    this.keys.push(key);
    this.rows.push(row());
    if (this.keys.length >= 2 * this.size) this.shrink();
  }

  merge(other: SampleState): void {
    for (let i = 0; i < other.keys.length; i++) {
      this.keys.push(other.keys[i]!);
      this.rows.push(other.rows[i]!);
    }
    this.shrink();
  }

  state(): SampleState {
    const rows = this.result();
    return { keys: this.keys, rows };
  }

  /** The kept rows. */
  result(): string[][] {
    this.shrink();
    const rows = this.rows.map((r) => (typeof r === 'function' ? r() : r));
    this.rows = rows;
    return rows;
  }

  private shrink(): void {
    if (this.keys.length <= this.size) return;
    const order = smallestKeys(this.keys, this.size);
    this.keys = order.map((i) => this.keys[i]!);
    this.rows = order.map((i) => this.rows[i]!);
    this.threshold = this.keys[this.keys.length - 1]!;
  }
}

/**
 * The indices of the `size` smallest keys, in key order (ties in index order, as a stable sort).
 * Keys are multiples of 2^-32 in [0, 1), so key × 2^53 + index (index < 2^21) is an exact double
 * and sorting those natively orders by key, then index: no comparator, nothing boxed.
 */
function smallestKeys(keys: number[], size: number): number[] {
  if (keys.length >= 2 ** 21) return keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]!).slice(0, size);
  const packed = new Float64Array(keys.length);
  for (let i = 0; i < keys.length; i++) packed[i] = keys[i]! * 2 ** 53 + i;
  packed.sort();
  const out = new Array<number>(Math.min(size, keys.length));
  for (let k = 0; k < out.length; k++) out[k] = packed[k]! % 2 ** 21;
  return out;
}

/** The trimmed fields at `columns` (`field(i)`: the i-th field's text), copied so they pin no chunk. */
export function trimmedFields(field: (column: number) => string, columns: number[]): string[] {
  return columns.map((i) => detach(field(i).trim()));
}
