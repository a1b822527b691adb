import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { inspectImage, pixels } from '../../../workers/image/decode.js';
import { fastPng } from '../../../workers/image/png-fast.js';
import { handPng, noise } from './images.js';

const fixture = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit PNG encoded by hand with row y filtered by filter y % 5 (none, sub, up, average, Paeth), IDAT split in two. */
function filteredPng(side: number, channels: 1 | 3, px: Uint8Array, extra: Buffer[] = [], interlace = 0): Buffer {
  const stride = side * channels;
  const rows = Buffer.alloc(side * (stride + 1));
  for (let y = 0; y < side; y++) {
    const f = y % 5;
    rows[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const v = px[y * stride + x]!;
      const a = x >= channels ? px[y * stride + x - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels]! : 0;
      const e = a + b - c;
      const paeth = Math.abs(e - a) <= Math.abs(e - b) && Math.abs(e - a) <= Math.abs(e - c) ? a : Math.abs(e - b) <= Math.abs(e - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f]!;
      rows[y * (stride + 1) + 1 + x] = (v - pred) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 1 ? 0 : 2;
  ihdr[12] = interlace;
  const z = deflateSync(rows);
  const half = z.length >> 1;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), ...extra, chunk('IDAT', z.subarray(0, half)), chunk('IDAT', z.subarray(half)), chunk('IEND', Buffer.alloc(0))]);
}

async function viaSharp(bytes: Buffer, side: number, channels: 1 | 3): Promise<Uint8Array> {
  return pixels(await inspectImage({ bytes, sha256: '' }), side, side, channels);
}

describe('fast PNG path', () => {
  it('gives sharp’s pixels for every picture of the Fashion-MNIST fixture', async () => {
    let checked = 0;
    for (const part of ['train', 'test']) {
      for (const cls of readdirSync(join(fixture, part))) {
        for (const f of readdirSync(join(fixture, part, cls))) {
          const bytes = readFileSync(join(fixture, part, cls, f));
          const fast = fastPng(bytes, 28, 1);
          expect(fast).not.toBeNull();
          expect(Buffer.from(fast!).equals(Buffer.from(await viaSharp(bytes, 28, 1)))).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(800);
  }, 120_000);

  it('undoes all five row filters, grey and RGB, over split IDAT chunks, as sharp does', async () => {
    for (const channels of [1, 3] as const) {
      for (const side of [5, 17, 32]) {
        const px = new Uint8Array(noise(side, side, channels, side * 7 + channels));
        const bytes = filteredPng(side, channels, px);
        const fast = fastPng(bytes, side, channels);
        expect(fast).not.toBeNull();
        expect(Buffer.from(fast!).equals(Buffer.from(px))).toBe(true);
        expect(Buffer.from(await viaSharp(bytes, side, channels)).equals(Buffer.from(px))).toBe(true);
      }
    }
  });

  it('leaves to sharp what it cannot decode exactly: other sizes, formats, transparency, profiles, damage', async () => {
    const px = new Uint8Array(noise(16, 16, 1, 3));
    const good = filteredPng(16, 1, px);
    expect(fastPng(good, 16, 1)).not.toBeNull();
    expect(fastPng(good, 28, 1)).toBeNull(); // needs resizing
    expect(fastPng(good, 16, 3)).toBeNull(); // grey picture, colour network
    expect(fastPng(filteredPng(16, 3, new Uint8Array(noise(16, 16, 3, 4))), 16, 1)).toBeNull(); // colour picture, grey network
    expect(fastPng(filteredPng(16, 1, px, [chunk('tRNS', Buffer.from([0, 0]))]), 16, 1)).toBeNull();
    expect(fastPng(filteredPng(16, 1, px, [chunk('gAMA', Buffer.from([0, 0, 177, 143]))]), 16, 1)).toBeNull();
    expect(fastPng(filteredPng(16, 1, px, [], 1), 16, 1)).toBeNull(); // interlaced
    expect(fastPng(handPng(16, 16, 16, (x, y) => x * 4000 + y), 16, 1)).toBeNull(); // 16-bit
    const corrupt = Buffer.from(good);
    corrupt[good.length - 20]! ^= 0xff; // inside the last IDAT: its CRC no longer matches
    expect(fastPng(corrupt, 16, 1)).toBeNull();
    expect(fastPng(good.subarray(0, good.length - 30), 16, 1)).toBeNull(); // truncated
    expect(fastPng(await sharp(Buffer.from(px), { raw: { width: 16, height: 16, channels: 1 } }).jpeg().toBuffer(), 16, 1)).toBeNull();
    // Unknown ancillary chunks (text) do not change pixels and are skipped.
    expect(fastPng(filteredPng(16, 1, px, [chunk('tEXt', Buffer.from('Comment\0hello'))]), 16, 1)).not.toBeNull();
  });
});
