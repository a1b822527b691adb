/**
 * Turning the listed files into training arrays: every image decoded once to side × side ×
 * channels bytes (what memory holds: 28 × 28 × 1 = 784 bytes an image), seeded stratified splits,
 * per-channel normalisation measured on the training split only, and seeded augmentation.
 */
import { createHash } from 'node:crypto';
import { UserInputError, throwIfCancelled, type JobContext } from '../protocol.js';
import { Rng } from '../trainer/random.js';
import { splitRows } from '../trainer/split.js';
import sharp from 'sharp';
import { ImageReadError, conversionsOf, inspectImage, loadImage, pixels, readImageFile, type ImageFile } from './decode.js';
import { fastPng } from './png-fast.js';
import type { ImageEntry, ImageListing } from './files.js';

/** Decoded pictures: `x` is n × side × side × channels bytes, `y` class indices. */
export interface ImageSet {
  side: number;
  channels: 1 | 3;
  n: number;
  x: Uint8Array;
  y: Int32Array;
  rel: string[];
  /** From a test/ folder (true) or the training pool. */
  fromTest: Uint8Array;
}

/** Normalisation saved with the model: (pixel / 255 − mean[c]) / std[c]. */
export interface Normalisation {
  mean: number[];
  std: number[];
}

/** Picks the input side from the pictures: their median shorter side, within 28–96, a multiple of 4. */
export function chooseSide(shorterSides: number[]): number {
  const s = [...shorterSides].sort((a, b) => a - b);
  const median = s[s.length >> 1] ?? 32;
  return Math.min(96, Math.max(28, Math.round(median / 4) * 4));
}

/** Stratified sample of at most `max` entries (seeded), keeping the listing's order. */
export function sampleEntries(entries: ImageEntry[], max: number, seed: number): ImageEntry[] {
  if (entries.length <= max) return entries;
  const rng = new Rng(seed);
  const keep = new Set(rng.shuffle(entries.map((_, i) => i)).slice(0, max) as number[]);
  return entries.filter((_, i) => keep.has(i));
}

/** Decodes entries; unreadable ones are returned with reasons, never fatal. */
export async function decodeAll(
  entries: ImageEntry[],
  classes: string[],
  side: number,
  channels: 1 | 3,
  ctx: JobContext,
  onProgress: (done: number) => void,
): Promise<{ set: ImageSet; unreadable: { path: string; reason: string }[]; fileHashes: string[]; conversions: Record<string, number> }> {
  const size = side * side * channels;
  const x = new Uint8Array(entries.length * size);
  const y = new Int32Array(entries.length);
  const fromTest = new Uint8Array(entries.length);
  const rel: string[] = [];
  const fileHashes: string[] = [];
  const unreadable: { path: string; reason: string }[] = [];
  // How many pictures each conversion was applied to (CMYK to sRGB, 16-bit to 8-bit, …).
  const conversions: Record<string, number> = {};
  let n = 0;
  // A few files in flight (sharp decodes on libuv's pool) with libvips' own threading off: for
  // small pictures its per-image thread hand-offs cost more than the decoding (Fashion-MNIST's
  // 28 × 28 PNGs: 145 → 297 images/s on 2 busy cores, measured). Results are taken in listing order.
  const previous = sharp.concurrency();
  sharp.concurrency(1);
  type Decoded = { file: ImageFile; data: Uint8Array; conversions?: string[] } | { error: unknown };
  // Never rejects (a rejection waiting in the window would be an unhandled one): errors come back as values.
  // PNGs already at the network's size and format skip sharp (png-fast.ts: same pixels, ~30× less CPU).
  const decode = async (entry: ImageEntry): Promise<Decoded> => {
    try {
      const file = await readImageFile(entry.path);
      const fast = fastPng(file.bytes, side, channels);
      if (fast) return { file, data: fast };
      const image = await inspectImage(file);
      return { file, data: await pixels(image, side, side, channels), conversions: conversionsOf(image, channels) };
    } catch (error) {
      return { error };
    }
  };
  const inFlight: Promise<Decoded>[] = [];
  const window = 4;
  try {
    for (let i = 0; i < Math.min(window, entries.length); i++) inFlight.push(decode(entries[i]!));
    for (const [i, entry] of entries.entries()) {
      if (i % 64 === 0) {
        throwIfCancelled(ctx.signal);
        onProgress(i);
      }
      const result = await inFlight[i]!;
      delete inFlight[i];
      if (i + window < entries.length) inFlight[i + window] = decode(entries[i + window]!);
      if ('error' in result) {
        if (!(result.error instanceof ImageReadError)) throw result.error;
        unreadable.push({ path: entry.rel, reason: result.error.message });
        continue;
      }
      for (const c of result.conversions ?? []) conversions[c] = (conversions[c] ?? 0) + 1;
      x.set(result.data, n * size);
      y[n] = classes.indexOf(entry.label);
      fromTest[n] = entry.split === 'test' ? 1 : 0;
      rel.push(entry.rel);
      fileHashes.push(`${entry.rel}\t${result.file.bytes.length}\t${result.file.sha256}`);
      n++;
    }
  } finally {
    sharp.concurrency(previous);
  }
  return { set: { side, channels, n, x: x.subarray(0, n * size), y: y.subarray(0, n), rel, fromTest: fromTest.subarray(0, n) }, unreadable, fileHashes, conversions };
}

/** SHA-256 over the sorted (relative path, size, file SHA-256) lines. */
export function datasetHash(lines: string[]): string {
  return createHash('sha256')
    .update([...lines].sort().join('\n'))
    .digest('hex');
}

/** Whether the listing's first pictures of each class are all greyscale (then 1 channel is used). */
export async function looksGreyscale(listing: ImageListing, perClass = 20): Promise<boolean> {
  const seen = new Map<string, number>();
  for (const entry of listing.entries) {
    const count = seen.get(entry.label) ?? 0;
    if (count >= perClass) continue;
    seen.set(entry.label, count + 1);
    try {
      const image = await loadImage(entry.path);
      if (image.channels > 2 && !['b-w', 'grey16'].includes(image.space)) return false;
    } catch {
      // Unreadable files are reported by decodeAll.
    }
  }
  return true;
}

/** Train / validation / test indices: a test/ folder when there is one, else a seeded stratified split. */
export function splitSet(
  set: ImageSet,
  fractions: { validation: number; test: number },
  seed: number,
): { train: number[]; validation: number[]; test: number[] } {
  const hasTest = set.fromTest.some((v) => v === 1);
  if (!hasTest) return splitRows(set.n, fractions, seed, set.y);
  const pool = Array.from({ length: set.n }, (_, i) => i).filter((i) => set.fromTest[i] === 0);
  const inner = splitRows(
    pool.length,
    { validation: fractions.validation, test: 0 },
    seed,
    Int32Array.from(pool, (i) => set.y[i]!),
  );
  // splitRows keeps one row per class for test even at fraction 0; here those belong to train.
  return {
    train: [...inner.train, ...inner.test].sort((a, b) => a - b).map((i) => pool[i]!),
    validation: inner.validation.map((i) => pool[i]!),
    test: Array.from({ length: set.n }, (_, i) => i).filter((i) => set.fromTest[i] === 1),
  };
}

/** Per-channel mean and std of the given images (0–1 scale). */
export function normalisationOf(set: ImageSet, rows: number[]): Normalisation {
  const c = set.channels;
  const size = set.side * set.side * c;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  for (const r of rows) {
    const base = r * size;
    for (let p = 0; p < size; p++) {
      const v = set.x[base + p]! / 255;
      sum[p % c]! += v;
      sq[p % c]! += v * v;
    }
  }
  const count = (rows.length * size) / c;
  const mean = Array.from(sum, (s) => s / Math.max(count, 1));
  const std = Array.from(sq, (s, i) => Math.max(Math.sqrt(Math.max(s / Math.max(count, 1) - mean[i]! ** 2, 0)), 1e-3));
  return { mean, std };
}

/**
 * Refuses data a classifier cannot learn from, with what to do. `unreadable` (the files decoding
 * left out) is named in the message when it is why a class has too few pictures.
 */
export function checkClasses(set: ImageSet, classes: string[], unreadable: { path: string; reason: string }[] = []): void {
  const counts = classes.map((_, c) => set.y.reduce((s, v) => s + (v === c ? 1 : 0), 0));
  const usable = counts.filter((n) => n > 0).length;
  const because = unreadable.length > 0 ? ` ${unreadable.length} files could not be read, e.g. ${unreadable[0]!.path} (${unreadable[0]!.reason}).` : '';
  if (usable < 2)
    throw new UserInputError(
      `${usable === 1 ? `Only one class ("${classes[counts.findIndex((n) => n > 0)]}") has` : 'No class has'} readable pictures; a classifier needs at least two.${because} Add a subfolder of readable pictures (JPEG, PNG, WebP, GIF, BMP or TIFF) for each other class.`,
    );
  const tooFew = classes.filter((_, c) => counts[c]! > 0 && counts[c]! < 3);
  if (tooFew.length > 0)
    throw new UserInputError(
      `The classes ${tooFew.map((t) => `"${t}"`).join(', ')} have fewer than 3 readable pictures: too few to train, validate and test on.${because} Add pictures, or remove those folders.`,
    );
}

/** One picture's augmentation: a left–right flip, a shift (dx, dy pixels, edge pixels repeated), a brightness gain. */
export interface Augmentation {
  flip: boolean;
  dx: number;
  dy: number;
  gain: number;
}

/** No augmentation: the picture as is. */
export const AS_IS: Augmentation = { flip: false, dx: 0, dy: 0, gain: 1 };

/**
 * Draws one picture's augmentation from `rng`: a left–right flip (when allowed), a shift of up to
 * 10 % of the side and a brightness change of ±10 %, in this order (the generator's use is part of
 * what a seed reproduces).
 */
export function drawAugmentation(rng: Rng, side: number, flips: boolean): Augmentation {
  const maxShift = Math.max(1, Math.round(side * 0.1));
  const flip = flips && rng.next() < 0.5;
  const dx = rng.int(2 * maxShift + 1) - maxShift;
  const dy = rng.int(2 * maxShift + 1) - maxShift;
  return { flip, dx, dy, gain: 0.9 + 0.2 * rng.next() };
}

/** Writes picture `row` of `set`, augmented by `a`, normalised, at `out[offset…]`. */
export function fillPicture(set: ImageSet, row: number, norm: Normalisation, out: Float32Array, offset: number, a: Augmentation): void {
  const { side, channels: c } = set;
  const base = row * side * side * c;
  for (let y = 0; y < side; y++) {
    const sy = Math.min(side - 1, Math.max(0, y + a.dy));
    for (let x = 0; x < side; x++) {
      let sx = Math.min(side - 1, Math.max(0, x + a.dx));
      if (a.flip) sx = side - 1 - sx;
      const src = base + (sy * side + sx) * c;
      const dst = offset + (y * side + x) * c;
      for (let k = 0; k < c; k++) out[dst + k] = (Math.min(255, set.x[src + k]! * a.gain) / 255 - norm.mean[k]!) / norm.std[k]!;
    }
  }
}

/**
 * Fills `out` (batch × side × side × channels, normalised floats) with the rows' pictures,
 * augmented when `rng` is given (`drawAugmentation`).
 */
export function fillBatch(set: ImageSet, rows: ArrayLike<number>, norm: Normalisation, out: Float32Array, rng: Rng | null, flips: boolean): void {
  const size = set.side * set.side * set.channels;
  for (let b = 0; b < rows.length; b++) fillPicture(set, rows[b]!, norm, out, b * size, rng ? drawAugmentation(rng, set.side, flips) : AS_IS);
}
