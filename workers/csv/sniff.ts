/**
 * Detects how a delimited text file is written — encoding, delimiter, header — from its first
 * bytes, and refuses what is not delimited text (missing, a folder, empty, binary) with a message
 * that says what to do. Every engine that reads a CSV starts here, so they all agree on a file.
 */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { UserInputError } from '../protocol.js';
import { countLf, findUtf8Break, firstInvalid } from './encoding.js';

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'latin1';

export interface Sniffed {
  /** How the bytes decode. `latin1` is the fallback when the file is not valid UTF-8 anywhere in it (a warning says where). */
  encoding: TextEncoding;
  /** Bytes of byte-order mark to skip before the text starts (0, 2 or 3). */
  bomBytes: number;
  /** The field separator: `,` `\t` `;` or `|`. */
  delimiter: string;
  /** Whether the first record names the columns. When false, columns are named `column_1`… */
  hasHeader: boolean;
  /** Column names, made unique (a repeated name gets `_2`, `_3`… and a warning). */
  columns: string[];
  /** Things the user should know about how the file was read. */
  warnings: string[];
}

/** How much of the file the detection reads first. Enough for ~100 typical rows, small enough to be instant. */
export const SNIFF_BYTES = 64 * 1024;
/**
 * How far the window grows to find the end of the first line. A 20,000-column header is several
 * hundred kilobytes; a first line longer than this is not a table's header.
 */
export const MAX_SNIFF_BYTES = 64 * 1024 * 1024;
/**
 * Once the first line (the header) is in the window, how far the window grows to reach a few more
 * line breaks. Past it, the next record holds a very long cell (a whole document in one cell): the
 * detection works from the lines it has, instead of reading and parsing the cell, which costs
 * seconds per 10 MB and tells nothing about the delimiter or the header.
 */
export const LONG_RECORD_BYTES = 1024 * 1024;
/** Records the window must hold (header and a few rows) before it stops growing. */
const SNIFF_RECORDS = 3;
const CANDIDATE_DELIMITERS = [',', '\t', ';', '|'] as const;

/** How `sniffFile` reads. */
export interface SniffOptions {
  /**
   * Whether to confirm a UTF-8 candidate over the rest of the file (default true). Only a
   * reader that validates every byte itself, as the importer does, passes false.
   */
  confirmEncoding?: boolean;
}

/** Reads the start of `path` and works out how to parse it. Throws `UserInputError` for files that are not delimited text. */
export async function sniffFile(path: string, options: SniffOptions = {}): Promise<Sniffed> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new UserInputError(`File not found: ${path}. Check the path, or pick the file again.`);
    if (error.code === 'EACCES') throw new UserInputError(`Cannot read ${path}: permission denied. Check the file's permissions.`);
    throw error;
  });
  if (info.isDirectory()) throw new UserInputError(`${path} is a folder, not a file. Pick a CSV or TSV file inside it.`);
  if (!info.isFile()) throw new UserInputError(`${path} is not a regular file. Pick a CSV or TSV file.`);
  const key = `${path}\0${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
  const cached = decisions.get(key);
  if (cached && (cached.confirmed || options.confirmEncoding === false)) return { ...cached.sniffed, columns: [...cached.sniffed.columns], warnings: [...cached.sniffed.warnings] };

  const handle = await open(path, 'r');
  let sample: Buffer;
  let complete: boolean;
  let longRecord: boolean;
  try {
    if (info.size === 0) {
      // A size of 0 is either an empty file or a special one whose size the kernel does not know (/proc, /sys).
      const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, 0);
      if (bytesRead > 0) throw new UserInputError(`${path} is a special file whose size is unknown (like those under /proc or /sys), not a data export. Copy its contents to a regular .csv file, then import that.`);
      throw new UserInputError(`${path} is empty (0 bytes). Export the data again, then retry.`);
    }
    sniffWork.bytesRead = 0;
    sniffWork.bytesParsed = 0;
    ({ sample, complete, longRecord } = await readWindow(handle, info.size, path));
  } finally {
    await handle.close();
  }
  const sniffed = sniffBytes(sample, path, complete);
  if (longRecord) {
    const line = countLf(sample, sample.length) + 1;
    sniffed.warnings.push(
      `Line ${line} of ${basename(path)} runs past ${LONG_RECORD_BYTES / (1024 * 1024)} MB without a line break (a very long cell, such as a whole document): the delimiter and the header were worked out from the lines before it. The rows are read in full; a reader that limits a text's length says so.`,
    );
  }
  let confirmed = complete || (sniffed.encoding !== 'utf-8' && sniffed.encoding !== 'utf-8-bom');
  if (!confirmed && options.confirmEncoding !== false) {
    await confirmUtf8(path, sample, sniffed);
    confirmed = true;
  }
  decisions.set(key, { sniffed, confirmed });
  if (decisions.size > 64) decisions.delete(decisions.keys().next().value!);
  return { ...sniffed, columns: [...sniffed.columns], warnings: [...sniffed.warnings] };
}

/** Decisions already made in this process, per file version (path, inode, size, time). */
const decisions = new Map<string, { sniffed: Sniffed; confirmed: boolean }>();

/** What the last `sniffFile` that read the file did: bytes read (each at most once) and bytes decoded and parsed. For tests and benches. */
export const sniffWork = { bytesRead: 0, bytesParsed: 0 };

/**
 * The start of the file, grown (each byte read once) until it holds SNIFF_RECORDS line breaks, the
 * whole file, or — once the first line is in — LONG_RECORD_BYTES. `longRecord`: it stopped there,
 * in the middle of a record longer than that.
 */
async function readWindow(handle: Awaited<ReturnType<typeof open>>, size: number, path: string): Promise<{ sample: Buffer; complete: boolean; longRecord: boolean }> {
  let buffer = Buffer.alloc(Math.min(SNIFF_BYTES, size));
  let have = 0;
  let breaks = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, have, buffer.length - have, have);
    breaks += countLf(buffer.subarray(have, have + bytesRead), bytesRead);
    have += bytesRead;
    sniffWork.bytesRead += bytesRead;
    const sample = buffer.subarray(0, have);
    const complete = have >= size || bytesRead === 0;
    if (complete || breaks >= SNIFF_RECORDS) return { sample, complete, longRecord: false };
    if (breaks > 0 && have >= LONG_RECORD_BYTES) return { sample, complete: false, longRecord: true };
    if (have >= MAX_SNIFF_BYTES) {
      throw new UserInputError(`The first lines of ${path} run past ${MAX_SNIFF_BYTES / (1024 * 1024)} MB without a line break: it is not a table with one record per line. Check that it is a CSV or TSV export.`);
    }
    const grown = Buffer.alloc(Math.min(have * 4, breaks > 0 ? LONG_RECORD_BYTES : MAX_SNIFF_BYTES, size));
    buffer.copy(grown, 0, 0, have);
    buffer = grown;
  }
}

/**
 * Confirms a UTF-8 decision over the bytes past the window. A plain UTF-8 guess that the rest
 * contradicts becomes Latin-1 for the whole file, with a warning that names where; a file that
 * declares UTF-8 with a byte-order mark and breaks it is refused.
 */
async function confirmUtf8(path: string, sample: Buffer, sniffed: Sniffed): Promise<void> {
  const cut = lastLineEnd(sample);
  const found = await findUtf8Break(path, cut, countLf(sample, cut));
  if (!found) return;
  if (sniffed.encoding === 'utf-8-bom') {
    throw new UserInputError(mixedEncodingMessage(path, found));
  }
  sniffed.encoding = 'latin1';
  sniffed.warnings.push(latin1Warning(found));
}

/** The refusal of a file whose byte-order mark says UTF-8 while later bytes are not. */
export function mixedEncodingMessage(path: string, found: { offset: number; line: number }): string {
  return `${path} starts with a UTF-8 byte-order mark, but the bytes at offset ${found.offset} (line ${found.line}) are not valid UTF-8: the file mixes encodings. Save it again as UTF-8 (or as one encoding throughout), then retry.`;
}

/** The one wording of the Latin-1 fallback, used by every reader. */
export function latin1Warning(found: { offset: number; line: number } | null): string {
  const where = found ? ` (the first invalid byte is at offset ${found.offset}, line ${found.line})` : '';
  return `The file is not valid UTF-8${where}, so all of it was read as Latin-1 (ISO-8859-1). If accented letters look wrong, save it as UTF-8 and import it again.`;
}

/** One past the last LF of the sample (0 when there is none): validation restarts there, on a character boundary. */
function lastLineEnd(sample: Buffer): number {
  return sample.lastIndexOf(10) + 1;
}

/** The detection itself, on a sample of bytes. `complete` says the sample is the whole file. */
export function sniffBytes(sample: Buffer, name: string, complete: boolean): Sniffed {
  const warnings: string[] = [];
  const { encoding, bomBytes } = detectEncoding(sample, name, warnings);
  let text = decodeSample(sample.subarray(bomBytes), encoding);
  sniffWork.bytesParsed += sample.length;
  if (!complete) text = text.slice(0, Math.max(text.lastIndexOf('\n'), 0)); // drop the cut-off last line
  if (text.trim() === '') throw new UserInputError(`${name} has no data: it contains only whitespace. Export the data again, then retry.`);

  const delimiter = detectDelimiter(text);
  const records = parseSample(text, delimiter);
  const first = records[0] ?? [];
  const hasHeader = detectHeader(records);
  const raw = hasHeader ? first.map((name) => name.trim()) : first.map((_, i) => `column_${i + 1}`);
  const columns = uniqueNames(raw, warnings);
  return { encoding, bomBytes, delimiter, hasHeader, columns, warnings };
}

function detectEncoding(sample: Buffer, name: string, warnings: string[]): { encoding: TextEncoding; bomBytes: number } {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8-bom', bomBytes: 3 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bomBytes: 2 };
  const utf16 = utf16WithoutBom(sample);
  if (utf16) {
    warnings.push(`The file has no byte-order mark but its bytes are ${utf16 === 'utf-16le' ? 'UTF-16 little-endian' : 'UTF-16 big-endian'} text, so it was read as such.`);
    return { encoding: utf16, bomBytes: 0 };
  }
  if (looksBinary(sample)) {
    throw new UserInputError(
      `${name} looks like a binary file, not CSV text (it contains NUL or control bytes). Export it as CSV (comma- or tab-separated text) first.`,
    );
  }
  if (isValidUtf8Prefix(sample)) return { encoding: 'utf-8', bomBytes: 0 };
  const at = firstInvalid(sample);
  warnings.push(latin1Warning({ offset: at, line: countLf(sample, at) + 1 }));
  return { encoding: 'latin1', bomBytes: 0 };
}

/**
 * UTF-16 written without a byte-order mark: text whose ASCII characters put a NUL in every
 * other byte. Most of one parity being NUL and almost none of the other is not a binary format's pattern.
 */
function utf16WithoutBom(sample: Buffer): 'utf-16le' | 'utf-16be' | null {
  const n = sample.length - (sample.length % 2);
  if (n < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (sample[i] === 0) evenNul++;
    if (sample[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul > pairs * 0.6 && evenNul < pairs * 0.02) return 'utf-16le';
  if (evenNul > pairs * 0.6 && oddNul < pairs * 0.02) return 'utf-16be';
  return null;
}

/** NUL bytes never occur in text without a UTF-16 BOM; many other control bytes mean a binary format. */
function looksBinary(sample: Buffer): boolean {
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 8 || (byte > 13 && byte < 32 && byte !== 27)) control++;
  }
  return control > sample.length * 0.01;
}

/** Valid UTF-8, allowing a multi-byte character cut off at the end of the sample. */
export function isValidUtf8Prefix(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

export function decodeSample(bytes: Buffer, encoding: TextEncoding): string {
  switch (encoding) {
    case 'utf-8':
    case 'utf-8-bom':
      return new TextDecoder('utf-8').decode(bytes, { stream: true });
    case 'utf-16le':
      return iconv.decode(bytes.subarray(0, bytes.length - (bytes.length % 2)), 'utf-16le');
    case 'utf-16be':
      return iconv.decode(bytes.subarray(0, bytes.length - (bytes.length % 2)), 'utf-16be');
    case 'latin1':
      return iconv.decode(bytes, 'latin1');
  }
}

/** The candidate that splits the sample's records into the same number (> 1) of fields most consistently. */
function detectDelimiter(text: string): string {
  let best: { delimiter: string; score: number } = { delimiter: ',', score: 0 };
  for (const delimiter of CANDIDATE_DELIMITERS) {
    const records = parseSample(text, delimiter).slice(0, 50);
    if (records.length === 0) continue;
    const counts = new Map<number, number>();
    for (const record of records) counts.set(record.length, (counts.get(record.length) ?? 0) + 1);
    const [fields, frequency] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]!;
    if (fields < 2) continue;
    const score = (frequency / records.length) * Math.log2(fields + 1);
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

function parseSample(text: string, delimiter: string): string[][] {
  try {
    return parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      to_line: 200,
    }) as string[][];
  } catch {
    return [];
  }
}

const NUMBER = /^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$/;

/**
 * A header names columns: its cells are not numbers, and not numbers where the data below are
 * numbers (repeated names happen — COMPAS repeats two — and are renamed, not taken as data). Like Python's csv.Sniffer, each column votes; ties and all-text files default to a
 * header, which is what nearly every exported CSV has.
 */
function detectHeader(records: string[][]): boolean {
  const [first, ...rest] = records;
  if (!first || rest.length === 0) return !first?.some((cell) => NUMBER.test(cell));
  if (first.some((cell) => NUMBER.test(cell) && cell.trim() !== '')) return false;
  let votes = 0;
  for (let column = 0; column < first.length; column++) {
    const values = rest.map((record) => record[column] ?? '').filter((value) => value.trim() !== '');
    if (values.length > 0 && values.every((value) => NUMBER.test(value))) votes++;
  }
  return votes > 0 || first.every((cell) => cell.trim() !== '');
}

function uniqueNames(names: string[], warnings: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw, index) => {
    const name = raw === '' ? `column_${index + 1}` : raw;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (count === 1) return name;
    const renamed = `${name}_${count}`;
    warnings.push(`Column name "${name}" appears more than once; column ${index + 1} was renamed to "${renamed}".`);
    return renamed;
  });
}
