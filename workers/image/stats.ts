/**
 * Simple statistics of one picture, the columns image drift compares: brightness (mean luma,
 * 0–255, Rec. 601 weights 0.299 R + 0.587 G + 0.114 B; the grey value itself for grey pictures),
 * contrast (standard deviation of luma, population), width, height, aspect ratio (width ÷ height)
 * and, for colour models, the mean of each channel. Pixels are read as sRGB with alpha flattened
 * onto white (as for training), from the picture shrunk to fit 512 px when larger (the statistics
 * barely move, the cost of a 12-megapixel photo drops 40-fold); size and aspect are the original's.
 */
import { ImageReadError, type LoadedImage } from './decode.js';

/** The statistics of one picture. */
export interface PictureStats {
  brightness: number;
  contrast: number;
  width: number;
  height: number;
  aspect: number;
  red: number;
  green: number;
  blue: number;
}

/** Column names in report order; `colour` adds the channel means. */
export function statColumns(colour: boolean): (keyof PictureStats)[] {
  return colour ? ['brightness', 'contrast', 'width', 'height', 'aspect', 'red', 'green', 'blue'] : ['brightness', 'contrast', 'width', 'height', 'aspect'];
}

const LIMIT = 512;

export async function pictureStats(image: LoadedImage): Promise<PictureStats> {
  let raw: { data: Buffer; info: { channels: number } };
  try {
    let p = image.pipeline();
    if (image.width > LIMIT || image.height > LIMIT) p = p.resize(LIMIT, LIMIT, { fit: 'inside' });
    raw = await p.toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ImageReadError(`cannot be decoded (${(error as Error).message.split('\n')[0]})`);
  }
  const c = raw.info.channels;
  const n = raw.data.length / c;
  let sum = 0;
  let sq = 0;
  const channel = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const r = raw.data[i * c]!;
    const g = c >= 3 ? raw.data[i * c + 1]! : r;
    const b = c >= 3 ? raw.data[i * c + 2]! : r;
    const y = c >= 3 ? 0.299 * r + 0.587 * g + 0.114 * b : r;
    sum += y;
    sq += y * y;
    channel[0]! += r;
    channel[1]! += g;
    channel[2]! += b;
  }
  const mean = sum / n;
  return {
    brightness: mean,
    contrast: Math.sqrt(Math.max(sq / n - mean * mean, 0)),
    width: image.width,
    height: image.height,
    aspect: image.width / image.height,
    red: channel[0]! / n,
    green: channel[1]! / n,
    blue: channel[2]! / n,
  };
}
