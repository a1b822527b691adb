/**
 * Streaming per-column accumulator: one `add` (a string) or `addBytes` (an ASCII span of the
 * file's bytes, see `csv/byte-parser.ts`) per cell, plain-data state so ranges read on other
 * threads can be merged. Everything here is O(1) memory per column except the exact distinct
 * map, which is capped and then replaced by a HyperLogLog estimate. Both entry points keep the
 * same state: `addBytes` makes a string only where one is kept or only a string can tell.
 */
import { detach, hashString } from './hash.js';
import { HyperLogLog } from './hll.js';
import { ExactDistribution, type Distribution } from './distribution.js';
import { KllSketch, type KllState } from './kll.js';
import { addMoment, emptyMoments, mergeMoments, type Moments } from './moments.js';
import { addTextPii, emptyTextPii, type TextPiiSummary } from '../text/pii-spans.js';
import { detectPii, maskPii, mayHoldPii, type PiiKind } from './pii.js';
import { Kind, UNKNOWN_KIND, classify, classifyBytes, isIsoOrdered, parsed } from './values.js';
import { toCanonical, type NumberFormat } from '../csv/number-format.js';
import { ValueTable } from './value-table.js';
import { compareBytes, FREE_TEXT_MIN, isFreeText, mayHoldTextPii, mergeTextPii } from './free-text.js';

/** The mergeable state of one column. */
export interface ColumnState {
  name: string;
  /** Non-missing cells. */
  count: number;
  missing: number;
  /** Missing cells per marker (after trimming). */
  markers: Record<string, number>;
  /** Non-missing cells per value kind, indexed by `Kind`. */
  kinds: number[];
  moments: Moments;
  min: number;
  max: number;
  zeros: number;
  negatives: number;
  minPositive: number;
  kll: KllState;
  /** Exact counts per trimmed value, until `overflow`; after that only known values keep counting. */
  values: Map<string, number>;
  overflow: boolean;
  /** HyperLogLog registers once the exact map overflowed. */
  hll: Uint8Array | null;
  whitespace: number;
  textCount: number;
  lengthSum: number;
  lengthMax: number;
  dateMin: string | null;
  dateMax: string | null;
  pii: Partial<Record<PiiKind, number>>;
  piiSamples: string[];
  /** Personal data inside free-text cells (sentences), which the whole-cell check above cannot see. */
  textPii: TextPiiSummary;
  /** A few values that are not numbers, kept to explain a MIXED_TYPES alert. */
  textExamples: string[];
}

export class ColumnAccumulator {
  readonly s: ColumnState;
  private kll: KllSketch;
  private hll: HyperLogLog | null = null;
  /** The exact counts while scanning: each distinct value's slot, and its count by slot. */
  private readonly values = new ValueTable();
  private readonly counts: number[] = [];
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
    this.s = state ?? {
      name,
      count: 0,
      missing: 0,
      markers: {},
      kinds: [0, 0, 0, 0, 0],
      moments: emptyMoments(),
      min: Infinity,
      max: -Infinity,
      zeros: 0,
      negatives: 0,
      minPositive: Infinity,
      kll: { compactors: [], n: 0 },
      values: new Map(),
      overflow: false,
      hll: null,
      whitespace: 0,
      textCount: 0,
      lengthSum: 0,
      lengthMax: 0,
      dateMin: null,
      dateMax: null,
      pii: {},
      piiSamples: [],
      textPii: emptyTextPii(),
      textExamples: [],
    };
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
    for (const [key, count] of this.s.values) this.newSlot(key, hashString(key), count);
  }

  /** Adds one raw cell. `rawHash`, if known, is `hashString(raw)`. */
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
    s.count++;
    const hash = rawHash !== undefined && v === raw ? rawHash : hashString(v);
    if (!s.overflow) {
      // A value seen before reuses what was worked out about it (kind, number, personal data):
      // in low-cardinality columns this is the whole cost of a cell, one table lookup. Once the
      // table is full, only the HyperLogLog counts (looking up every value would cost more than
      // the rest of the cell), and top values become approximate.
      let slot = this.values.find(v, hash);
      if (slot < 0 && this.values.size < this.distinctLimit) slot = this.newSlot(detach(v), hash, 0);
      if (slot >= 0) {
        this.countSlot(slot);
        return;
      }
      this.startEstimating();
    }
    this.estimate(v, hash);
  }

  /**
   * Adds one raw cell given as ASCII bytes `[from, to)` (one byte per character) whose
   * `hashString` is `rawHash`. Same effect as `add` of the same text.
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
    s.count++;
    if (!s.overflow) {
      let slot = this.values.findBytes(bytes, from, to, rawHash);
      if (slot < 0 && this.values.size < this.distinctLimit) slot = this.newSlot(bytes.toString('latin1', from, to), rawHash, 0);
      if (slot >= 0) {
        this.countSlot(slot);
        return;
      }
      this.startEstimating();
    }
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
    if (kind === Kind.Integer || kind === Kind.Float) this.observeNumber(x);
    else if (kind !== Kind.Date) {
      s.textCount++;
      s.lengthSum += n;
      if (n > s.lengthMax) s.lengthMax = n;
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

  /** Counts a cell whose value has a slot. */
  private countSlot(slot: number): void {
    this.counts[slot]!++;
    const v = this.values.keys[slot]!;
    if (this.slotKind[slot] === -1) this.describeSlot(slot, v);
    const pii = this.slotPii[slot];
    if (pii) this.countPii(pii, v);
    const inText = this.slotTextPii[slot];
    if (inText) this.countTextPii(inText);
    this.observe(this.slotKind[slot]!, this.slotNumber[slot]!, v);
  }

  /** Counts a value past the exact table: the HyperLogLog, its kind, personal data, its statistics. */
  private estimate(v: string, hash: number): void {
    this.hll!.addHash(hash);
    const kind = this.kindOf(v);
    const x = parsed.number;
    if (kind === Kind.Text || ((kind === Kind.Integer || kind === Kind.Float) && v.length >= 13)) {
      const pii = detectPii(v);
      if (pii) this.countPii(pii, v);
      else if (kind === Kind.Text && isFreeText(v)) addTextPii(this.s.textPii, v);
    }
    this.observe(kind, x, v);
  }

  private observe(kind: number, x: number, v: string): void {
    const s = this.s;
    s.kinds[kind]!++;
    if (kind === Kind.Integer || kind === Kind.Float) {
      this.observeNumber(x);
    } else if (kind === Kind.Date) {
      if (isIsoOrdered(v)) {
        if (s.dateMin === null || v < s.dateMin) s.dateMin = detach(v);
        if (s.dateMax === null || v > s.dateMax) s.dateMax = detach(v);
      }
    } else {
      s.textCount++;
      s.lengthSum += v.length;
      if (v.length > s.lengthMax) s.lengthMax = v.length;
      if (kind === Kind.Text && s.textExamples.length < 5 && !s.textExamples.includes(v)) {
        s.textExamples.push(detach(v.length > 40 ? `${v.slice(0, 40)}…` : v));
      }
    }
  }

  private observeNumber(x: number): void {
    const s = this.s;
    addMoment(s.moments, x);
    // While the exact map holds every value, quantiles come from it; the sketch starts at overflow.
    if (s.overflow) this.kll.update(x);
    if (x < s.min) s.min = x;
    if (x > s.max) s.max = x;
    if (x === 0) s.zeros++;
    else if (x < 0) s.negatives++;
    else if (x < s.minPositive) s.minPositive = x;
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

  private newSlot(key: string, hash: number, count: number): number {
    const slot = this.values.add(key, hash);
    this.counts.push(count);
    this.slotKind.push(-1);
    this.slotNumber.push(0);
    this.slotPii.push(null);
    this.slotTextPii.push(null);
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

  /** Adds a value's in-text personal data (worked out once for its slot) to the column's. */
  private countTextPii(found: TextPiiSummary): void {
    mergeTextPii(this.s.textPii, found);
  }

  private countPii(kind: PiiKind, v: string): void {
    const s = this.s;
    s.pii[kind] = (s.pii[kind] ?? 0) + 1;
    if (s.piiSamples.length < 3) s.piiSamples.push(maskPii(v, kind));
  }

  /** The exact map is full: seed a HyperLogLog with every value seen so far; from now on it counts. */
  private startEstimating(): void {
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
    this.s.kll = this.kll.toState();
    const values = new Map<string, number>();
    for (let slot = 0; slot < this.values.size; slot++) values.set(this.values.keys[slot]!, this.counts[slot]!);
    this.s.values = values;
    return this.s;
  }

  /** Folds another range's state of the same column into this one. */
  merge(o: ColumnState): void {
    const s = this.s;
    s.count += o.count;
    s.missing += o.missing;
    for (const [k, v] of Object.entries(o.markers)) s.markers[k] = (s.markers[k] ?? 0) + v;
    for (let i = 0; i < s.kinds.length; i++) s.kinds[i]! += o.kinds[i]!;
    s.moments = mergeMoments(s.moments, o.moments);
    s.min = Math.min(s.min, o.min);
    s.max = Math.max(s.max, o.max);
    s.zeros += o.zeros;
    s.negatives += o.negatives;
    s.minPositive = Math.min(s.minPositive, o.minPositive);
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
      } else if (!s.overflow && this.values.size < this.distinctLimit) this.newSlot(k, hash, c);
      else {
        if (!s.overflow) this.startEstimating();
        this.hll!.add(k);
        if (!theirsSketched) this.sketchValue(k, c);
      }
    }
    if (o.hll) this.hll!.merge(new HyperLogLog(o.hll));
    s.whitespace += o.whitespace;
    s.textCount += o.textCount;
    s.lengthSum += o.lengthSum;
    s.lengthMax = Math.max(s.lengthMax, o.lengthMax);
    if (o.dateMin !== null && (s.dateMin === null || o.dateMin < s.dateMin)) s.dateMin = o.dateMin;
    if (o.dateMax !== null && (s.dateMax === null || o.dateMax > s.dateMax)) s.dateMax = o.dateMax;
    for (const [k, v] of Object.entries(o.pii) as [PiiKind, number][]) s.pii[k] = (s.pii[k] ?? 0) + v;
    for (const sample of o.piiSamples) if (s.piiSamples.length < 3) s.piiSamples.push(sample);
    mergeTextPii(s.textPii, o.textPii);
    for (const example of o.textExamples) if (s.textExamples.length < 5 && !s.textExamples.includes(example)) s.textExamples.push(example);
  }

  /** Quantiles of the numeric values: exact from the map while it holds every value, else the sketch. */
  distribution(): Distribution {
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
