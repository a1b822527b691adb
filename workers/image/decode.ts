/**
 * Decoding one image file into what the scan and the network need, with sharp (libvips):
 * EXIF rotation applied, alpha flattened onto white, CMYK / 16-bit / palette / greyscale all
 * turned into 8-bit sRGB or grey, and the size refused before decoding when it is huge (a
 * 20,000 × 20,000 picture would take 1.6 GB decoded). Truncated files are errors, not half images.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { decodeBmp, isBmp } from './bmp.js';

/** Pictures with more pixels are refused (one file, with a message; the others are read). */
export const MAX_PIXELS = 50_000_000;
/** Files larger than this are refused unread. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Why one file could not be used. */
export class ImageReadError extends Error {
  override name = 'ImageReadError';
}

/** A file read into memory with its header facts. */
export interface LoadedImage {
  bytes: Buffer;
  sha256: string;
  width: number;
  height: number;
  /** The container format sharp reports (`jpeg`, `png`, …; `bmp` for ours). */
  format: string;
  /** Source colour space (`srgb`, `b-w`, `cmyk`, …) and bit depth (`uchar`, `ushort`). */
  space: string;
  depth: string;
  hasAlpha: boolean;
  /** Channels in the file, alpha included (1–2: greyscale). */
  channels: number;
  /** Stored as palette indices (PNG / GIF colour table). */
  palette: boolean;
  /** A sharp pipeline on the decoded file, ready for resizing. */
  pipeline(): Sharp;
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** A file's bytes and SHA-256. */
export interface ImageFile {
  bytes: Buffer;
  sha256: string;
}

/** Reads and checks one file; throws `ImageReadError` with a reason a person understands. */
export async function loadImage(path: string): Promise<LoadedImage> {
  return inspectImage(await readImageFile(path));
}

/** Reads one file (refusing empty and huge ones) and hashes it. */
export async function readImageFile(path: string): Promise<ImageFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ImageReadError(
      code === 'ENOENT' ? 'the file disappeared (moved or deleted after the folder was listed)' : `cannot be read (${messageOf(error)})`,
    );
  }
  if (bytes.length === 0) throw new ImageReadError('an empty file (0 bytes)');
  if (bytes.length > MAX_FILE_BYTES)
    throw new ImageReadError(`${Math.round(bytes.length / 1e6)} MB is larger than the ${MAX_FILE_BYTES / 1024 / 1024} MB read per image`);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The header facts of a file read by `readImageFile`, and a pipeline to decode it. */
export async function inspectImage(file: ImageFile): Promise<LoadedImage> {
  const { bytes, sha256 } = file;
  const options: SharpOptions = { limitInputPixels: MAX_PIXELS, failOn: 'truncated', pages: 1 };
  if (isBmp(bytes)) {
    let raw;
    try {
      raw = decodeBmp(bytes, MAX_PIXELS);
    } catch (error) {
      throw new ImageReadError(`unreadable BMP: ${messageOf(error)}`);
    }
    return {
      bytes,
      sha256,
      width: raw.width,
      height: raw.height,
      format: 'bmp',
      space: 'srgb',
      depth: 'uchar',
      hasAlpha: false,
      channels: 3,
      palette: false,
      pipeline: () => sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 4 } }).removeAlpha(),
    };
  }
  let meta: Metadata;
  try {
    // The header alone: the pixel limit is checked below, with a message that says what to do.
    meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch (error) {
    throw new ImageReadError(`not a readable image (${messageOf(error)})`);
  }
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  if (width * height > MAX_PIXELS) {
    throw new ImageReadError(
      `${width} × ${height} pixels is more than the ${MAX_PIXELS / 1e6} megapixels read per image: scale it down (it is resized to a few dozen pixels for training anyway)`,
    );
  }
  return {
    bytes,
    sha256,
    width,
    height,
    format: meta.format ?? 'unknown',
    space: meta.space ?? 'unknown',
    depth: meta.depth ?? 'uchar',
    hasAlpha: meta.hasAlpha ?? false,
    channels: meta.channels ?? 3,
    palette: meta.isPalette ?? false,
    pipeline: () => {
      let p = sharp(bytes, options).rotate();
      if (meta.hasAlpha) p = p.flatten({ background: '#ffffff' });
      return p;
    },
  };
}

/**
 * What decoding changes in a picture to give the network `channels` 8-bit channels: CMYK (or
 * another colour space) to sRGB, 16 bits to 8, transparency onto white, a palette expanded, grey
 * to three equal channels or colour to grey. Empty when the file is already what the network reads.
 */
export function conversionsOf(image: Pick<LoadedImage, 'space' | 'depth' | 'hasAlpha' | 'channels' | 'palette'>, channels: 1 | 3): string[] {
  const out: string[] = [];
  const grey = ['b-w', 'grey16'].includes(image.space) || image.channels <= 2;
  if (!grey && !['srgb', 'rgb16'].includes(image.space)) out.push(`${image.space === 'cmyk' ? 'CMYK' : image.space} to sRGB`);
  if (image.depth !== 'uchar' && image.depth !== 'char') out.push('16-bit to 8-bit');
  if (image.hasAlpha) out.push('transparency onto white');
  if (image.palette) out.push('palette to full colour');
  if (grey && channels === 3) out.push('grey to three channels');
  if (!grey && channels === 1) out.push('colour to grey');
  return out;
}

/** Resized 8-bit pixels, channels-last: side × side × channels. Throws `ImageReadError` on a decoding failure (e.g. truncated data). */
export async function pixels(image: LoadedImage, width: number, height: number, channels: 1 | 3): Promise<Uint8Array> {
  try {
    const p = image.pipeline().toColourspace('srgb').resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
    const out = await (channels === 1 ? p.greyscale() : p).removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (out.info.channels !== channels) {
      // Greyscale sources stay 1-channel in sharp even after toColourspace: expand by hand.
      if (out.info.channels === 1 && channels === 3) {
        const rgb = new Uint8Array(width * height * 3);
        for (let i = 0; i < width * height; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = out.data[i]!;
        return rgb;
      }
      throw new ImageReadError(`decoded with ${out.info.channels} channels, expected ${channels}`);
    }
    return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  } catch (error) {
    if (error instanceof ImageReadError) throw error;
    throw new ImageReadError(`cannot be decoded (${messageOf(error)})`);
  }
}

/** A small PNG of the image as a data URL (thumbnails in reports), at most `side` px on a side. */
export async function thumbnail(image: LoadedImage, side = 48): Promise<string> {
  const png = await image.pipeline().resize(side, side, { fit: 'inside', withoutEnlargement: false }).toColourspace('srgb').png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** A PNG data URL from raw 8-bit pixels (saliency maps, augmented samples). */
export async function pngDataUrl(data: Uint8Array, width: number, height: number, channels: 1 | 3, scale = 1): Promise<string> {
  let p = sharp(data, { raw: { width, height, channels } });
  if (scale !== 1) p = p.resize(width * scale, height * scale, { kernel: 'nearest' });
  const png = await p.png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
