/** Real image files for tests, written with sharp or byte by byte (formats sharp does not write). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { lcg } from './random.js';

function write(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** Seeded noise pixels (LCG), so each picture differs and hashes far from the others. */
export function noise(width: number, height: number, channels: number, seed: number): Buffer {
  const next = lcg(seed);
  const out = Buffer.alloc(width * height * channels);
  for (let i = 0; i < out.length; i++) out[i] = next() >>> 24;
  return out;
}

/** A smooth random picture (6 × 6 noise enlarged), so recompressed copies keep their perceptual hash. */
export async function blobs(width: number, height: number, channels: 1 | 3, seed: number): Promise<Buffer> {
  return sharp(noise(6, 6, channels, seed), { raw: { width: 6, height: 6, channels } }).resize(width, height, { kernel: 'cubic' }).raw().toBuffer();
}

export async function png(path: string, raw: Buffer, width: number, height: number, channels: 1 | 2 | 3 | 4): Promise<void> {
  write(path, await sharp(raw, { raw: { width, height, channels } }).png().toBuffer());
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A greyscale PNG written by hand: `bitDepth` 8 or 16, rows of `values` (0–65535 for 16-bit). */
export function handPng(width: number, height: number, bitDepth: 8 | 16, values: (x: number, y: number) => number, claimed?: { width: number; height: number }): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(claimed?.width ?? width, 0);
  ihdr.writeUInt32BE(claimed?.height ?? height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = 0;
  const bytes = bitDepth / 8;
  const rows = Buffer.alloc(height * (1 + width * bytes));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * (1 + width * bytes) + 1 + x * bytes;
      if (bitDepth === 16) rows.writeUInt16BE(values(x, y), o);
      else rows[o] = values(x, y);
    }
  }
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** A 24-bit bottom-up BMP written by hand from RGB pixels (top row first). */
export function handBmp(width: number, height: number, rgb: (x: number, y: number) => [number, number, number]): Buffer {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + stride * height;
  const b = Buffer.alloc(size);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(size, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const [r, g, bl] = rgb(x, y);
      b[row + 3 * x] = bl;
      b[row + 3 * x + 1] = g;
      b[row + 3 * x + 2] = r;
    }
  }
  return b;
}

/** A real, complete 20,000 × 20,000 greyscale PNG of one grey level (~430 kB; libvips streams it, ~5 s). */
export async function hugePng(): Promise<Buffer> {
  return sharp({ create: { width: 20000, height: 20000, channels: 3, background: '#808080' }, limitInputPixels: false })
    .toColourspace('b-w')
    .png({ compressionLevel: 9 })
    .toBuffer();
}

export { write as writeBytes };
