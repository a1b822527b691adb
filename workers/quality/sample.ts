/**
 * A seeded uniform sample of rows (priority sampling: every row draws a random key, the rows with
 * the smallest keys are kept), mergeable across ranges by keeping the smallest keys overall.
 * Correlations and leakage checks run on it, so their cost does not grow with the file.
 */
import { Rng, detach } from './hash.js';

/**
 * The kept rows, to cross a thread boundary: decoded rows with their keys, and rows kept as
 * their record's bytes, packed into one string (`raw`, record i ending at `rawEnds[i]`), which a
 * thread posts as one copy rather than a string per field.
 */
export interface SampleState {
  keys: number[];
  rows: string[][];
  rawKeys: number[];
  raw: string;
  rawEnds: number[];
}

/**
 * A kept row's trimmed fields, or its record's bytes as a one-byte string. Most rows offered
 * early are dropped again as the threshold falls (about 7 kept per final row on a 1 GB file), so
 * a scan that reads bytes keeps the bytes and only the rows kept in the end are decoded, once
 * the ranges' samples are merged (`result(decode)`).
 */
export type SampledRow = string[] | string;

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

  /** Offers a row; `row()` is called only when it is kept, and gives what to keep (fields, or the record's bytes). */
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
    for (let i = 0, from = 0; i < other.rawKeys.length; from = other.rawEnds[i++]!) {
      this.keys.push(other.rawKeys[i]!);
      this.rows.push(other.raw.slice(from, other.rawEnds[i]!));
    }
    this.shrink();
  }

  state(): SampleState {
    this.shrink();
    const state: SampleState = { keys: [], rows: [], rawKeys: [], raw: '', rawEnds: [] };
    const raw: string[] = [];
    let end = 0;
    for (let i = 0; i < this.rows.length; i++) {
      const row = this.rows[i]!;
      if (typeof row === 'string') {
        state.rawKeys.push(this.keys[i]!);
        raw.push(row);
        state.rawEnds.push((end += row.length));
      } else {
        state.keys.push(this.keys[i]!);
        state.rows.push(row);
      }
    }
    state.raw = raw.join('');
    return state;
  }

  /** The kept rows; `decode` turns a row kept as its record's bytes into its fields. */
  result(decode?: (raw: string) => string[]): string[][] {
    this.shrink();
    const rows = this.rows.map((r) => {
      if (typeof r !== 'string') return r;
      if (!decode) throw new Error('The row sample holds records as bytes: give result() their decoder.');
      return decode(r);
    });
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
