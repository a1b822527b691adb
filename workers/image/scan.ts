/**
 * The image dataset scan: per class counts, thumbnails and size distribution; unreadable files;
 * exact (SHA-256) and near (dHash) duplicates within a class, across classes (a conflicting label)
 * and across train/test (leakage); class imbalance; tiny and blank pictures. One file is decoded
 * at a time and only its hashes and a few numbers are kept, so 100,000 files fit in memory.
 * Findings become alerts with a fix, in the same shape as the tabular quality report's.
 */
import { judgeQuality } from '../quality/alerts.js';
import type { Alert, QualityReport, Severity } from '../quality/report.js';
import { throwIfCancelled, type JobContext } from '../protocol.js';
import { ImageReadError, loadImage, thumbnail } from './decode.js';
import { listImages, listingStage, type ImageEntry, type ImageListing, type SkippedFile } from './files.js';
import { dHash, nearPairs } from './hash.js';

/** Below this many pixels on the shorter side a picture is "tiny". */
export const TINY_SIDE = 16;
/** A greyscale standard deviation below this (0–255 scale) is a blank picture. */
export const BLANK_STD = 2;
/** Hamming distance (of 64 bits) up to which two pictures are near-duplicate candidates. */
export const NEAR_DISTANCE = 3;
/**
 * A candidate pair is confirmed when the 16 × 16 greyscale versions differ by at most this mean
 * absolute difference (0–255). dHash alone matched 140 pairs of different garments among the
 * 900 Fashion-MNIST fixture pictures (small, centred, similar shapes); this check removes them.
 */
export const NEAR_PIXEL_DIFF = 12;
/** …and when their correlation is at least this (a dark background alone keeps the difference small). */
export const NEAR_CORRELATION = 0.95;

/** min / median / max of a quantity. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** One class of the dataset. */
export interface ImageClassReport {
  label: string;
  /** Readable images. */
  count: number;
  /** Images that could not be decoded. */
  unreadable: number;
  /** Up to 6 PNG data URLs (48 px). */
  thumbnails: string[];
  width: Spread;
  height: Spread;
  /** Width / height. */
  aspect: Spread;
  /** Mean greyscale brightness 0–255 (for drift checks later). */
  brightness: Spread;
  tiny: number;
  blank: number;
}

/** Facts kept per readable file. */
export interface ScannedImage {
  rel: string;
  label: string;
  split: 'train' | 'test' | null;
  sha256: string;
  dhash: string;
  width: number;
  height: number;
  brightness: number;
  contrast: number;
  /** 16 × 16 greyscale pixels, to confirm near duplicates. */
  grey16: Uint8Array;
}

/** A group of identical files. */
export interface DuplicateGroup {
  sha256: string;
  paths: string[];
  labels: string[];
}

/** Two near-identical pictures. */
export interface NearPair {
  a: string;
  b: string;
  labelA: string;
  labelB: string;
  /** Differing bits of 64. */
  distance: number;
}

/** What `scanImages` returns. */
export interface ImageScanReport {
  source: string;
  layout: ImageListing['layout'];
  /** Readable images. */
  images: number;
  classes: ImageClassReport[];
  unreadable: SkippedFile[];
  /** Files left out of the listing, the first `SKIPPED_LISTED` of them (the alerts count them all). */
  skipped: SkippedFile[];
  /** How many files were left out in all (a folder of 100,000 non-pictures lists 1,000 and counts the rest). */
  skippedTotal: number;
  emptyClasses: string[];
  exactDuplicates: DuplicateGroup[];
  nearDuplicates: NearPair[];
  /** Pictures (exact or near) that appear under two different labels. */
  conflictingLabels: number;
  /** Test pictures with an exact or near copy in train (split-folder layout only; null otherwise). */
  leakage: { pairs: number; examples: NearPair[] } | null;
  /** Largest class count / smallest (∞ written as 0 when a class is empty). */
  imbalanceRatio: number;
  /**
   * 0–100: 100 minus the weight of the alerts (error 25, warning 8, info 2), capped as the tabular
   * quality score is (`judgeQuality`: 69 while an error stands).
   */
  score: number;
  /** The score before the cap; null when no cap applied. */
  scoreBeforeCap: number | null;
  /** The headline above the score, naming the worst finding first (as the tabular report's). */
  verdict: QualityReport['verdict'];
  alerts: Alert[];
  elapsedMs: number;
}

function spread(values: number[]): Spread {
  if (values.length === 0) return { min: 0, median: 0, max: 0 };
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { min: s[0]!, median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, max: s[s.length - 1]! };
}

/** Hashes and measures one file (throws ImageReadError when it cannot be used). */
export async function scanOne(entry: ImageEntry): Promise<{ facts: ScannedImage; thumb: () => Promise<string> }> {
  const image = await loadImage(entry.path);
  let grey: Buffer;
  let small: Buffer;
  try {
    grey = await image.pipeline().toColourspace('srgb').greyscale().resize(9, 8, { fit: 'fill' }).raw({ depth: 'uchar' }).toBuffer();
    small = await image.pipeline().toColourspace('srgb').greyscale().resize(32, 32, { fit: 'fill' }).raw({ depth: 'uchar' }).toBuffer();
  } catch (error) {
    throw new ImageReadError(`cannot be decoded (${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)})`);
  }
  let sum = 0;
  let sq = 0;
  for (const v of small) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / small.length;
  const grey16 = new Uint8Array(256);
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      const o = y * 64 + x * 2;
      grey16[y * 16 + x] = (small[o]! + small[o + 1]! + small[o + 32]! + small[o + 33]! + 2) >> 2;
    }
  }
  const facts: ScannedImage = {
    rel: entry.rel,
    label: entry.label,
    split: entry.split,
    sha256: image.sha256,
    dhash: dHash(new Uint8Array(grey.buffer, grey.byteOffset, grey.length)),
    width: image.width,
    height: image.height,
    brightness: mean,
    contrast: Math.sqrt(Math.max(0, sq / small.length - mean * mean)),
    grey16,
  };
  return { facts, thumb: () => thumbnail(image) };
}

/** Scans a dataset folder or CSV. */
export async function scanImages(source: string, ctx: JobContext, options: { pathColumn?: string; labelColumn?: string } = {}): Promise<ImageScanReport> {
  const started = Date.now();
  ctx.progress({ fraction: 0, stage: 'Listing pictures' });
  const listing = await listImages(source, { ...options, onProgress: (looked) => ctx.progress({ fraction: 0, stage: listingStage(looked) }), signal: ctx.signal });
  const facts: ScannedImage[] = [];
  const unreadable: SkippedFile[] = [];
  const thumbs = new Map<string, string[]>();
  const unreadableByClass = new Map<string, number>();
  for (const [i, entry] of listing.entries.entries()) {
    if (i % 64 === 0) {
      throwIfCancelled(ctx.signal);
      ctx.progress({ fraction: i / listing.entries.length, stage: `Scanning images (${i}/${listing.entries.length})` });
    }
    try {
      const { facts: f, thumb } = await scanOne(entry);
      facts.push(f);
      const list = thumbs.get(entry.label) ?? [];
      if (list.length < 6) {
        list.push(await thumb());
        thumbs.set(entry.label, list);
      }
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      unreadable.push({ path: entry.rel, reason: error.message });
      unreadableByClass.set(entry.label, (unreadableByClass.get(entry.label) ?? 0) + 1);
    }
  }
  const classes: ImageClassReport[] = listing.classes.map((label) => {
    const own = facts.filter((f) => f.label === label);
    return {
      label,
      count: own.length,
      unreadable: unreadableByClass.get(label) ?? 0,
      thumbnails: thumbs.get(label) ?? [],
      width: spread(own.map((f) => f.width)),
      height: spread(own.map((f) => f.height)),
      aspect: spread(own.map((f) => Math.round((f.width / f.height) * 1000) / 1000)),
      brightness: spread(own.map((f) => Math.round(f.brightness * 10) / 10)),
      tiny: own.filter((f) => Math.min(f.width, f.height) < TINY_SIDE).length,
      blank: own.filter((f) => f.contrast < BLANK_STD).length,
    };
  });
  const report = duplicates(facts);
  const counts = classes.map((c) => c.count);
  const largest = Math.max(...counts);
  const smallest = Math.min(...counts);
  const partial = {
    source,
    layout: listing.layout,
    images: facts.length,
    classes,
    unreadable,
    skipped: listing.skipped,
    emptyClasses: classes.filter((c) => c.count === 0).map((c) => c.label),
    ...report,
    imbalanceRatio: smallest > 0 ? Math.round((largest / smallest) * 100) / 100 : 0,
  };
  const alerts = imageAlerts(partial);
  const weight: Record<Severity, number> = { error: 25, warning: 8, info: 2 };
  const score = Math.max(0, 100 - alerts.reduce((s, a) => s + weight[a.severity], 0));
  // The report is stored and sent to the page: its list of left-out files is bounded, the alerts above counted them all.
  const skipped = partial.skipped.length > SKIPPED_LISTED ? partial.skipped.slice(0, SKIPPED_LISTED) : partial.skipped;
  return { ...partial, skipped, skippedTotal: partial.skipped.length, ...judgeQuality(score, alerts), alerts, elapsedMs: Date.now() - started };
}

/** At most this many left-out files are listed in a scan report. */
export const SKIPPED_LISTED = 1_000;

/** Whether two 16 × 16 greyscale versions are the same picture (small difference, high correlation). */
function samePicture(a: Uint8Array, b: Uint8Array): boolean {
  let d = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    d += Math.abs(a[i]! - b[i]!);
    sa += a[i]!;
    sb += b[i]!;
  }
  if (d / a.length > NEAR_PIXEL_DIFF) return false;
  const ma = sa / a.length;
  const mb = sb / b.length;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < a.length; i++) {
    cov += (a[i]! - ma) * (b[i]! - mb);
    va += (a[i]! - ma) ** 2;
    vb += (b[i]! - mb) ** 2;
  }
  // Flat pictures are compared by difference alone (they are reported as blank anyway).
  return va === 0 || vb === 0 ? true : cov / Math.sqrt(va * vb) >= NEAR_CORRELATION;
}

function duplicates(facts: ScannedImage[]): Pick<ImageScanReport, 'exactDuplicates' | 'nearDuplicates' | 'conflictingLabels' | 'leakage'> {
  const bySha = new Map<string, ScannedImage[]>();
  for (const f of facts) bySha.set(f.sha256, [...(bySha.get(f.sha256) ?? []), f]);
  const exactDuplicates = [...bySha.entries()]
    .filter(([, list]) => list.length > 1)
    .map(([sha256, list]) => ({ sha256, paths: list.map((f) => f.rel), labels: list.map((f) => f.label) }));
  const pairs = nearPairs(
    facts.map((f) => f.dhash),
    NEAR_DISTANCE,
  ).filter((p) => facts[p.a]!.sha256 !== facts[p.b]!.sha256 && samePicture(facts[p.a]!.grey16, facts[p.b]!.grey16));
  const nearDuplicates = pairs.map((p) => ({ a: facts[p.a]!.rel, b: facts[p.b]!.rel, labelA: facts[p.a]!.label, labelB: facts[p.b]!.label, distance: p.distance }));
  const conflicted = new Set<string>();
  for (const g of exactDuplicates) if (new Set(g.labels).size > 1) g.paths.forEach((p) => conflicted.add(p));
  for (const p of nearDuplicates) if (p.labelA !== p.labelB) [p.a, p.b].forEach((x) => conflicted.add(x));
  let leakage: ImageScanReport['leakage'] = null;
  if (facts.some((f) => f.split === 'test')) {
    const split = new Map(facts.map((f) => [f.rel, f.split]));
    const crossing: NearPair[] = [];
    for (const g of exactDuplicates) {
      const train = g.paths.find((p) => split.get(p) === 'train');
      const test = g.paths.find((p) => split.get(p) === 'test');
      if (train && test) crossing.push({ a: train, b: test, labelA: g.labels[g.paths.indexOf(train)]!, labelB: g.labels[g.paths.indexOf(test)]!, distance: 0 });
    }
    for (const p of nearDuplicates) if (split.get(p.a) !== split.get(p.b)) crossing.push(p);
    leakage = { pairs: crossing.length, examples: crossing.slice(0, 20) };
  }
  return { exactDuplicates: exactDuplicates.slice(0, 200), nearDuplicates: nearDuplicates.slice(0, 200), conflictingLabels: conflicted.size, leakage };
}

/** Alerts with a fix for each finding. */
export function imageAlerts(r: Omit<ImageScanReport, 'score' | 'scoreBeforeCap' | 'verdict' | 'alerts' | 'elapsedMs' | 'skippedTotal'>): Alert[] {
  const out: Alert[] = [];
  const add = (code: string, severity: Severity, message: string, fix: string, column: string | null = null) => out.push({ code, severity, column, message, fix });
  const usable = r.classes.filter((c) => c.count > 0);
  if (usable.length < 2) add('ONE_CLASS', 'error', `${usable.length === 1 ? `Only one class ("${usable[0]!.label}") has` : 'No class has'} readable images; a classifier needs at least two.`, 'Add a subfolder of pictures for each other class.');
  for (const label of r.emptyClasses) add('EMPTY_CLASS', 'error', `The class folder "${label}" has no readable image.`, 'Add pictures to it, or remove the folder.', label);
  for (const c of usable) {
    if (c.count < 10) add('FEW_IMAGES', 'warning', `"${c.label}" has only ${c.count} images.`, 'Collect at least 50 per class; 10 is too few to learn or to measure a class.', c.label);
    if (c.tiny > 0) add('TINY_IMAGES', 'info', `${c.tiny} pictures of "${c.label}" are smaller than ${TINY_SIDE} px on a side.`, 'Check they are real photos, not icons or thumbnails.', c.label);
    if (c.blank > 0) add('BLANK_IMAGES', 'warning', `${c.blank} pictures of "${c.label}" are blank (one flat colour).`, 'Remove them: they teach the model nothing, or mark a camera fault.', c.label);
  }
  // Among the classes with pictures: an empty class (its own error) must not hide the imbalance of the others.
  const sorted = [...usable].sort((a, b) => a.count - b.count);
  const ratio = sorted.length >= 2 ? Math.round((sorted[sorted.length - 1]!.count / sorted[0]!.count) * 100) / 100 : 0;
  if (ratio > 5) {
    add('CLASS_IMBALANCE', ratio > 20 ? 'warning' : 'info', `The largest class ("${sorted[sorted.length - 1]!.label}", ${sorted[sorted.length - 1]!.count}) has ${ratio}× the images of the smallest ("${sorted[0]!.label}", ${sorted[0]!.count}).`, 'Collect more of the small classes; training weights the classes to compensate, and balanced accuracy is reported beside accuracy.');
  }
  if (r.unreadable.length > 0) {
    const ex = r.unreadable.slice(0, 3).map((u) => `${u.path} (${u.reason})`).join('; ');
    add('UNREADABLE_FILES', 'warning', `${r.unreadable.length} files could not be read as images, e.g. ${ex}.`, 'Re-export or delete them; they are left out of training.');
  }
  const notImages = r.skipped.filter((s) => s.reason.startsWith('not an image'));
  if (notImages.length > 0) add('NOT_IMAGES', 'info', `${notImages.length} files are not images (e.g. ${notImages[0]!.path}) and were ignored.`, 'Nothing to do, unless they are pictures with an unusual extension: rename them.');
  const loops = r.skipped.filter((s) => s.reason.includes('link'));
  if (loops.length > 0) add('LINK_PROBLEMS', 'warning', `${loops.length} links were broken or looped back (e.g. ${loops[0]!.path}).`, 'Fix or remove the links so each folder is read once.');
  const sameLabel = r.exactDuplicates.filter((g) => new Set(g.labels).size === 1);
  if (sameLabel.length > 0) add('EXACT_DUPLICATES', 'warning', `${sameLabel.length} pictures are stored more than once (e.g. ${sameLabel[0]!.paths.slice(0, 2).join(' = ')}).`, 'Delete the extra copies: they inflate the count and can land in both training and test.');
  const near = r.nearDuplicates.filter((p) => p.labelA === p.labelB);
  if (near.length > 0) add('NEAR_DUPLICATES', 'info', `${near.length} pairs of pictures are near-identical (e.g. ${near[0]!.a} ≈ ${near[0]!.b}).`, 'Check for burst shots or resized copies; keep one of each.');
  if (r.conflictingLabels > 0) {
    const ex = r.exactDuplicates.find((g) => new Set(g.labels).size > 1);
    const exNear = r.nearDuplicates.find((p) => p.labelA !== p.labelB);
    const example = ex ? `${ex.paths[0]} (${ex.labels[0]}) = ${ex.paths[1]} (${ex.labels[1]})` : exNear ? `${exNear.a} (${exNear.labelA}) ≈ ${exNear.b} (${exNear.labelB})` : '';
    add('CONFLICTING_LABELS', 'error', `${r.conflictingLabels} pictures appear under two different classes, e.g. ${example}.`, 'Decide the right class for each and delete the wrong copy.');
  }
  if (r.leakage && r.leakage.pairs > 0) {
    const e = r.leakage.examples[0]!;
    add('TRAIN_TEST_LEAKAGE', 'error', `${r.leakage.pairs} test pictures have a copy in train (e.g. ${e.b} ≈ ${e.a}); the test score would be too optimistic.`, 'Remove the copies from test (or from train).');
  }
  return out;
}


/**
 * The training run's own check of its split, needing no scan: test pictures whose exact copy (the
 * same bytes) is among the pictures it learned from (training or validation), and identical files
 * under two classes. In a one-folder-per-class dataset only the run knows which copies its seeded
 * split put on both sides. Same codes and shape as the scan's alerts; the version's verdict reads
 * them (`result.quality.alerts`, as a text run's).
 */
export function splitAlerts(rows: { rel: string; sha256: string; label: string }[], split: { train: number[]; validation: number[]; test: number[] }): Alert[] {
  const out: Alert[] = [];
  const learned = new Map<string, number>();
  for (const r of [...split.train, ...split.validation]) if (!learned.has(rows[r]!.sha256)) learned.set(rows[r]!.sha256, r);
  const leaks = split.test.filter((r) => learned.has(rows[r]!.sha256));
  if (leaks.length > 0) {
    const t = rows[leaks[0]!]!;
    const a = rows[learned.get(t.sha256)!]!;
    out.push({ code: 'TRAIN_TEST_LEAKAGE', severity: 'error', column: null, message: `${leaks.length} test ${leaks.length === 1 ? 'picture has' : 'pictures have'} an identical copy among the training pictures (e.g. ${t.rel} = ${a.rel}); the test score is too optimistic.`, fix: 'Remove the copies from test (or from train) and train again.' });
  }
  const bySha = new Map<string, number[]>();
  rows.forEach((r, i) => bySha.set(r.sha256, [...(bySha.get(r.sha256) ?? []), i]));
  const conflicted = [...bySha.values()].filter((list) => new Set(list.map((i) => rows[i]!.label)).size > 1);
  if (conflicted.length > 0) {
    const list = conflicted[0]!;
    const other = list.find((i) => rows[i]!.label !== rows[list[0]!]!.label)!;
    const pictures = conflicted.reduce((s, l) => s + l.length, 0);
    out.push({ code: 'CONFLICTING_LABELS', severity: 'error', column: null, message: `${pictures} pictures appear under two different classes, e.g. ${rows[list[0]!]!.rel} (${rows[list[0]!]!.label}) = ${rows[other]!.rel} (${rows[other]!.label}).`, fix: 'Decide the right class for each and delete the wrong copy.' });
  }
  return out;
}
