/**
 * Reads a training CSV into memory. Training sets must fit in memory (the network sees every row
 * every epoch), so a file above the limit is refused with what to do instead.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { UserInputError } from '../protocol.js';
import { sniffFile } from '../csv/sniff.js';

/** A table of raw text cells, as read. */
export interface Table {
  columns: string[];
  rows: string[][];
  /** SHA-256 of the file's bytes (recorded with the model version). */
  sha256: string;
  warnings: string[];
}

/** Default limit on the file size for training: beyond it the parsed cells no longer fit comfortably. */
export const MAX_TRAINING_BYTES = 256 * 1024 * 1024;

/** Reads and parses `path`. Throws `UserInputError` for a missing, binary or oversized file. */
export async function loadTable(path: string, maxBytes = MAX_TRAINING_BYTES): Promise<Table> {
  const sniffed = await sniffFile(path);
  const { size } = await stat(path);
  if (size > maxBytes) {
    throw new UserInputError(
      `${path} is ${(size / 1e6).toFixed(0)} MB, above the ${(maxBytes / 1e6).toFixed(0)} MB training limit: training loads the whole file in memory. Take a sample of the rows (or fewer columns) and train on that.`,
    );
  }
  const bytes = await readFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const body = bytes.subarray(sniffed.bomBytes);
  const encoding = sniffed.encoding === 'utf-8-bom' ? 'utf-8' : sniffed.encoding;
  const text = iconv.decode(body, encoding);
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: sniffed.delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      from_line: sniffed.hasHeader ? 2 : 1,
    }) as string[][];
  } catch (error) {
    throw new UserInputError(`${path} could not be parsed as CSV (${(error as Error).message}). Check the file, export it again, then retry.`);
  }
  const warnings = [...sniffed.warnings];
  const width = sniffed.columns.length;
  let ragged = 0;
  const rows = records.map((record) => {
    if (record.length === width) return record;
    ragged++;
    return record.length > width ? record.slice(0, width) : [...record, ...new Array<string>(width - record.length).fill('')];
  });
  if (ragged > 0) warnings.push(`${ragged} row(s) did not have ${width} fields; they were padded with blanks or cut.`);
  return { columns: sniffed.columns, rows, sha256, warnings };
}
