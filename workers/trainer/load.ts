/**
 * Reads a training CSV, streaming, with the shared record reader (the same encoding decision,
 * delimiter and line-end handling as every other reader). The network sees every kept row every
 * epoch, so a table with more rows than `maxRows` is reduced while it is read to a seeded
 * uniform sample (reservoir sampling), and memory stays bounded by the sample, not the file.
 */
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserInputError } from '../protocol.js';
import { readRange } from '../csv/reader.js';
import { sniffFile } from '../csv/sniff.js';
import { describeFormat, toCanonical, type NumberFormat } from '../csv/number-format.js';
import { Rng, seedFor } from './random.js';

/** A table of raw text cells, as read. */
export interface Table {
  columns: string[];
  rows: string[][];
  /** SHA-256 of the file's bytes (recorded with the model version). */
  sha256: string;
  warnings: string[];
  /** Data rows in the file (blank lines excluded); more than `rows.length` when the table was sampled. */
  rowsInFile: number;
  /** How the rows were chosen when the file had more than the cap; null when every row was kept. */
  sampling: Sampling | null;
}

/** A sample drawn while reading, and the rule that drew it. */
export interface Sampling {
  /** Rows kept. */
  rows: number;
  /** Data rows in the file. */
  of: number;
  /** The seed of the reservoir. */
  seed: number;
  /** The rule, in words, for results and the wizard. */
  rule: string;
}

/** How `loadTable` reads. */
export interface LoadOptions {
  /** Refuse files larger than this (callers that must hold every row). */
  maxBytes?: number;
  /** Keep at most this many rows: a seeded uniform sample, in file order. */
  maxRows?: number;
  /** Seed of the sample (default 42). */
  seed?: number;
  /**
   * Columns whose numbers use a decimal comma or thousands separators: their cells are turned
   * into plain dot-decimal text while reading (`1.234,5` → `1234.5`), so the rest of the trainer
   * reads them as numbers. A cell that is not a number in its format is kept as written.
   */
  numberFormats?: NumberFormatMap;
}

/**
 * The number formats a model's file readers must use (`preprocessing.json`'s `numberFormats`);
 * empty for models trained on plain numbers and for other kinds' pipelines.
 */
export async function modelNumberFormats(artifactDir: string): Promise<NumberFormatMap> {
  const text = await readFile(join(artifactDir, 'preprocessing.json'), 'utf8').catch(() => '{}');
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    return {}; // the artifact's verification names a damaged file
  }
  const parsed = savedFormats.safeParse(json);
  return parsed.success ? (parsed.data.preprocessing?.numberFormats ?? {}) : {};
}

const savedFormats = z.object({
  preprocessing: z.object({ numberFormats: z.record(z.string(), z.object({ decimal: z.enum(['.', ',']), thousands: z.enum(['', ',', '.', ' ', "'"]) })).optional() }).optional(),
});

/** A warning per column with values that are not numbers in the model's format. */
export function notNumberWarnings(notNumbers: Record<string, number>, formats: NumberFormatMap): string[] {
  return Object.entries(notNumbers).map(
    ([column, n]) => `"${column}": ${n.toLocaleString('en')} value(s) are not numbers written as the model's training file wrote them (${describeFormat(formats[column]!)}); they were treated as missing.`,
  );
}

/** Column name → how it writes numbers (only columns that are not plain dot-decimal). */
export type NumberFormatMap = Record<string, NumberFormat>;

/**
 * `rows` with the cells of formatted columns as plain dot-decimal text (a copy when any format
 * applies), and per column the cells with a value that are not numbers in that format.
 */
export function canonicalRows(columns: string[], rows: string[][], formats: NumberFormatMap | undefined): { rows: string[][]; notNumbers: Record<string, number> } {
  const notNumbers: Record<string, number> = {};
  const indexed = columns.flatMap((name, c) => (formats?.[name] ? [{ c, name, format: formats[name] }] : []));
  if (indexed.length === 0) return { rows, notNumbers };
  const out = rows.map((row) => {
    const copy = row.slice();
    for (const { c, name, format } of indexed) if (!canonicalCell(copy, c, format)) notNumbers[name] = (notNumbers[name] ?? 0) + 1;
    return copy;
  });
  return { rows: out, notNumbers };
}

/** Rewrites `row[c]` in plain dot-decimal; false when it has a value that is not a number in `format`. */
function canonicalCell(row: string[], c: number, format: NumberFormat): boolean {
  const cell = row[c];
  if (cell === undefined || cell.trim() === '') return true;
  const plain = toCanonical(cell, format);
  if (plain === null) return false;
  row[c] = plain;
  return true;
}

/** Limit on the file size for callers that hold every row (prediction files). */
export const MAX_TRAINING_BYTES = 256 * 1024 * 1024;

/** Reads and parses `path`. Throws `UserInputError` for a missing, binary or oversized file. */
export async function loadTable(path: string, options: LoadOptions | number = {}): Promise<Table> {
  const { maxBytes = Infinity, maxRows = Infinity, seed = 42, numberFormats } = typeof options === 'number' ? { maxBytes: options } : options;
  const sniffed = await sniffFile(path);
  const { size } = await stat(path);
  if (size > maxBytes) {
    throw new UserInputError(
      `${path} is ${(size / 1e6).toFixed(0)} MB, above the ${(maxBytes / 1e6).toFixed(0)} MB limit: this step holds the whole file in memory. Split the file (or take fewer columns) and retry.`,
    );
  }
  const hash = createHash('sha256');
  if (sniffed.bomBytes > 0) {
    // The BOM is skipped by the reader but belongs to the file's hash.
    const handle = await open(path, 'r');
    try {
      const bom = Buffer.alloc(sniffed.bomBytes);
      await handle.read(bom, 0, bom.length, 0);
      hash.update(bom);
    } finally {
      await handle.close();
    }
  }
  const width = sniffed.columns.length;
  const formatted = sniffed.columns.flatMap((name, c) => (numberFormats?.[name] ? [{ c, format: numberFormats[name] }] : []));
  const rng = new Rng(seedFor(seed, 'sample'));
  const rows: string[][] = [];
  const order: number[] = [];
  let seen = 0;
  let ragged = 0;
  await readRange({
    path,
    encoding: sniffed.encoding,
    delimiter: sniffed.delimiter,
    start: sniffed.bomBytes,
    end: size,
    skipHeader: sniffed.hasHeader,
    onBytes: (bytes) => hash.update(bytes),
    onRecord: (fields) => {
      const index = seen++;
      // Algorithm R: row k (0-based) replaces a kept one with probability maxRows / (k + 1).
      let slot = rows.length;
      if (rows.length >= maxRows) {
        slot = rng.int(index + 1);
        if (slot >= maxRows) return;
      }
      let row: string[];
      if (fields.length === width) row = fields.slice();
      else {
        ragged++;
        row = fields.length > width ? fields.slice(0, width) : [...fields, ...new Array<string>(width - fields.length).fill('')];
      }
      for (const { c, format } of formatted) canonicalCell(row, c, format);
      rows[slot] = row;
      order[slot] = index;
    },
  });
  const warnings = [...sniffed.warnings];
  if (ragged > 0) warnings.push(`${ragged} row(s) did not have ${width} fields; they were padded with blanks or cut.`);
  let sampling: Sampling | null = null;
  if (seen > rows.length) {
    // File order, so the sample does not depend on the reservoir's replacement order.
    const byIndex = order.map((index, slot) => ({ index, slot })).sort((a, b) => a.index - b.index);
    const sorted = byIndex.map(({ slot }) => rows[slot]!);
    rows.length = 0;
    for (const row of sorted) rows.push(row);
    sampling = {
      rows: rows.length,
      of: seen,
      seed,
      rule: `a uniform random sample of ${rows.length.toLocaleString('en')} of the file's ${seen.toLocaleString('en')} rows, drawn while reading (reservoir sampling, seed ${seed}), kept in file order`,
    };
  }
  return { columns: sniffed.columns, rows, sha256: hash.digest('hex'), warnings, rowsInFile: seen, sampling };
}
