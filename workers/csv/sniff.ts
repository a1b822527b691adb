/**
 * Detects how a delimited text file is written — encoding, delimiter, header — from its first
 * bytes, and refuses what is not delimited text (missing, a folder, empty, binary) with a message
 * that says what to do. Every engine that reads a CSV starts here, so they all agree on a file.
 */
import { open, stat } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { UserInputError } from '../protocol.js';

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'latin1';

export interface Sniffed {
  /** How the bytes decode. `latin1` is the fallback when the sample is not valid UTF-8 (a warning says so). */
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

/** How much of the file the detection reads. Enough for ~100 typical rows, small enough to be instant. */
export const SNIFF_BYTES = 64 * 1024;
const CANDIDATE_DELIMITERS = [',', '\t', ';', '|'] as const;

/** Reads the start of `path` and works out how to parse it. Throws `UserInputError` for files that are not delimited text. */
export async function sniffFile(path: string): Promise<Sniffed> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new UserInputError(`File not found: ${path}. Check the path, or pick the file again.`);
    if (error.code === 'EACCES') throw new UserInputError(`Cannot read ${path}: permission denied. Check the file's permissions.`);
    throw error;
  });
  if (info.isDirectory()) throw new UserInputError(`${path} is a folder, not a file. Pick a CSV or TSV file inside it.`);
  if (!info.isFile()) throw new UserInputError(`${path} is not a regular file. Pick a CSV or TSV file.`);
  if (info.size === 0) throw new UserInputError(`${path} is empty (0 bytes). Export the data again, then retry.`);

  const handle = await open(path, 'r');
  let sample: Buffer;
  try {
    const buffer = Buffer.alloc(Math.min(SNIFF_BYTES, info.size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    sample = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  return sniffBytes(sample, path, info.size <= SNIFF_BYTES);
}

/** The detection itself, on a sample of bytes. `complete` says the sample is the whole file. */
export function sniffBytes(sample: Buffer, name: string, complete: boolean): Sniffed {
  const warnings: string[] = [];
  const { encoding, bomBytes } = detectEncoding(sample, name, warnings);
  let text = decodeSample(sample.subarray(bomBytes), encoding);
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
  if (looksBinary(sample)) {
    throw new UserInputError(
      `${name} looks like a binary file, not CSV text (it contains NUL or control bytes). Export it as CSV (comma- or tab-separated text) first.`,
    );
  }
  if (isValidUtf8Prefix(sample)) return { encoding: 'utf-8', bomBytes: 0 };
  warnings.push('The file is not valid UTF-8, so it was read as Latin-1 (ISO-8859-1). If accented letters look wrong, save it as UTF-8 and import it again.');
  return { encoding: 'latin1', bomBytes: 0 };
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
