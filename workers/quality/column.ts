/**
 * Streaming per-column accumulator: one `add` per cell, plain-data state so ranges read on other
 * threads can be merged. Everything here is O(1) memory per column except the exact distinct
 * map, which is capped and then replaced by a HyperLogLog estimate.
 */
import { detach } from './hash.js';
import { HyperLogLog } from './hll.js';
import { ExactDistribution, type Distribution } from './distribution.js';
import { KllSketch, type KllState } from './kll.js';
import { addMoment, emptyMoments, mergeMoments, type Moments } from './moments.js';
import { detectPii, maskPii, type PiiKind } from './pii.js';
import { Kind, classify, isIsoOrdered, parsed } from './values.js';

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
  /** A few values that are not numbers, kept to explain a MIXED_TYPES alert. */
  textExamples: string[];
}

export class ColumnAccumulator {
  readonly s: ColumnState;
  private kll: KllSketch;
  private hll: HyperLogLog | null = null;
  /** The exact counts while scanning: value → slot in `counts` (one map lookup per cell, not two). */
  private readonly index = new Map<string, number>();
  private readonly counts: number[] = [];
  /** Per slot: the value's kind (-1 until worked out), its number, and the personal data it is. */
  private readonly slotKind: number[] = [];
  private readonly slotNumber: number[] = [];
  private readonly slotPii: (PiiKind | null)[] = [];
  /** A cheap pre-check before the set lookup: most cells are longer than any marker or start differently. */
  private readonly markerMaxLength: number;
  private readonly markerFirst = new Uint8Array(128);

  constructor(
    name: string,
    private readonly missingMarkers: Set<string>,
    private readonly distinctLimit: number,
    seed: number,
    state?: ColumnState,
    /** The KLL sketch's floor capacity for its low compactors (smaller for wide files). */
    kllFloor = 16,
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
    if (this.s.hll) this.hll = new HyperLogLog(this.s.hll);
    for (const [key, count] of this.s.values) this.newSlot(key, count);
  }

  /** Adds one raw cell. Returns the trimmed value, or null when it is missing. */
  add(raw: string): string | null {
    const s = this.s;
    let v = raw;
    const n = raw.length;
    if (n > 0 && (raw.charCodeAt(0) <= 32 || raw.charCodeAt(n - 1) <= 32)) {
      v = raw.trim();
      if (v.length > 0) s.whitespace++;
    }
    if (v.length === 0 || (v.length <= this.markerMaxLength && this.markerFirst[v.charCodeAt(0) & 127] === 1 && this.missingMarkers.has(v))) {
      s.missing++;
      s.markers[v] = (s.markers[v] ?? 0) + 1;
      return null;
    }
    s.count++;
    if (!s.overflow) {
      // A value seen before reuses what was worked out about it (kind, number, personal data):
      // in low-cardinality columns this is the whole cost of a cell, one map lookup. Once the
      // map is full, only the HyperLogLog counts (looking up every value would cost more than
      // the rest of the cell), and top values become approximate.
      let slot = this.index.get(v);
      if (slot === undefined && this.index.size < this.distinctLimit) slot = this.newSlot(detach(v), 0);
      if (slot !== undefined) {
        this.counts[slot]!++;
        if (this.slotKind[slot] === -1) this.describeSlot(slot, v);
        const pii = this.slotPii[slot];
        if (pii) this.countPii(pii, v);
        this.observe(this.slotKind[slot]!, this.slotNumber[slot]!, v);
        return v;
      }
      this.startEstimating();
    }
    this.hll!.add(v);
    const kind = classify(v);
    const x = parsed.number;
    if (kind === Kind.Text || ((kind === Kind.Integer || kind === Kind.Float) && v.length >= 13)) {
      const pii = detectPii(v);
      if (pii) this.countPii(pii, v);
    }
    this.observe(kind, x, v);
    return v;
  }

  private observe(kind: number, x: number, v: string): void {
    const s = this.s;
    s.kinds[kind]!++;
    if (kind === Kind.Integer || kind === Kind.Float) {
      addMoment(s.moments, x);
      // While the exact map holds every value, quantiles come from it; the sketch starts at overflow.
      if (s.overflow) this.kll.update(x);
      if (x < s.min) s.min = x;
      if (x > s.max) s.max = x;
      if (x === 0) s.zeros++;
      else if (x < 0) s.negatives++;
      else if (x < s.minPositive) s.minPositive = x;
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

  private newSlot(key: string, count: number): number {
    const slot = this.counts.length;
    this.index.set(key, slot);
    this.counts.push(count);
    this.slotKind.push(-1);
    this.slotNumber.push(0);
    this.slotPii.push(null);
    return slot;
  }

  /** Works out a new value's kind, number and personal data once. */
  private describeSlot(slot: number, v: string): void {
    const kind = classify(v);
    this.slotKind[slot] = kind;
    this.slotNumber[slot] = kind === Kind.Integer || kind === Kind.Float ? parsed.number : 0;
    if (kind === Kind.Text || ((kind === Kind.Integer || kind === Kind.Float) && v.length >= 13)) this.slotPii[slot] = detectPii(v);
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
    for (const [key, slot] of this.index) {
      this.hll.add(key);
      this.sketchValue(key, this.counts[slot]!);
    }
  }

  /** Feeds a map entry to the quantile sketch if it is a number. */
  private sketchValue(key: string, count: number): void {
    const kind = classify(key);
    if (kind === Kind.Integer || kind === Kind.Float) this.kll.addWeighted(parsed.number, count);
  }

  /** The state with the sketch and the counts folded in (`s.values` is current after this), ready to post to another thread. */
  state(): ColumnState {
    this.s.kll = this.kll.toState();
    const values = new Map<string, number>();
    for (const [key, slot] of this.index) values.set(key, this.counts[slot]!);
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
      const slot = this.index.get(k);
      if (slot !== undefined) {
        this.counts[slot]! += c;
        if (s.overflow && !theirsSketched) this.sketchValue(k, c);
      } else if (!s.overflow && this.index.size < this.distinctLimit) this.newSlot(k, c);
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
    for (const example of o.textExamples) if (s.textExamples.length < 5 && !s.textExamples.includes(example)) s.textExamples.push(example);
  }

  /** Quantiles of the numeric values: exact from the map while it holds every value, else the sketch. */
  distribution(): Distribution {
    if (this.s.overflow) return this.kll;
    const pairs: [number, number][] = [];
    for (const [key, slot] of this.index) {
      const kind = classify(key);
      if (kind === Kind.Integer || kind === Kind.Float) pairs.push([parsed.number, this.counts[slot]!]);
    }
    return new ExactDistribution(pairs);
  }

  distinct(): { value: number; estimated: boolean } {
    if (this.hll) return { value: Math.max(this.hll.estimate(), this.index.size), estimated: true };
    return { value: this.index.size, estimated: false };
  }
}
