/**
 * BMP decoding, because sharp's prebuilt libvips reads JPEG, PNG, WebP, GIF, TIFF, HEIF and SVG
 * but not BMP (checked with `sharp.format`), and no BMP package is installed here. Handles what
 * Windows tools write: uncompressed 1/4/8-bit palettised and 16/24/32-bit images (BI_RGB and
 * BI_BITFIELDS), bottom-up or top-down. RLE-compressed files are refused with a clear reason.
 */

/** Decoded pixels, RGBA 8-bit, top row first. */
export interface RawImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** True when the buffer starts like a BMP file. */
export function isBmp(buffer: Uint8Array): boolean {
  return buffer.length > 26 && buffer[0] === 0x42 && buffer[1] === 0x4d;
}

function shiftOf(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/** Decodes a BMP; throws an Error saying what is unsupported or truncated. */
export function decodeBmp(buffer: Uint8Array, maxPixels: number): RawImage {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw new Error('an old OS/2 BMP header, not supported: save it as PNG');
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new Error(`invalid BMP size ${width} × ${rawHeight}`);
  if (width * height > maxPixels) throw new Error(`${width} × ${height} pixels is more than the ${maxPixels / 1e6} megapixels read`);
  if (compression !== 0 && compression !== 3) throw new Error('a compressed (RLE) BMP, not supported: save it as PNG');
  let masks = [0xff0000, 0xff00, 0xff, 0];
  if (bits === 16) masks = [0x7c00, 0x3e0, 0x1f, 0];
  if (compression === 3) {
    masks = [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true), headerSize >= 56 ? view.getUint32(66, true) : 0];
  } else if (bits === 32) masks = [0xff0000, 0xff00, 0xff, 0];
  const palette: number[][] = [];
  if (bits <= 8) {
    const colours = view.getUint32(46, true) || 1 << bits;
    const start = 14 + headerSize;
    for (let i = 0; i < colours; i++) palette.push([buffer[start + 4 * i + 2]!, buffer[start + 4 * i + 1]!, buffer[start + 4 * i]!]);
  } else if (![16, 24, 32].includes(bits)) throw new Error(`${bits}-bit BMP, not supported`);
  const stride = Math.floor((bits * width + 31) / 32) * 4;
  if (dataOffset + stride * height > buffer.length) throw new Error('the BMP file is truncated (fewer pixel rows than its header says)');
  const channels = masks.map(shiftOf);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (bits <= 8) {
        const bitPos = x * bits;
        const byte = buffer[row + (bitPos >> 3)]!;
        const index = (byte >> (8 - bits - (bitPos & 7))) & ((1 << bits) - 1);
        const c = palette[index] ?? [0, 0, 0];
        data[o] = c[0]!;
        data[o + 1] = c[1]!;
        data[o + 2] = c[2]!;
        data[o + 3] = 255;
      } else if (bits === 24) {
        data[o] = buffer[row + 3 * x + 2]!;
        data[o + 1] = buffer[row + 3 * x + 1]!;
        data[o + 2] = buffer[row + 3 * x]!;
        data[o + 3] = 255;
      } else {
        const v = bits === 16 ? view.getUint16(row + 2 * x, true) : view.getUint32(row + 4 * x, true);
        for (let c = 0; c < 4; c++) {
          const { shift, max } = channels[c]!;
          data[o + c] = max === 0 ? 255 : Math.round((((v & masks[c]!) >>> shift) * 255) / max);
        }
      }
    }
  }
  return { width, height, data };
}
