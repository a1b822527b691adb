import { describe, expect, it, beforeAll } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeContext } from '../../../workers/protocol.js';
import { SKIPPED_LISTED, scanImages } from '../../../workers/image/scan.js';
import { listImages } from '../../../workers/image/files.js';
import { MAX_PIXELS, loadImage, pixels } from '../../../workers/image/decode.js';
import { dHash, hamming, nearPairs } from '../../../workers/image/hash.js';
import { blobs, handBmp, handPng, hugePng, noise, png, writeBytes } from './images.js';
import { lcg } from './random.js';

let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'image-scan-'));
  for (let i = 0; i < 6; i++) await png(join(root, 'cat', `c${i}.png`), await blobs(40, 40, 3, i + 1), 40, 40, 3);
  for (let i = 0; i < 6; i++) await png(join(root, 'dog', `d${i}.png`), await blobs(40, 40, 3, 100 + i), 40, 40, 3);
  copyFileSync(join(root, 'cat', 'c0.png'), join(root, 'cat', 'c0-copy.png')); // exact duplicate, same class
  copyFileSync(join(root, 'cat', 'c1.png'), join(root, 'dog', 'c1-as-dog.png')); // conflicting label
  // Near duplicate: the same picture as JPEG, slightly brighter.
  writeBytes(join(root, 'dog', 'd2-bright.jpg'), await sharp(join(root, 'dog', 'd2.png')).linear(1, 8).jpeg({ quality: 90 }).toBuffer());
  writeBytes(join(root, 'dog', 'cmyk.jpg'), await sharp(noise(32, 32, 3, 7), { raw: { width: 32, height: 32, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer());
  writeBytes(join(root, 'dog', 'grey16.png'), handPng(20, 20, 16, (x) => x * 3000));
  writeBytes(join(root, 'dog', 'pic.bmp'), handBmp(20, 20, (x, y) => [x * 10, y * 10, 128]));
  writeBytes(join(root, 'dog', 'anim.gif'), await sharp(noise(30, 30, 3, 9), { raw: { width: 30, height: 30, channels: 3 } }).gif().toBuffer());
  writeBytes(join(root, 'dog', 'pic.webp'), await sharp(noise(30, 30, 3, 11), { raw: { width: 30, height: 30, channels: 3 } }).webp().toBuffer());
  await png(join(root, 'dog', 'alpha.png'), Buffer.alloc(16 * 16 * 4), 16, 16, 4); // fully transparent → white, and blank
  const good = readFileSync(join(root, 'dog', 'd0.png'));
  writeBytes(join(root, 'dog', 'truncated.png'), good.subarray(0, Math.floor(good.length / 2)));
  // A real, complete 20,000 × 20,000 PNG (one grey level: 430 kB on disk, 400 MB decoded).
  writeBytes(join(root, 'dog', 'huge.png'), await hugePng());
  writeFileSync(join(root, 'dog', 'notes.txt'), 'not a picture');
  writeFileSync(join(root, 'dog', 'fake.jpg'), 'not a picture either');
  mkdirSync(join(root, 'empty'));
  symlinkSync('..', join(root, 'cat', 'loop'));
  writeFileSync(join(root, 'stray.png'), good);
}, 60_000);

describe('listing a class-per-folder tree', () => {
  it('lists images per class, skips non-images, a link loop and loose files, and notes the empty class', async () => {
    const listing = await listImages(root);
    expect(listing.classes).toEqual(['cat', 'dog', 'empty']);
    expect(listing.emptyClasses).toEqual(['empty']);
    expect(listing.entries.filter((e) => e.label === 'cat')).toHaveLength(7);
    expect(listing.skipped.map((s) => s.path).sort()).toEqual([join(root, 'stray.png'), 'cat/loop', 'dog/notes.txt'].sort());
    expect(listing.skipped.find((s) => s.path === 'cat/loop')!.reason).toMatch(/link back/);
  });

  it('refuses a folder without pictures with a message that says what to do', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'image-empty-'));
    mkdirSync(join(empty, 'a'));
    await expect(listImages(empty)).rejects.toThrow(/one subfolder per class/);
  });
});

describe('decoding', () => {
  it('BMP (sharp lacks it) decodes to the pixels written', async () => {
    const image = await loadImage(join(root, 'dog', 'pic.bmp'));
    expect(image.format).toBe('bmp');
    const px = await pixels(image, 20, 20, 3);
    // Pixel (x=3, y=5) was written as (30, 50, 128); same size, so no resampling.
    const o = (5 * 20 + 3) * 3;
    expect([px[o], px[o + 1], px[o + 2]]).toEqual([30, 50, 128]);
  });

  it('16-bit greyscale becomes 8-bit (value / 257), alpha is flattened onto white, CMYK becomes 3 channels', async () => {
    const g = await pixels(await loadImage(join(root, 'dog', 'grey16.png')), 20, 20, 1);
    expect(g[10]).toBe(Math.round((10 * 3000) / 257));
    const a = await pixels(await loadImage(join(root, 'dog', 'alpha.png')), 16, 16, 3);
    expect(a.every((v) => v === 255)).toBe(true);
    const c = await loadImage(join(root, 'dog', 'cmyk.jpg'));
    expect(c.space).toBe('cmyk');
    expect((await pixels(c, 8, 8, 3)).length).toBe(8 * 8 * 3);
  });

  it('refuses a 20,000 × 20,000 picture and a truncated file with reasons', async () => {
    const huge = readFileSync(join(root, 'dog', 'huge.png'));
    // Real: its header says 20,000 × 20,000 and sharp's own pixel limit (what decoding runs under) refuses its pixels.
    expect(await sharp(huge, { limitInputPixels: false }).metadata()).toMatchObject({ width: 20000, height: 20000, format: 'png' });
    await expect(sharp(huge, { limitInputPixels: MAX_PIXELS }).raw().toBuffer()).rejects.toThrow(/exceeds pixel limit/);
    const rss = process.memoryUsage().rss;
    await expect(loadImage(join(root, 'dog', 'huge.png'))).rejects.toThrow(/20000 × 20000 pixels is more than the 50 megapixels read per image: scale it down/);
    // Refused from the header: nothing near its 400 MB of pixels was decoded.
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 2 ** 20);
    await expect(loadImage(join(root, 'dog', 'truncated.png')).then((i) => pixels(i, 8, 8, 3))).rejects.toThrow(/cannot be decoded|not a readable image/);
  }, 20_000);
});

describe('perceptual hash', () => {
  it('dHash of a falling gradient is all ones, of a rising one all zeros; hamming counts bits', () => {
    const falling = Uint8Array.from({ length: 72 }, (_, i) => 200 - (i % 9) * 10);
    const rising = Uint8Array.from({ length: 72 }, (_, i) => (i % 9) * 10);
    expect(dHash(falling)).toBe('ffffffffffffffff');
    expect(dHash(rising)).toBe('0000000000000000');
    expect(hamming('ff00', '0f01')).toBe(5);
  });

  it('the bucket search finds exactly the pairs a brute-force search finds', () => {
    const hashes: string[] = [];
    const next = lcg(5);
    for (let i = 0; i < 300; i++) hashes.push(next().toString(16).padStart(8, '0') + next().toString(16).padStart(8, '0'));
    // Plant near copies: flip 1–3 bits of some hashes.
    for (let i = 0; i < 40; i++) {
      const base = BigInt(`0x${hashes[i * 7]!}`);
      let v = base;
      for (let b = 0; b <= i % 3; b++) v ^= 1n << BigInt((i * 13 + b * 29) % 64);
      hashes.push(v.toString(16).padStart(16, '0'));
    }
    const brute: string[] = [];
    for (let a = 0; a < hashes.length; a++) for (let b = a + 1; b < hashes.length; b++) if (hamming(hashes[a]!, hashes[b]!) <= 3) brute.push(`${a},${b}`);
    expect(nearPairs(hashes, 3).map((p) => `${p.a},${p.b}`)).toEqual(brute);
    expect(brute.length).toBeGreaterThanOrEqual(40);
  });
});

describe('scanImages', () => {
  it('reports counts, unreadable files, duplicates, conflicting labels and the empty class as alerts', async () => {
    const report = await scanImages(root, makeContext());
    const byLabel = Object.fromEntries(report.classes.map((c) => [c.label, c]));
    expect(byLabel['cat']!.count).toBe(7);
    // dog: 6 noise + copy of c1 + bright jpeg + cmyk + grey16 + bmp + gif + webp + alpha = 14 readable.
    expect(byLabel['dog']!.count).toBe(14);
    expect(byLabel['dog']!.blank).toBe(1);
    expect(byLabel['cat']!.thumbnails[0]).toMatch(/^data:image\/png;base64,/);
    expect(report.unreadable.map((u) => u.path).sort()).toEqual(['dog/fake.jpg', 'dog/huge.png', 'dog/truncated.png']);
    expect(report.exactDuplicates.map((g) => g.paths.sort())).toEqual(expect.arrayContaining([['cat/c0-copy.png', 'cat/c0.png'], ['cat/c1.png', 'dog/c1-as-dog.png']]));
    expect(report.nearDuplicates.some((p) => [p.a, p.b].sort().join() === 'dog/d2-bright.jpg,dog/d2.png')).toBe(true);
    expect(report.conflictingLabels).toBe(2);
    const codes = report.alerts.map((a) => a.code);
    expect(codes).toEqual(expect.arrayContaining(['EMPTY_CLASS', 'UNREADABLE_FILES', 'EXACT_DUPLICATES', 'NEAR_DUPLICATES', 'CONFLICTING_LABELS', 'BLANK_IMAGES', 'NOT_IMAGES', 'LINK_PROBLEMS']));
    expect(report.alerts.every((a) => a.fix.length > 0)).toBe(true);
    expect(report.leakage).toBeNull();
    expect(report.score).toBeLessThan(50);
  }, 30_000);

  it('lists at most 1,000 left-out files in its report and counts them all, in the total and the alert', async () => {
    const many = mkdtempSync(join(tmpdir(), 'image-many-skipped-'));
    for (const label of ['a', 'b']) {
      mkdirSync(join(many, label));
      for (let i = 0; i < 4; i++) copyFileSync(join(root, 'cat', `c${i}.png`), join(many, label, `p${i}.png`));
    }
    for (let i = 0; i < SKIPPED_LISTED + 250; i++) writeFileSync(join(many, 'a', `note-${i}.txt`), 'not a picture');
    const report = await scanImages(many, makeContext());
    expect(report.images).toBe(8);
    expect(report.skipped).toHaveLength(SKIPPED_LISTED);
    expect(report.skippedTotal).toBe(SKIPPED_LISTED + 250);
    expect(report.alerts.find((a) => a.code === 'NOT_IMAGES')!.message).toMatch(new RegExp(`^${SKIPPED_LISTED + 250} files are not images`));
  }, 60_000);

  it('finds train/test leakage in a split-folder tree', async () => {
    const split = mkdtempSync(join(tmpdir(), 'image-split-'));
    for (const part of ['train', 'test']) {
      for (const cls of ['a', 'b']) for (let i = 0; i < 3; i++) await png(join(split, part, cls, `${i}.png`), noise(24, 24, 1, (part === 'train' ? 1 : 50) + i + (cls === 'a' ? 0 : 10)), 24, 24, 1);
    }
    copyFileSync(join(split, 'train', 'a', '0.png'), join(split, 'test', 'a', 'leak.png'));
    const report = await scanImages(split, makeContext());
    expect(report.layout).toBe('split-folders');
    expect(report.leakage!.pairs).toBe(1);
    expect(report.alerts.map((a) => a.code)).toContain('TRAIN_TEST_LEAKAGE');
  }, 30_000);
});
