#!/usr/bin/env node
/**
 * Builds test/fixtures/fashion-mnist-small/: a stratified subset of Fashion-MNIST as a
 * class-per-folder PNG tree, train/<class>/*.png and test/<class>/*.png.
 *
 * Source: the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/, the IDX
 * files of Zalando Research's Fashion-MNIST, MIT licence). The first TRAIN images of each class in
 * the training file (in file order) and the first TEST of each class in the test file are taken,
 * so the subset is the same every time it is rebuilt.
 *
 * Run:   node bench/make-fashion-fixture.mjs [--train 60] [--test 30] [--classes a,b,…] [--flat] [--out DIR]
 *
 * --classes keeps only those classes; --flat writes <class>/*.png without the train/ level (the
 * transfer-learning backbone fixture: `--train 400 --test 0 --classes t-shirt,trouser,pullover,dress,coat
 * --flat --out test/fixtures/fashion-mnist-backbone`).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SRC = '/usr/share/datasets/fashion-mnist';
export const CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

/** Reads an IDX file (gzip): images as [n][rows*cols] bytes, labels as bytes. */
export function readIdx(path) {
  const buf = gunzipSync(readFileSync(path));
  const magic = buf.readUInt32BE(0);
  const dims = magic & 0xff;
  const shape = Array.from({ length: dims }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  return { shape, data: buf.subarray(4 + 4 * dims) };
}

async function write(split, imagesFile, labelsFile, perClass, out, keep = CLASSES, flat = false) {
  const images = readIdx(join(SRC, imagesFile));
  const labels = readIdx(join(SRC, labelsFile));
  const [n, rows, cols] = images.shape;
  const taken = CLASSES.map((c) => (keep.includes(c) ? 0 : perClass));
  for (let i = 0; i < n && taken.some((t) => t < perClass); i++) {
    const label = labels.data[i];
    if (taken[label] >= perClass) continue;
    taken[label]++;
    const dir = flat ? join(out, CLASSES[label]) : join(out, split, CLASSES[label]);
    mkdirSync(dir, { recursive: true });
    const pixels = images.data.subarray(i * rows * cols, (i + 1) * rows * cols);
    const png = await sharp(Buffer.from(pixels), { raw: { width: cols, height: rows, channels: 1 } }).toColourspace('b-w').png({ compressionLevel: 9 }).toBuffer();
    writeFileSync(join(dir, `${split}-${String(i).padStart(5, '0')}.png`), png);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = arg('--out', join(root, 'test', 'fixtures', 'fashion-mnist-small'));
  rmSync(join(out, 'train'), { recursive: true, force: true });
  rmSync(join(out, 'test'), { recursive: true, force: true });
  const keep = arg('--classes', CLASSES.join(',')).split(',');
  const flat = process.argv.includes('--flat');
  if (flat) for (const c of keep) rmSync(join(out, c), { recursive: true, force: true });
  await write('train', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', Number(arg('--train', 60)), out, keep, flat);
  if (Number(arg('--test', 30)) > 0) await write('test', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', Number(arg('--test', 30)), out, keep, flat);
  console.log(`wrote ${out}`);
}
