/**
 * KLL quantile sketch (Karnin, Lang, Liberty 2016), in the simple form of Liberty's reference
 * implementation: a stack of compactors whose capacities shrink geometrically with depth; a full
 * compactor sorts itself and promotes every other item (random offset) with double weight.
 * Mergeable, so ranges read on different threads combine. With k = 400 the rank error is well
 * under 1 % (about 1.7 / k in practice).
 *
 * Speed: compactors are Float64Arrays, and the bottom compactors have a floor capacity
 * (`minCapacity`), so compaction runs once per many items. A larger low compactor only makes the
 * sketch more accurate; the engine lowers the floor for wide files to bound memory. A compactor
 * above the bottom one mostly holds a few sorted runs (each compaction below promotes one), so
 * it is merged rather than sorted: V8's typed-array sort costs about 50 ns per item, and sorting
 * every level was a tenth of a whole 1 GB scan. What must be sorted is radix-sorted in
 * WebAssembly (`sort.ts`, about a third of the native sort's time). The sorted order is the same
 * either way.
 */
import { Rng } from './hash.js';
import { sortDoubles } from './sort.js';

export const KLL_K = 400;
const C = 2 / 3;

/** The plain-data form of a sketch, to cross a thread boundary. */
export interface KllState {
  compactors: Float64Array[];
  n: number;
}

export class KllSketch {
  private levels: Float64Array[] = [];
  private lengths: number[] = [];
  /** Capacity per level, recomputed when the stack grows. */
  private capacities: number[] = [];
  /** Items seen. */
  n = 0;
  private readonly rng: Rng;

  constructor(
    seed = 1,
    private readonly minCapacity = 16,
    private readonly k = KLL_K,
  ) {
    this.rng = new Rng(seed);
    this.addLevel();
  }

  static fromState(state: KllState, seed = 1, minCapacity = 16): KllSketch {
    const sketch = new KllSketch(seed, minCapacity);
    sketch.merge(state);
    return sketch;
  }

  toState(): KllState {
    return { compactors: this.levels.map((l, h) => l.slice(0, this.lengths[h])), n: this.n };
  }

  update(x: number): void {
    const level = this.levels[0]!;
    let len = this.lengths[0]!;
    level[len++] = x;
    this.lengths[0] = len;
    this.n++;
    if (len >= level.length) this.compact(0);
  }

  /** Adds `x` with weight `count`: one copy at each level whose bit is set (level h weighs 2^h). */
  addWeighted(x: number, count: number): void {
    this.n += count;
    for (let h = 0; count > 0; h++, count = Math.floor(count / 2)) if (count % 2 === 1) this.push(h, x);
  }

  merge(other: KllSketch | KllState): void {
    const theirs = other instanceof KllSketch ? other.toState().compactors : other.compactors;
    while (this.levels.length < theirs.length) this.addLevel();
    for (let h = 0; h < theirs.length; h++) for (const x of theirs[h]!) this.push(h, x);
    this.n += other.n;
  }

  /** The value at quantile `q` (0..1), or NaN when empty. */
  quantile(q: number): number {
    const { values, weights, total } = this.weighted();
    if (values.length === 0) return Number.NaN;
    const target = q * total;
    let cumulative = 0;
    for (let i = 0; i < values.length; i++) {
      cumulative += weights[i]!;
      if (cumulative >= target) return values[i]!;
    }
    return values[values.length - 1]!;
  }

  /** The fraction of items ≤ x (< x when `strict`). */
  cdf(x: number, strict = false): number {
    let below = 0;
    let total = 0;
    this.each((v, w) => {
      total += w;
      if (v < x || (!strict && v === x)) below += w;
    });
    return total === 0 ? Number.NaN : below / total;
  }

  /** Counts per bin for `edges` (length bins + 1), estimated from the sketch and scaled to n. */
  histogram(edges: number[]): number[] {
    const bins = new Array<number>(Math.max(edges.length - 1, 0)).fill(0);
    const lo = edges[0]!;
    const width = (edges[edges.length - 1]! - lo) / bins.length;
    let total = 0;
    this.each((v, w) => {
      total += w;
      let b = width > 0 ? Math.floor((v - lo) / width) : 0;
      if (b >= bins.length) b = bins.length - 1;
      if (b < 0) b = 0;
      bins[b]! += w;
    });
    const scale = total > 0 ? this.n / total : 0;
    return bins.map((c) => Math.round(c * scale));
  }

  private each(f: (v: number, w: number) => void): void {
    for (let h = 0; h < this.levels.length; h++) {
      const w = 2 ** h;
      const level = this.levels[h]!;
      for (let i = 0; i < this.lengths[h]!; i++) f(level[i]!, w);
    }
  }

  /** Items sorted with their weights, cached until the next update (queries come in batches at the end). */
  private weighted(): { values: number[]; weights: number[]; total: number } {
    if (this.cache && this.cache.n === this.n) return this.cache;
    const pairs: [number, number][] = [];
    let total = 0;
    this.each((v, w) => {
      pairs.push([v, w]);
      total += w;
    });
    pairs.sort((a, b) => a[0] - b[0]);
    this.cache = { n: this.n, values: pairs.map((p) => p[0]), weights: pairs.map((p) => p[1]), total };
    return this.cache;
  }

  private cache: { n: number; values: number[]; weights: number[]; total: number } | null = null;

  private capacity(height: number): number {
    const depth = this.levels.length - height - 1;
    return Math.max(Math.ceil(this.k * C ** depth), this.minCapacity) + 1;
  }

  /** Adds a level on top; every level's capacity is recomputed (a deeper stack shrinks the low ones). */
  private addLevel(): void {
    this.levels.push(new Float64Array(0));
    this.lengths.push(0);
    this.capacities = this.levels.map((_, h) => this.capacity(h));
    for (let h = 0; h < this.levels.length; h++) {
      const cap = this.capacities[h]!;
      const old = this.levels[h]!;
      // Keep room for what a level holds now; it compacts as soon as it reaches its capacity.
      const size = Math.max(cap, this.lengths[h]! + 1);
      if (old.length !== size) {
        const next = new Float64Array(size);
        next.set(old.subarray(0, Math.min(this.lengths[h]!, size)));
        this.levels[h] = next;
      }
    }
  }

  private push(h: number, x: number): void {
    // `addWeighted` may skip levels: a count of 4 goes straight to level 2.
    while (h >= this.levels.length) this.addLevel();
    let level = this.levels[h]!;
    if (this.lengths[h]! >= level.length) {
      const grown = new Float64Array(level.length * 2);
      grown.set(level);
      this.levels[h] = level = grown;
    }
    level[this.lengths[h]!++] = x;
    if (this.lengths[h]! >= this.capacities[h]!) this.compact(h);
  }

  /** Sorts level h and promotes every other item (random offset) to level h + 1. */
  private compact(h: number): void {
    if (h + 1 >= this.levels.length) this.addLevel();
    let len = this.lengths[h]!;
    // Sorted in place: pushing to the level above never writes to this array (a new stack level
    // replaces it with an empty one, and `keep` goes into whichever array is current).
    const sorted = this.levels[h]!;
    this.sortPrefix(sorted, len);
    const keep = len % 2 === 1 ? sorted[--len]! : null;
    this.lengths[h] = 0;
    const offset = this.rng.nextU32() & 1;
    for (let i = offset; i < len; i += 2) this.push(h + 1, sorted[i]!);
    if (keep !== null) this.levels[h]![this.lengths[h]!++] = keep;
  }

  /**
   * Sorts `a[0, len)` as `Float64Array.prototype.sort` does (-0 before 0): a few ascending runs
   * are merged, anything else is radix-sorted (`sort.ts`).
   */
  private sortPrefix(a: Float64Array, len: number): void {
    const starts = this.runStarts;
    starts.length = 0;
    starts.push(0);
    for (let i = 1; i < len; i++) {
      if (before(a[i]!, a[i - 1]!)) {
        if (starts.length === MAX_RUNS) {
          sortDoubles(a, len);
          return;
        }
        starts.push(i);
      }
    }
    if (starts.length === 1) return;
    if (this.scratch.length < len) this.scratch = new Float64Array(Math.max(len, 2 * this.scratch.length));
    // Merge the first run with each next one, through the scratch buffer.
    const scratch = this.scratch;
    starts.push(len);
    for (let r = 1; r + 1 < starts.length; r++) {
      const mid = starts[r]!;
      const end = starts[r + 1]!;
      let i = 0;
      let j = mid;
      let k = 0;
      while (i < mid && j < end) scratch[k++] = before(a[j]!, a[i]!) ? a[j++]! : a[i++]!;
      while (i < mid) scratch[k++] = a[i++]!;
      while (j < end) scratch[k++] = a[j++]!;
      a.set(scratch.subarray(0, end));
    }
  }

  private readonly runStarts: number[] = [];
  private scratch = new Float64Array(0);
}

/** Sorted runs merged at most (beyond, the native sort is cheaper). */
const MAX_RUNS = 4;

/** `x` sorts before `y` in `Float64Array.prototype.sort`'s order (numbers are never NaN here). */
function before(x: number, y: number): boolean {
  return x < y || (x === 0 && y === 0 && 1 / x < 1 / y);
}
