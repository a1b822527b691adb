/**
 * Row hashes spilled to disk in buckets, so duplicate rows, conflicting labels and train/test
 * overlap are counted exactly with flat memory: each range appends fixed-width records of
 * doubles to one file per bucket (bucket = top bits of the first hash); afterwards one bucket at
 * a time is loaded and sorted. Memory is one bucket, a small fraction of 8 bytes per row.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const BUFFERED_RECORDS = 8192;

export class SpillWriter {
  private readonly buffers: Float64Array[];
  private readonly fill: number[];
  private readonly fds: (number | null)[];
  /** Files written, one per bucket that received records. */
  readonly files: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    readonly width: number,
    readonly buckets: number,
  ) {
    this.buffers = Array.from({ length: buckets }, () => new Float64Array(BUFFERED_RECORDS * width));
    this.fill = new Array<number>(buckets).fill(0);
    this.fds = new Array<number | null>(buckets).fill(null);
  }

  /** Appends one record; `a` (a 52-bit hash) chooses the bucket. */
  add(a: number, b = 0, c = 0): void {
    const bucket = bucketOf(a, this.buckets);
    const buffer = this.buffers[bucket]!;
    let at = this.fill[bucket]!;
    buffer[at++] = a;
    if (this.width > 1) buffer[at++] = b;
    if (this.width > 2) buffer[at++] = c;
    this.fill[bucket] = at;
    if (at === buffer.length) this.flush(bucket);
  }

  private flush(bucket: number): void {
    const at = this.fill[bucket]!;
    if (at === 0) return;
    let fd = this.fds[bucket]!;
    if (fd === null) {
      const file = spillFile(this.dir, this.prefix, bucket);
      fd = openSync(file, 'w');
      this.fds[bucket] = fd;
      this.files.push(file);
    }
    const bytes = this.buffers[bucket]!.subarray(0, at);
    writeSync(fd, new Uint8Array(bytes.buffer, bytes.byteOffset, at * 8));
    this.fill[bucket] = 0;
  }

  close(): void {
    for (let b = 0; b < this.buckets; b++) {
      this.flush(b);
      const fd = this.fds[b];
      if (fd !== null && fd !== undefined) closeSync(fd);
      this.fds[b] = null;
    }
  }
}

export function bucketOf(hash52: number, buckets: number): number {
  return Math.floor(hash52 / 0x10000000000000 * buckets);
}

export function spillFile(dir: string, prefix: string, bucket: number): string {
  return join(dir, `${prefix}-b${bucket}.bin`);
}

/** Loads one bucket written under several prefixes (one per range) as one array of records. */
export function loadBucket(dir: string, prefixes: string[], bucket: number, written: Set<string>): Float64Array {
  const parts: Buffer[] = [];
  for (const prefix of prefixes) {
    const file = spillFile(dir, prefix, bucket);
    if (written.has(file)) parts.push(readFileSync(file));
  }
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Float64Array(total / 8);
  let at = 0;
  for (const part of parts) {
    new Uint8Array(out.buffer).set(part, at);
    at += part.length;
  }
  return out;
}

/** Column `k` of fixed-width records, as its own array. */
export function column(records: Float64Array, width: number, k: number): Float64Array {
  if (width === 1) return records;
  const out = new Float64Array(records.length / width);
  for (let i = 0, j = k; i < out.length; i++, j += width) out[i] = records[j]!;
  return out;
}

/** Hashes per bucket up to which `extraCopies` uses a set (16 bytes per hash) rather than sorting in place. */
const SET_LIMIT = 1 << 21;

/**
 * Extra copies in a list of hashes (n minus distinct). Counted with an open-addressing set
 * indexed by the hashes' low bits (they are uniform): about three times cheaper than V8's
 * typed-array sort, which was half the time after the scan on a 1 GB file. A bucket too big for
 * the set (files of very short rows) is sorted in place instead, so memory stays bounded.
 */
export function extraCopies(hashes: Float64Array): number {
  const n = hashes.length;
  let extra = 0;
  if (n > SET_LIMIT) {
    hashes.sort();
    for (let i = 1; i < n; i++) if (hashes[i] === hashes[i - 1]) extra++;
    return extra;
  }
  let size = 16;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  // Hashes are integers in [0, 2^52): -1 marks an empty entry, and `h >>> 0` is h mod 2^32.
  const table = new Float64Array(size).fill(-1);
  for (let k = 0; k < n; k++) {
    const h = hashes[k]!;
    for (let i = (h >>> 0) & mask; ; i = (i + 1) & mask) {
      const t = table[i]!;
      if (t === -1) {
        table[i] = h;
        break;
      }
      if (t === h) {
        extra++;
        break;
      }
    }
  }
  return extra;
}

/**
 * Feature groups (identical features) whose rows carry more than one target value.
 * Records are [featureHash, rowHash, targetHash], bucketed by the feature hash.
 */
export function conflicts(records: Float64Array): { groups: number; rows: number } {
  const features = column(records, 3, 0);
  features.sort();
  const repeated = new Set<number>();
  for (let i = 1; i < features.length; i++) if (features[i] === features[i - 1]) repeated.add(features[i]!);
  if (repeated.size === 0) return { groups: 0, rows: 0 };
  const targets = new Map<number, { rows: number; targets: Set<number> }>();
  for (let j = 0; j < records.length; j += 3) {
    const f = records[j]!;
    if (!repeated.has(f)) continue;
    let entry = targets.get(f);
    if (!entry) targets.set(f, (entry = { rows: 0, targets: new Set() }));
    entry.rows++;
    entry.targets.add(records[j + 2]!);
  }
  let groups = 0;
  let rows = 0;
  for (const entry of targets.values()) {
    if (entry.targets.size > 1) {
      groups++;
      rows += entry.rows;
    }
  }
  return { groups, rows };
}

/** How many of `probe`'s hashes occur in `reference` (sorted in place). */
export function overlapCount(reference: Float64Array, probe: Float64Array): number {
  reference.sort();
  let count = 0;
  for (const h of probe) {
    let lo = 0;
    let hi = reference.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = reference[mid]!;
      if (v === h) {
        count++;
        break;
      }
      if (v < h) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return count;
}
