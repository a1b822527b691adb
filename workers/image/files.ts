/**
 * Finding the images of a dataset: a folder with one subfolder per class (optionally under
 * `train/` and `test/` subfolders, a layout many published sets use), or a CSV with a file-path
 * column and a label column. Only names and sizes are read here; decoding is `decode.ts`.
 *
 * The walk streams directory entries (a class folder of 100,000 files is never sorted in one
 * `readdir` array before filtering), follows symbolic links but remembers every real directory it
 * entered, so a link loop is reported once and skipped, and never throws on one bad entry.
 * `onProgress` hears the count of entries looked at every `LIST_PROGRESS_EVERY`, so a folder of
 * 100,000 files shows "listed N files…" instead of a silent wait.
 */
import { opendir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CancelledError, UserInputError, throwIfCancelled } from '../protocol.js';

/** File name endings read as images (sharp decodes all but BMP, which `bmp.ts` handles). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.tif', '.tiff'] as const;

/** One image file of the dataset. */
export interface ImageEntry {
  /** Absolute path. */
  path: string;
  /** Path relative to the dataset root (what reports show). */
  rel: string;
  label: string;
  bytes: number;
  /** Set when the dataset itself is split into `train/` and `test/` folders. */
  split: 'train' | 'test' | null;
}

/** A file or folder left out, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** What `listImages` found. */
export interface ImageListing {
  root: string;
  layout: 'folders' | 'split-folders' | 'csv';
  /** Class names, sorted (the model's output order). */
  classes: string[];
  entries: ImageEntry[];
  skipped: SkippedFile[];
  /** Class folders that hold no image. */
  emptyClasses: string[];
}

/** Most files listed; beyond it the listing stops with a warning-worthy `skipped` entry. */
export const MAX_FILES = 2_000_000;
/** Entries (files, folders, CSV rows) looked at between two `onProgress` calls of a listing. */
export const LIST_PROGRESS_EVERY = 5000;

/** Options of `listImages`: the CSV's columns, and who hears how far the listing got. */
export interface ListOptions {
  pathColumn?: string;
  labelColumn?: string;
  /** Called with the entries looked at so far, every `LIST_PROGRESS_EVERY`. */
  onProgress?: (looked: number) => void;
  /** A cancelled job stops listing within `LIST_PROGRESS_EVERY` entries. */
  signal?: AbortSignal;
}

/** The progress stage a listing shows: "Listing pictures (25,000 files looked at)". */
export function listingStage(looked: number): string {
  return `Listing pictures (${looked.toLocaleString('en-US')} files looked at)`;
}

/** The walk's running state: what it found and how many entries it looked at. */
interface WalkState {
  root: string;
  entries: ImageEntry[];
  skipped: SkippedFile[];
  visited: Set<string>;
  looked: number;
  onProgress: ListOptions['onProgress'];
  signal: ListOptions['signal'];
}

/** Counts one entry looked at, telling `onProgress` (and checking for a cancel) every `LIST_PROGRESS_EVERY`. */
function tick(state: Pick<WalkState, 'looked' | 'onProgress' | 'signal'>): void {
  state.looked++;
  if (state.looked % LIST_PROGRESS_EVERY !== 0) return;
  if (state.signal) throwIfCancelled(state.signal);
  state.onProgress?.(state.looked);
}

function isImageName(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lists a folder tree or a CSV of paths. Throws `UserInputError` when nothing usable is there. */
export async function listImages(source: string, options: ListOptions = {}): Promise<ImageListing> {
  let info;
  try {
    info = await stat(source);
  } catch (error) {
    throw new UserInputError(`Cannot read ${source} (${messageOf(error)}). Check the path: it should be a folder with one subfolder per class, or a CSV of image paths and labels.`);
  }
  if (!info.isDirectory() && isImageName(source)) {
    throw new UserInputError(
      `${source} is one picture. Give the folder that holds one subfolder per class (e.g. photos/ with photos/ok/*.jpg and photos/scratch/*.jpg), or a CSV of image paths and labels.`,
    );
  }
  const listing = info.isDirectory() ? await listFolder(resolve(source), options) : await listCsv(resolve(source), options);
  if (listing.entries.length === 0) {
    throw new UserInputError(
      `No images found in ${source}${listing.skipped.length ? ` (${listing.skipped.length} files or folders skipped, e.g. ${listing.skipped[0]!.path}: ${listing.skipped[0]!.reason})` : ''}. ` +
        'Put the pictures in one subfolder per class (e.g. photos/ok/*.jpg, photos/scratch/*.jpg); JPEG, PNG, WebP, GIF, BMP and TIFF are read.',
    );
  }
  return listing;
}

async function listFolder(root: string, options: ListOptions): Promise<ImageListing> {
  const skipped: SkippedFile[] = [];
  const top = await subfolders(root, skipped);
  const names = top.map((t) => t.name.toLowerCase());
  const split = names.includes('train') && names.includes('test');
  const entries: ImageEntry[] = [];
  const classSet = new Set<string>();
  const counts = new Map<string, number>();
  const state: WalkState = { root, entries, skipped, visited: new Set<string>([await realpath(root)]), looked: 0, onProgress: options.onProgress, signal: options.signal };
  const roots = split ? top.filter((t) => ['train', 'test'].includes(t.name.toLowerCase())) : [{ name: '', path: root }];
  for (const part of roots) {
    const classes = split ? await subfolders(part.path, skipped) : top;
    if (split) {
      for (const t of top) if (!['train', 'test'].includes(t.name.toLowerCase())) skipped.push({ path: relative(root, t.path), reason: 'not train/ or test/: ignored (validation images are taken from train/)' });
    }
    for (const cls of classes) {
      classSet.add(cls.name);
      const before = entries.length;
      await walk(cls.path, cls.name, split ? (part.name.toLowerCase() as 'train' | 'test') : null, state);
      counts.set(cls.name, (counts.get(cls.name) ?? 0) + entries.length - before);
    }
  }
  const classes = [...classSet].sort();
  return { root, layout: split ? 'split-folders' : 'folders', classes, entries, skipped, emptyClasses: classes.filter((c) => (counts.get(c) ?? 0) === 0) };
}

/** The subfolders of `dir` (links followed); loose files there are skipped with a reason. */
async function subfolders(dir: string, skipped: SkippedFile[]): Promise<{ name: string; path: string }[]> {
  const out: { name: string; path: string }[] = [];
  for await (const entry of await opendir(dir)) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        isDir = (await stat(path)).isDirectory();
      } catch (error) {
        skipped.push({ path, reason: `broken or looping link (${messageOf(error)})` });
        continue;
      }
    }
    if (isDir) out.push({ name: entry.name, path });
    else skipped.push({ path, reason: 'a file outside any class folder: put it in the subfolder of its class' });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function walk(dir: string, label: string, split: 'train' | 'test' | null, state: WalkState): Promise<void> {
  const { root, entries, skipped, visited } = state;
  let real: string;
  try {
    real = await realpath(dir);
  } catch (error) {
    skipped.push({ path: relative(root, dir), reason: `cannot be opened (${messageOf(error)})` });
    return;
  }
  if (visited.has(real)) {
    skipped.push({ path: relative(root, dir), reason: 'a link back to a folder already read (a link loop or a second copy): skipped' });
    return;
  }
  visited.add(real);
  const files: ImageEntry[] = [];
  const dirs: string[] = [];
  try {
    for await (const entry of await opendir(dir)) {
      if (entry.name.startsWith('.')) continue;
      tick(state);
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let bytes = 0;
      if (entry.isSymbolicLink() || isFile) {
        try {
          const s = await stat(path);
          isDir = s.isDirectory();
          isFile = s.isFile();
          bytes = s.size;
        } catch (error) {
          const gone = !entry.isSymbolicLink() && (error as { code?: string }).code === 'ENOENT';
          skipped.push({ path: relative(root, path), reason: gone ? 'disappeared while the folder was listed (moved or deleted)' : `broken or looping link (${messageOf(error)})` });
          continue;
        }
      }
      if (isDir) dirs.push(path);
      else if (!isFile) skipped.push({ path: relative(root, path), reason: 'not a regular file' });
      else if (!isImageName(entry.name)) skipped.push({ path: relative(root, path), reason: `not an image (${extname(entry.name) || 'no extension'})` });
      else if (entries.length + files.length >= MAX_FILES) {
        skipped.push({ path: relative(root, path), reason: `more than ${MAX_FILES} images: the rest of the folder was not listed` });
        break;
      } else files.push({ path, rel: relative(root, path), label, bytes, split });
    }
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    skipped.push({ path: relative(root, dir), reason: `cannot be read (${messageOf(error)})` });
  }
  // Sorted so the order (and with it every seeded split) does not depend on the file system.
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const file of files) entries.push(file); // (no spread: one folder can hold hundreds of thousands of pictures)
  for (const sub of dirs.sort()) await walk(sub, label, split, state);
}

/** An image CSV read: its rows and which columns hold the path and the label. */
async function readImageCsv(file: string, options: { pathColumn?: string; labelColumn?: string }, needLabel = true): Promise<{ rows: Record<string, string>[]; pathColumn: string; labelColumn: string }> {
  let rows: Record<string, string>[];
  try {
    rows = parse(await readFile(file), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (error) {
    // The parser quotes the offending field: a binary file's would fill the screen.
    const reason = (messageOf(error).split('\n')[0] ?? '').replace(/[^\x20-\x7e]+/g, '?');
    throw new UserInputError(
      `${file} is not a readable CSV (${reason.length > 160 ? `${reason.slice(0, 160)}…` : reason}). Give a folder of class subfolders, or a CSV with a path column and a label column.`,
    );
  }
  const columns = Object.keys(rows[0] ?? {});
  const pick = (wanted: string | undefined, pattern: RegExp, what: string): string => {
    if (wanted) {
      if (!columns.includes(wanted)) throw new UserInputError(`${basename(file)} has no column "${wanted}" (columns: ${columns.join(', ')}).`);
      return wanted;
    }
    const found = columns.find((c) => pattern.test(c));
    if (!found) throw new UserInputError(`Cannot tell which column of ${basename(file)} holds the ${what} (columns: ${columns.join(', ')}). Name it, e.g. --${what === 'image path' ? 'path' : 'label'}-column.`);
    return found;
  };
  const pathColumn = pick(options.pathColumn, /^(path|file|filename|file_?path|image|image_?path)$/i, 'image path');
  const labelColumn = needLabel ? pick(options.labelColumn, /^(label|class|category|target|y)$/i, 'label') : '';
  return { rows, pathColumn, labelColumn };
}

/**
 * The files an image CSV lists, resolved as training reads them (relative to the CSV's folder),
 * with the line each is on: serve mode confines them like a request's own paths.
 */
export async function csvImagePaths(file: string, options: { pathColumn?: string } = {}): Promise<{ line: number; listed: string; path: string }[]> {
  const { rows, pathColumn } = await readImageCsv(file, options, false);
  const base = dirname(file);
  return rows.flatMap((row, i) => {
    const listed = row[pathColumn] ?? '';
    return listed ? [{ line: i + 2, listed, path: isAbsolute(listed) ? listed : resolve(base, listed) }] : [];
  });
}

async function listCsv(file: string, options: ListOptions): Promise<ImageListing> {
  const { rows, pathColumn, labelColumn } = await readImageCsv(file, options);
  const base = dirname(file);
  const entries: ImageEntry[] = [];
  const skipped: SkippedFile[] = [];
  const counter = { looked: 0, onProgress: options.onProgress, signal: options.signal };
  for (const [i, row] of rows.entries()) {
    tick(counter);
    const p = row[pathColumn] ?? '';
    const label = row[labelColumn] ?? '';
    if (!p || !label) {
      skipped.push({ path: `${basename(file)} line ${i + 2}`, reason: !p ? 'no path' : 'no label' });
      continue;
    }
    const path = isAbsolute(p) ? p : resolve(base, p);
    try {
      const s = await stat(path);
      if (!s.isFile()) throw new Error('not a file');
      entries.push({ path, rel: p, label, bytes: s.size, split: null });
    } catch (error) {
      skipped.push({ path: p, reason: `listed in the CSV but cannot be read (${messageOf(error)})` });
    }
  }
  const classes = [...new Set(entries.map((e) => e.label))].sort();
  return { root: base, layout: 'csv', classes, entries, skipped, emptyClasses: [] };
}
