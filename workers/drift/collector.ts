import { isMissingToken, parseNumberAt } from './numbers.js';
import { sortFloat64 } from './sort.js';

/** How a column's cells are read: `auto` starts numeric and turns to text at the first non-number. */
export type CollectMode = 'auto' | 'numeric' | 'text';

/** Most distinct non-numbers a numeric column keeps as examples of a type change. */
const MAX_EXAMPLES = 5;
/** Most distinct categories kept per column; rarer ones are pooled into `otherCount`. */
export const MAX_CATEGORIES = 5_000;

/**
 * Collects one column of a scan: numbers into a growing Float64Array (8 bytes per row), or
 * category counts. Missing cells are counted, never stored.
 */
export class ColumnCollector {
  kind: 'numeric' | 'text';
  values = new Float64Array(1024);
  count = 0;
  missing = 0;
  /** Cells that were not numbers in a column read as numeric (`numeric` mode only). */
  nonNumeric = 0;
  examples: string[] = [];
  counts = new Map<string, number>();
  otherCount = 0;
  /** One trimmed cell per record, for columns whose rows must stay aligned (labels, predictions). */
  raw: string[] | null;

  constructor(
    private readonly mode: CollectMode,
    keepRaw = false,
  ) {
    this.kind = mode === 'text' ? 'text' : 'numeric';
    this.raw = keepRaw ? [] : null;
  }

  add(text: string, start: number, end: number): void {
    if (this.raw) this.raw.push(text.slice(start, end).trim());
    if (this.kind === 'numeric') {
      const value = parseNumberAt(text, start, end);
      if (value === value && value !== Infinity && value !== -Infinity) {
        if (this.count === this.values.length) this.grow();
        this.values[this.count++] = value;
        return;
      }
      const cell = text.slice(start, end).trim();
      if (isMissingToken(cell)) {
        this.missing++;
        return;
      }
      if (this.mode === 'auto') {
        this.toText();
        this.addCategory(cell);
        return;
      }
      this.nonNumeric++;
      if (this.examples.length < MAX_EXAMPLES && !this.examples.includes(cell)) this.examples.push(cell);
      this.addCategory(cell);
      return;
    }
    const cell = text.slice(start, end).trim();
    if (isMissingToken(cell)) this.missing++;
    else this.addCategory(cell);
  }

  /** The collected numbers, sorted ascending (the collector's buffer is reused). */
  sortedValues(): Float64Array {
    return sortFloat64(this.values.subarray(0, this.count));
  }

  /** Non-missing cells seen (numbers plus categories). */
  get observed(): number {
    return this.kind === 'numeric' ? this.count : this.categoryTotal();
  }

  categoryTotal(): number {
    let total = this.otherCount;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  private addCategory(cell: string): void {
    const n = this.counts.get(cell);
    if (n !== undefined) this.counts.set(cell, n + 1);
    else if (this.counts.size < MAX_CATEGORIES) this.counts.set(cell, 1);
    else this.otherCount++;
  }

  /** Makes room for about `records` numbers at once (a hint; growth still works beyond it). */
  reserve(records: number): void {
    if (this.kind !== 'numeric' || records <= this.values.length) return;
    const next = new Float64Array(records);
    next.set(this.values.subarray(0, this.count));
    this.values = next;
  }

  private grow(): void {
    const next = new Float64Array(this.values.length * 2);
    next.set(this.values);
    this.values = next;
  }

  /**
   * A column first read as numbers turned out to hold text: its numbers become categories. The
   * original spelling of those cells is gone ("01" reads back as "1"), an accepted loss for
   * columns that mix the two.
   */
  private toText(): void {
    this.kind = 'text';
    for (let i = 0; i < this.count; i++) this.addCategory(String(this.values[i]));
    this.values = new Float64Array(0);
    this.count = 0;
  }
}
