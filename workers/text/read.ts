/**
 * Reading a text-classification dataset: a CSV/TSV with a text column and a label column (through
 * `workers/csv`'s sniffer and streaming reader, so every encoding and dialect the importer handles
 * reads the same here), or a folder with one subfolder per class holding `.txt`, `.md` and `.eml`
 * files. Very long texts are cut with a warning, never refused; a file of binary junk is skipped
 * with its name in the warnings; a dataset that cannot be trained on is refused with what to do.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import iconv from 'iconv-lite';
import { UserInputError } from '../protocol.js';
import { readRange } from '../csv/reader.js';
import { isValidUtf8Prefix, sniffFile, type TextEncoding } from '../csv/sniff.js';
import { parseEmail } from './eml.js';

/** Longest text kept per document, in characters (about 25 pages); longer ones are cut with a warning. */
export const MAX_TEXT_CHARS = 100_000;
/** Files in a class folder that are read; anything else is skipped (and counted in the warnings). */
export const TEXT_EXTENSIONS = ['.txt', '.md', '.eml'] as const;
/** Largest file read from a folder: above it the file is not a document but a dump. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Documents with their labels, as read. */
export interface TextDataset {
  format: 'csv' | 'folder';
  texts: string[];
  /** One label per text (the label column's value, or the class folder's name). */
  labels: string[];
  /** Where each text came from: `row 12` or the file's path relative to the folder. */
  sources: string[];
  textColumn: string;
  target: string;
  /** SHA-256 of the file, or of the sorted (relative path, size, file SHA-256) list of a folder. */
  datasetSha256: string;
  /** CSV: the file's encoding; folder: files per encoding. */
  encodings: Partial<Record<TextEncoding | 'windows-1252', number>>;
  /** Texts cut at `maxChars`. */
  truncated: number;
  warnings: string[];
}

/** What to read. `textColumn`/`target` are needed for a CSV and ignored for a folder. */
export interface ReadTextOptions {
  path: string;
  textColumn?: string;
  target?: string;
  /** The dataset's recorded encoding (from its import); detected when absent. */
  encoding?: TextEncoding;
  maxChars?: number;
  /** `evaluate`: documents of one class are fine (scoring a model on a batch of spam only is a real check). Default `train`. */
  purpose?: 'train' | 'evaluate';
}

export async function readTextDataset(options: ReadTextOptions): Promise<TextDataset> {
  const info = await stat(options.path).catch(() => {
    throw new UserInputError(`${options.path} was not found. Check the path, or pick the file or folder again.`);
  });
  const dataset = info.isDirectory() ? await readFolder(options) : await readCsv(options);
  checkTrainable(dataset, options.purpose ?? 'train');
  return dataset;
}

async function readCsv(options: ReadTextOptions): Promise<TextDataset> {
  const { path } = options;
  const maxChars = options.maxChars ?? MAX_TEXT_CHARS;
  const sniffed = await sniffFile(path);
  const encoding = options.encoding ?? sniffed.encoding;
  const textColumn = options.textColumn;
  const target = options.target;
  if (!textColumn || !target) {
    throw new UserInputError(`Name the text column and the label column of ${path} (its columns are ${sniffed.columns.join(', ')}).`);
  }
  const t = sniffed.columns.indexOf(textColumn);
  const y = sniffed.columns.indexOf(target);
  for (const [name, index] of [[textColumn, t], [target, y]] as const) {
    if (index < 0) throw new UserInputError(`${path} has no column "${name}". Its columns are: ${sniffed.columns.join(', ')}.`);
  }
  const { size } = await stat(path);
  const texts: string[] = [];
  const labels: string[] = [];
  const sources: string[] = [];
  let truncated = 0;
  let longest = 0;
  let missingLabel = 0;
  await readRange({
    path,
    encoding,
    delimiter: sniffed.delimiter,
    start: encoding === sniffed.encoding ? sniffed.bomBytes : 0,
    end: size,
    skipHeader: sniffed.hasHeader,
    onRecord(fields, line) {
      const label = (fields[y] ?? '').trim();
      if (label === '') {
        missingLabel++;
        return;
      }
      let text = fields[t] ?? '';
      longest = Math.max(longest, text.length);
      if (text.length > maxChars) {
        text = text.slice(0, maxChars);
        truncated++;
      }
      // A copy: the reader reuses its field strings' backing buffers across chunks.
      texts.push((' ' + text).slice(1));
      labels.push(label);
      sources.push(`line ${line}`);
    },
  });
  const warnings = [...sniffed.warnings];
  if (missingLabel > 0) warnings.push(`${missingLabel} row(s) have no "${target}" and were left out.`);
  if (truncated > 0) warnings.push(`${truncated} text(s) were longer than ${maxChars.toLocaleString('en')} characters (the longest ${longest.toLocaleString('en')}); only their first ${maxChars.toLocaleString('en')} characters are used.`);
  const sha = createHash('sha256');
  sha.update(await readFile(path));
  return { format: 'csv', texts, labels, sources, textColumn, target, datasetSha256: sha.digest('hex'), encodings: { [encoding]: 1 }, truncated, warnings };
}

/** How a file's bytes decode: a BOM says so; valid UTF-8 is UTF-8; anything else was written by Windows-1252 (or Latin-1). */
function decodeFile(bytes: Buffer): { text: string; encoding: TextEncoding | 'windows-1252' } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.toString('utf8', 3), encoding: 'utf-8-bom' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: iconv.decode(bytes.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: iconv.decode(bytes.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  if (isValidUtf8Prefix(bytes) && bytes.toString('utf8').indexOf('\uFFFD') < 0) return { text: bytes.toString('utf8'), encoding: 'utf-8' };
  return { text: iconv.decode(bytes, 'windows-1252'), encoding: 'windows-1252' };
}

/**
 * Binary junk, not text: a NUL byte, or more than 10 % control characters other than tab, line
 * breaks and form feed, in the first 8 KB (UTF-16 files, with their BOM, are text).
 */
export function looksBinary(bytes: Buffer): boolean {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return false;
  const n = Math.min(bytes.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12) control++;
  }
  return control > n * 0.1;
}

async function readFolder(options: ReadTextOptions): Promise<TextDataset> {
  const root = options.path;
  const maxChars = options.maxChars ?? MAX_TEXT_CHARS;
  const entries = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  if (entries.length === 0) {
    throw new UserInputError(`${root} has no class subfolders. Put each class's files (.txt, .md, .eml) in a subfolder named after the class, e.g. ${join(root, 'spam')} and ${join(root, 'ham')}.`);
  }
  const files: Array<{ label: string; path: string }> = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const path of await walk(join(root, entry.name))) files.push({ label: entry.name, path });
  }
  const texts: string[] = [];
  const labels: string[] = [];
  const sources: string[] = [];
  const encodings: TextDataset['encodings'] = {};
  const binary: string[] = [];
  const tooLarge: string[] = [];
  let skipped = 0;
  let truncated = 0;
  const listing: string[] = [];
  for (const { label, path } of files) {
    const rel = relative(root, path).split(sep).join('/');
    if (!(TEXT_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase())) {
      skipped++;
      continue;
    }
    const { size } = await stat(path);
    if (size > MAX_FILE_BYTES) {
      tooLarge.push(rel);
      continue;
    }
    const bytes = await readFile(path);
    listing.push(`${rel}\t${bytes.length}\t${createHash('sha256').update(bytes).digest('hex')}`);
    if (looksBinary(bytes)) {
      binary.push(rel);
      continue;
    }
    let text: string;
    if (extname(path).toLowerCase() === '.eml') {
      text = parseEmail(bytes).text;
      encodings['utf-8'] = (encodings['utf-8'] ?? 0) + 1;
    } else {
      const decoded = decodeFile(bytes);
      text = decoded.text;
      encodings[decoded.encoding] = (encodings[decoded.encoding] ?? 0) + 1;
    }
    if (text.length > maxChars) {
      text = text.slice(0, maxChars);
      truncated++;
    }
    texts.push(text);
    labels.push(label);
    sources.push(rel);
  }
  const warnings: string[] = [];
  if (binary.length > 0) warnings.push(`${binary.length} file(s) are binary, not text, and were skipped: ${list(binary)}. Convert them to plain text (or remove them).`);
  if (tooLarge.length > 0) warnings.push(`${tooLarge.length} file(s) are over ${MAX_FILE_BYTES / 2 ** 20} MB and were skipped: ${list(tooLarge)}.`);
  if (skipped > 0) warnings.push(`${skipped} file(s) are not .txt, .md or .eml and were skipped.`);
  if (truncated > 0) warnings.push(`${truncated} text(s) were longer than ${maxChars.toLocaleString('en')} characters; only their first ${maxChars.toLocaleString('en')} characters are used.`);
  const kinds = Object.entries(encodings);
  if (kinds.length > 1) {
    warnings.push(`The files use different encodings (${kinds.map(([e, n]) => `${n} ${e === 'windows-1252' ? 'Windows-1252/Latin-1' : e.toUpperCase()}`).join(', ')}); each file was decoded in its own. Check a few of the non-UTF-8 ones read correctly, or save all as UTF-8.`);
  }
  if (texts.length === 0 && binary.length > 0) {
    throw new UserInputError(`Every file in ${root} is binary, not text (${list(binary)}). Export the documents as .txt, .md or .eml files, then retry.`);
  }
  listing.sort();
  const datasetSha256 = createHash('sha256').update(listing.join('\n')).digest('hex');
  return { format: 'folder', texts, labels, sources, textColumn: 'text', target: 'label', datasetSha256, encodings, truncated, warnings };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

function list(names: string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

/** Refuses what cannot be trained on, saying what to do. */
function checkTrainable(d: TextDataset, purpose: 'train' | 'evaluate'): void {
  const where = d.format === 'csv' ? `the column "${d.textColumn}"` : 'the files';
  if (d.texts.length === 0) throw new UserInputError(`No documents with a label were found in ${where}. Check the text and label columns (or the class folders), then retry.`);
  let empty = 0;
  let numbers = 0;
  for (const text of d.texts) {
    const trimmed = text.trim();
    if (trimmed === '') empty++;
    else if (/^[-+]?[\d.,\s%$€£e]+$/i.test(trimmed) && /\d/.test(trimmed)) numbers++;
  }
  const filled = d.texts.length - empty;
  if (filled === 0) throw new UserInputError(`${where[0]!.toUpperCase()}${where.slice(1)} is empty in all ${d.texts.length} rows: there is no text to learn from. Pick the column that holds the text.`);
  if (numbers >= 0.9 * filled) {
    throw new UserInputError(
      `${where[0]!.toUpperCase()}${where.slice(1)} holds numbers, not text (${numbers} of ${filled} values, e.g. "${d.texts.find((t) => t.trim() !== '')!.trim().slice(0, 20)}"). Pick the column with the words, or train a tabular pilot on the numbers.`,
    );
  }
  const classes = new Set(d.labels);
  if (classes.size < 2 && purpose === 'train') {
    throw new UserInputError(`Every document has the same label ("${d.labels[0]}"), so there is nothing to tell apart. Add documents of at least one other class${d.format === 'folder' ? ' (another subfolder)' : ''}.`);
  }
}
