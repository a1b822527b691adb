/**
 * Streaming per-column accumulator: one `add` (a string) or `addBytes` (an ASCII span of the
 * file's bytes, see `csv/byte-parser.ts`) per cell, plain-data state (`column-state.ts`) so ranges
 * read on other threads can be merged. Everything here is O(1) memory per column except the exact
 * distinct table, which is capped and then replaced by a HyperLogLog estimate. Both entry points
 * keep the same state: `addBytes` makes a string only where one is kept or only a string can tell.
 *
 * While the exact table holds every value, a cell costs one table lookup and one increment: the
 * value's kind, number and personal data are worked out once when it first arrives, and the
 * column's statistics take each value once with its count (`flush`, before anything reads them).
 * Values holding personal data are counted cell by cell instead, so the masked samples are the
 * first ones in the file, in file order.
 */
import { detach, hashString } from './hash.js';
import { HyperLogLog } from './hll.js';
import { ExactDistribution, type Distribution } from './distribution.js';
import { KllSketch } from './kll.js';
import { addTextPii, emptyTextPii, type TextPiiSummary } from '../text/pii-spans.js';
import { detectPii, mayHoldPii, type PiiKind } from './pii.js';
import { Kind, UNKNOWN_KIND, classify, classifyBytes, parsed } from './values.js';
import { toCanonical, type NumberFormat } from '../csv/number-format.js';
import { ValueTable } from './value-table.js';
import { compareBytes, FREE_TEXT_MIN, isFreeText, mayHoldTextPii, mayHoldTextPiiText } from './free-text.js';
import { countPii, countTextPii, emptyColumnState, mergeCounts, observeNumber, observeValue, type ColumnState } from './column-state.js';

export type { ColumnState } from './column-state.js';

export class ColumnAccumulator {
  readonly s: ColumnState;
  private kll: KllSketch;
  private hll: HyperLogLog | null = null;
  /** The exact counts: each distinct value's slot, and its count by slot (as of the last `flush`). */
  private readonly values = new ValueTable();
  private readonly counts: number[] = [];
  /**
   * Per slot: cells counted since the last `flush`. A value with personal data counts down from
   * -1 instead (-1 - pending), its personal data counted as each cell arrives.
   */
  private pending = new Int32Array(64);
  /** Per slot: the value's kind (-1 until worked out), its number, and the personal data it is. */
  private readonly slotKind: number[] = [];
  private readonly slotNumber: number[] = [];
  private readonly slotPii: (PiiKind | null)[] = [];
  /** Per slot: personal data found inside the value when it is a sentence (scanned once per distinct value). */
  private readonly slotTextPii: (TextPiiSummary | null)[] = [];
  /** A cheap pre-check before the marker comparison: most cells are longer than any marker or start differently. */
  private readonly markerMaxLength: number;
  private readonly markerFirst = new Uint8Array(128);
  private readonly markerList: string[];

  constructor(
    name: string,
    private readonly missingMarkers: Set<string>,
    private readonly distinctLimit: number,
    seed: number,
    state?: ColumnState,
    /** The KLL sketch's floor capacity for its low compactors (smaller for wide files). */
    kllFloor = 16,
    /** How the column writes numbers when not plain dot-decimal; such a column is fed through `add`. */
    private readonly numberFormat: NumberFormat | null = null,
  ) {
    this.s = state ?? emptyColumnState(name);
    this.kll = KllSketch.fromState(this.s.kll, seed, kllFloor);
    let longest = 0;
    for (const m of missingMarkers) {
      longest = Math.max(longest, m.length);
      // Non-ASCII first characters share a slot (& 127): a false "maybe" only costs the set lookup.
      if (m.length > 0) this.markerFirst[m.charCodeAt(0) & 127] = 1;
    }
    this.markerMaxLength = longest;
    this.markerList = [...missingMarkers];
    if (this.s.hll) this.hll = new HyperLogLog(this.s.hll);
    for (const [key, count] of this.s.values) this.newSlot(key, hashString(key), count, false);
  }

  /** Adds one raw cell. `rawHash`, if known, is `hashString(raw)` (its 32 bits, signed or not). */
  add(raw: string, rawHash?: number): void {
    const s = this.s;
    let v = raw;
    const n = raw.length;
    if (n > 0 && (raw.charCodeAt(0) <= 32 || raw.charCodeAt(n - 1) <= 32)) {
      v = raw.trim();
      if (v.length > 0) s.whitespace++;
    }
    if (v.length === 0 || (v.length <= this.markerMaxLength && this.markerFirst[v.charCodeAt(0) & 127] === 1 && this.missingMarkers.has(v))) {
      this.countMissing(v);
      return;
    }
    const hash = rawHash !== undefined && v === raw ? rawHash : hashString(v);
    if (!s.overflow) {
      // A value seen before is one table lookup and an increment: in low-cardinality columns
      // that is the whole cost of a cell. Once the table is full, only the HyperLogLog counts
      // (looking up every value would cost more than the rest of the cell), and top values
      // become approximate.
      let slot = this.values.find(v, hash);
      if (slot < 0 && this.values.size < this.distinctLimit) slot = this.newSlot(detach(v), hash, 0, true);
      if (slot >= 0) return this.hit(slot);
      this.startEstimating();
    }
    s.count++;
    this.estimate(v, hash);
  }

  /**
   * Adds one raw cell given as ASCII bytes `[from, to)` (one byte per character) whose
   * `hashString` is `rawHash` (its 32 bits, signed or not). Same effect as `add` of the same text.
   */
  addBytes(bytes: Buffer, from: number, to: number, rawHash: number): void {
    const n = to - from;
    // Whitespace to trim: rare enough to leave to the string path, which trims exactly as `trim()`.
    if (n > 0 && (bytes[from]! <= 32 || bytes[to - 1]! <= 32)) return this.add(bytes.toString('latin1', from, to), rawHash);
    if (n === 0) return this.countMissing('');
    if (n <= this.markerMaxLength && this.markerFirst[bytes[from]!] === 1) {
      const marker = this.markerAt(bytes, from, to);
      if (marker !== null) return this.countMissing(marker);
    }
    const s = this.s;
    if (!s.overflow) {
      let slot = this.values.findBytes(bytes, from, to, rawHash);
      if (slot < 0 && this.values.size < this.distinctLimit) slot = this.newSlot(bytes.toString('latin1', from, to), rawHash, 0, true);
      if (slot >= 0) return this.hit(slot);
      this.startEstimating();
    }
    s.count++;
    const kind = classifyBytes(bytes, from, to);
    const x = parsed.number;
    // Cases that need the string: what only `classify` can tell, personal data, a text example
    // not collected yet, a date that may be a new minimum or maximum.
    if (
      kind === UNKNOWN_KIND ||
      ((kind === Kind.Text || ((kind === Kind.Integer || kind === Kind.Float) && n >= 13)) && mayHoldPii(bytes, from, to)) ||
      (kind === Kind.Text && s.textExamples.length < 5) ||
      (kind === Kind.Text && n >= FREE_TEXT_MIN && mayHoldTextPii(bytes, from, to)) ||
      (kind === Kind.Date && (bytes[from + 4] === 45 || bytes[from + 4] === 47) && (s.dateMin === null || compareBytes(bytes, from, to, s.dateMin) < 0 || compareBytes(bytes, from, to, s.dateMax!) > 0))
    ) {
      return this.estimate(bytes.toString('latin1', from, to), rawHash);
    }
    this.hll!.addHash(rawHash);
    s.kinds[kind]!++;
    if (kind === Kind.Integer || kind === Kind.Float) {
      observeNumber(s, x, 1);
      this.kll.update(x);
    } else if (kind !== Kind.Date) {
      s.textCount++;
      s.lengthSum += n;
      if (n > s.lengthMax) s.lengthMax = n;
    }
  }

  /** A cell whose value has a slot: counted now, folded into the statistics at the next `flush`. */
  private hit(slot: number): void {
    const p = this.pending[slot]!;
    if (p >= 0) {
      this.pending[slot] = p + 1;
      return;
    }
    this.pending[slot] = p - 1;
    const v = this.values.keys[slot]!;
    const pii = this.slotPii[slot];
    if (pii) countPii(this.s, pii, v, 1);
    const inText = this.slotTextPii[slot];
    if (inText) countTextPii(this.s, inText, 1);
  }

  /** Folds the cells counted per slot since the last call into the statistics, slot by slot (first arrival first). */
  private flush(): void {
    const s = this.s;
    const pending = this.pending;
    for (let slot = 0; slot < this.values.size; slot++) {
      const p = pending[slot]!;
      if (p === 0 || p === -1) continue;
      const w = p > 0 ? p : -1 - p;
      pending[slot] = p > 0 ? 0 : -1;
      const v = this.values.keys[slot]!;
      if (this.slotKind[slot] === -1) this.describeSlot(slot, v);
      this.counts[slot]! += w;
      s.count += w;
      if (p > 0) {
        // Personal data of values not counted cell by cell (slots that came from a merged state).
        const pii = this.slotPii[slot];
        if (pii) countPii(s, pii, v, w);
        const inText = this.slotTextPii[slot];
        if (inText) countTextPii(s, inText, w);
      }
      observeValue(s, this.slotKind[slot]!, this.slotNumber[slot]!, v, w, null);
    }
  }

  private countMissing(marker: string): void {
    const s = this.s;
    s.missing++;
    s.markers[marker] = (s.markers[marker] ?? 0) + 1;
  }

  /** The missing marker spelled by bytes `[from, to)`, or null. */
  private markerAt(bytes: Buffer, from: number, to: number): string | null {
    const n = to - from;
    outer: for (const m of this.markerList) {
      if (m.length !== n) continue;
      for (let k = 0; k < n; k++) if (m.charCodeAt(k) !== bytes[from + k]) continue outer;
      return m;
    }
    return null;
  }

  /** Counts a value past the exact table: the HyperLogLog, its kind, personal data, its statistics. */
  private estimate(v: string, hash: number): void {
    this.hll!.addHash(hash);
    const kind = this.kindOf(v);
    const x = parsed.number;
    if (kind === Kind.Text || ((kind === Kind.Integer || kind === Kind.Float) && v.length >= 13)) {
      const pii = detectPii(v);
      if (pii) countPii(this.s, pii, v, 1);
      else if (kind === Kind.Text && isFreeText(v) && mayHoldTextPiiText(v)) addTextPii(this.s.textPii, v);
    }
    observeValue(this.s, kind, x, v, 1, this.kll);
  }

  /**
   * `classify` in the column's number format: a value that is a number in it is read as its
   * plain dot-decimal form; one that is not stays text, even where dot-decimal would read it.
   */
  private kindOf(v: string): number {
    const format = this.numberFormat;
    if (format === null) return classify(v);
    const plain = toCanonical(v, format);
    if (plain !== null) return classify(plain);
    const kind = classify(v);
    return kind === Kind.Integer || kind === Kind.Float ? Kind.Text : kind;
  }

  /** A new slot; `describe` works out the value's kind and personal data now (a value read from the file). */
  private newSlot(key: string, hash: number, count: number, describe: boolean): number {
    const slot = this.values.add(key, hash);
    this.counts.push(count);
    this.slotKind.push(-1);
    this.slotNumber.push(0);
    this.slotPii.push(null);
    this.slotTextPii.push(null);
    if (slot === this.pending.length) {
      const grown = new Int32Array(2 * slot);
      grown.set(this.pending);
      this.pending = grown;
    }
    this.pending[slot] = 0;
    if (describe) {
      this.describeSlot(slot, key);
      if (this.slotPii[slot] !== null || this.slotTextPii[slot] !== null) this.pending[slot] = -1;
    }
    return slot;
  }

  /** Works out a new value's kind, number and personal data once. */
  private describeSlot(slot: number, v: string): void {
    const kind = this.kindOf(v);
    this.slotKind[slot] = kind;
    this.slotNumber[slot] = kind === Kind.Integer || kind === Kind.Float ? parsed.number : 0;
    if (kind === Kind.Text || ((kind === Kind.Integer || kind === Kind.Float) && v.length >= 13)) this.slotPii[slot] = detectPii(v);
    if (kind === Kind.Text && this.slotPii[slot] === null && isFreeText(v)) {
      const found = emptyTextPii();
      addTextPii(found, v);
      if (found.texts > 0) this.slotTextPii[slot] = found;
    }
  }

  /** The exact table is full: seed a HyperLogLog with every value seen so far; from now on it counts. */
  private startEstimating(): void {
    this.flush();
    this.s.overflow = true;
    this.hll = new HyperLogLog();
    this.s.hll = this.hll.registers;
    for (let slot = 0; slot < this.values.size; slot++) {
      this.hll.addHash(this.values.hashes[slot]!);
      this.sketchValue(this.values.keys[slot]!, this.counts[slot]!);
    }
  }

  /** Feeds a map entry to the quantile sketch if it is a number. */
  private sketchValue(key: string, count: number): void {
    const kind = this.kindOf(key);
    if (kind === Kind.Integer || kind === Kind.Float) this.kll.addWeighted(parsed.number, count);
  }

  /** The state with the sketch and the counts folded in (`s.values` is current after this), ready to post to another thread. */
  state(): ColumnState {
    this.flush();
    this.s.kll = this.kll.toState();
    const values = new Map<string, number>();
    for (let slot = 0; slot < this.values.size; slot++) values.set(this.values.keys[slot]!, this.counts[slot]!);
    this.s.values = values;
    return this.s;
  }

  /** Folds another range's state of the same column into this one. */
  merge(o: ColumnState): void {
    this.flush();
    const s = this.s;
    mergeCounts(s, o);
    // Their numbers are in their sketch once they overflowed, else only in their map.
    const theirsSketched = o.overflow;
    if (theirsSketched && !s.overflow) this.startEstimating();
    if (theirsSketched) this.kll.merge(o.kll);
    for (const [k, c] of o.values) {
      const hash = hashString(k);
      const slot = this.values.find(k, hash);
      if (slot >= 0) {
        this.counts[slot]! += c;
        if (s.overflow && !theirsSketched) this.sketchValue(k, c);
      } else if (!s.overflow && this.values.size < this.distinctLimit) this.newSlot(k, hash, c, false);
      else {
        if (!s.overflow) this.startEstimating();
        this.hll!.add(k);
        if (!theirsSketched) this.sketchValue(k, c);
      }
    }
    if (o.hll) this.hll!.merge(new HyperLogLog(o.hll));
  }

  /** Quantiles of the numeric values: exact from the map while it holds every value, else the sketch. */
  distribution(): Distribution {
    this.flush();
    if (this.s.overflow) return this.kll;
    const pairs: [number, number][] = [];
    for (let slot = 0; slot < this.values.size; slot++) {
      const key = this.values.keys[slot]!;
      const kind = this.kindOf(key);
      if (kind === Kind.Integer || kind === Kind.Float) pairs.push([parsed.number, this.counts[slot]!]);
    }
    return new ExactDistribution(pairs);
  }

  distinct(): { value: number; estimated: boolean } {
    if (this.hll) return { value: Math.max(this.hll.estimate(), this.values.size), estimated: true };
    return { value: this.values.size, estimated: false };
  }
}
