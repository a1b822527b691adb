/**
 * Small, fast, seeded hashing and random numbers. Everything the engine randomises (sketch
 * compaction, row sampling, bootstrap) draws from a seeded generator, so a report is reproducible.
 */
import { hashText, textHash } from '../csv/byte-parser.js';

/**
 * 32-bit FNV-1a of a string's UTF-16 code units, finished with murmur3's avalanche so every bit
 * mixes. Unseeded, it is `fmix32` of lane A of `hashText`, which is how a value read as bytes
 * gets the same hash without becoming a string.
 */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** murmur3's finaliser. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 52-bit hash of a list of fields (exactly representable as a double, so buckets of hashes
 * sort natively in a Float64Array), folded from each field's two 32-bit lanes (`hashText`, or
 * the byte parser's field hashes: the same numbers), so a field is hashed once whichever way it
 * was read. Each step is a bijection of the running state for a given field and of the field
 * for a given state: rows that differ in one field always hash apart.
 */
export class RowHasher {
  private a = 0;
  private b = 0;

  reset(): void {
    this.a = 0;
    this.b = 0;
  }

  /** Adds a field by its two lanes. */
  addLanes(a: number, b: number): void {
    const x = Math.imul(this.a ^ a, 0x9e3779b1);
    const y = Math.imul(this.b ^ b, 0x85ebca6b);
    this.a = (x << 13) | (x >>> 19);
    this.b = (y << 17) | (y >>> 15);
  }

  add(s: string): void {
    hashText(s);
    this.addLanes(textHash.a, textHash.b);
  }

  /** The hash as an integer in [0, 2^52). */
  value(): number {
    const hi = fmix32(this.a);
    const lo = fmix32(this.b ^ hi);
    return hi * 0x100000 + (lo >>> 12);
  }
}

/** xorshift128+ style generator (32-bit lanes): fast, seeded, good enough for sampling. */
export class Rng {
  private x: number;
  private y: number;
  private z: number;
  private w: number;

  constructor(seed: number) {
    this.x = fmix32(seed ^ 0x9e3779b9) || 1;
    this.y = fmix32(this.x ^ 0x85ebca6b) || 2;
    this.z = fmix32(this.y ^ 0xc2b2ae35) || 3;
    this.w = fmix32(this.z ^ 0x27d4eb2f) || 4;
  }

  /** A 32-bit unsigned integer. */
  nextU32(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.w;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/**
 * A copy of `s` that does not keep its source alive. V8 represents a substring of 13+ characters
 * as a view into the parent string — here the 1 MB chunk it was parsed from — so a value kept for
 * the whole scan (a distinct-value key, a sampled row) would pin its chunk, and memory would grow
 * with the file. Concatenating and slicing yields a flat copy of just this value.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
