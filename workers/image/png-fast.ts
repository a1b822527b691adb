/**
 * A fast path for the commonest training picture: a PNG that is already the network's size and
 * format (8-bit greyscale for 1 channel, 8-bit RGB for 3; not interlaced; no transparency, colour
 * profile or gamma chunk that would change its pixels). Such a file needs no resizing or colour
 * conversion, so its pixels are the inflated, unfiltered scanlines: ~0.1 CPU-ms instead of
 * sharp's ~3 (Fashion-MNIST's 70,000 28 × 28 PNGs: ~200 CPU-s of decoding, measured). Anything
 * else, and any file whose chunks or checksums are not exactly right, returns null and goes
 * through sharp (decode.ts), which gives the error messages. Checked equal to sharp's output.
 */
import { crc32, inflateSync } from 'node:zlib';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Chunks that change what the pixels mean (transparency, colour profiles, gamma, …): left to sharp. */
const MEANINGFUL = new Set(['tRNS', 'gAMA', 'cHRM', 'iCCP', 'sRGB', 'sBIT', 'PLTE', 'eXIf', 'cICP', 'acTL']);

/** The pixels (side × side × channels bytes) when the file is such a PNG, else null. */
export function fastPng(bytes: Uint8Array, side: number, channels: 1 | 3): Uint8Array | null {
  if (bytes.length < 57) return null;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let offset = 8;
  let header = false;
  let ended = false;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const end = offset + 12 + length;
    if (end > bytes.length) return null;
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) return null;
    if (!header) {
      // IHDR: width, height, bit depth 8, colour type 0 (grey) or 2 (RGB), no interlace.
      if (type !== 'IHDR' || length !== 13) return null;
      const colourType = body[9];
      if (view.getUint32(offset + 8) !== side || view.getUint32(offset + 12) !== side || body[8] !== 8) return null;
      if (colourType !== (channels === 1 ? 0 : 2) || body[10] !== 0 || body[11] !== 0 || body[12] !== 0) return null;
      header = true;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') {
      ended = true;
      break;
    } else if (MEANINGFUL.has(type)) return null;
    offset = end;
  }
  if (!header || !ended || idat.length === 0) return null;
  let raw: Buffer;
  try {
    raw = inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat));
  } catch {
    return null;
  }
  const stride = side * channels;
  if (raw.length !== side * (stride + 1)) return null;
  const out = new Uint8Array(side * stride);
  const bpp = channels;
  for (let y = 0; y < side; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x]!;
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[prev + x]! : 0;
      const c = x >= bpp && y > 0 ? out[prev + x - bpp]! : 0;
      let p: number;
      if (filter === 0) p = v;
      else if (filter === 1) p = v + a;
      else if (filter === 2) p = v + b;
      else if (filter === 3) p = v + ((a + b) >> 1);
      else if (filter === 4) {
        const e = a + b - c;
        const da = Math.abs(e - a);
        const db = Math.abs(e - b);
        const dc = Math.abs(e - c);
        p = v + (da <= db && da <= dc ? a : db <= dc ? b : c);
      } else return null;
      out[row + x] = p & 255;
    }
  }
  return out;
}
