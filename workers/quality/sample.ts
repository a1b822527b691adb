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

export class RowSample {
  private keys: number[] = [];
  private rows: string[][] = [];
  private threshold = 1;
  private readonly rng: Rng;

  constructor(
    private readonly size: number,
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  /** Offers a row; when kept, the trimmed fields at `columns` are copied. */
  offer(fields: string[], columns: number[]): void {
    const key = this.rng.next();
    if (key >= this.threshold) return;
    this.keys.push(key);
    this.rows.push(columns.map((i) => detach((fields[i] ?? '').trim())));
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
    this.shrink();
    return { keys: this.keys, rows: this.rows };
  }

  /** The kept rows. */
  result(): string[][] {
    this.shrink();
    return this.rows;
  }

  private shrink(): void {
    if (this.keys.length <= this.size) return;
    const order = this.keys.map((_, i) => i).sort((a, b) => this.keys[a]! - this.keys[b]!).slice(0, this.size);
    this.keys = order.map((i) => this.keys[i]!);
    this.rows = order.map((i) => this.rows[i]!);
    this.threshold = this.keys[this.keys.length - 1]!;
  }
}
