/**
 * The dataset import engine: reads a delimited text file once, streaming, to hash it (SHA-256),
 * count its records (quoted newlines are not record ends) and check that every record has as many
 * fields as the header. It returns the metadata the main process stores in `datasets`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { z } from 'zod';
import { sniffFile, type TextEncoding } from '../csv/sniff.js';
import { type Engine, throwIfCancelled, UserInputError } from '../protocol.js';

export const importInputSchema = z.object({
  /** The file to register. Relative paths are resolved against the caller's working directory before queuing. */
  path: z.string().min(1, 'Give the path of a CSV or TSV file.'),
});
export type ImportInput = z.infer<typeof importInputSchema>;

export interface ImportResult {
  path: string;
  name: string;
  sizeBytes: number;
  mtimeMs: number;
  sha256: string;
  delimiter: string;
  encoding: TextEncoding;
  hasHeader: boolean;
  columns: string[];
  rowCount: number;
  warnings: string[];
}

/** How many offending line numbers an error quotes. */
const QUOTED_LINES = 5;

export const importDataset: Engine<ImportInput, ImportResult> = async (input, ctx) => {
  const path = resolve(input.path);
  const name = basename(path);
  ctx.progress({ fraction: 0, stage: 'Detecting format' });
  const sniffed = await sniffFile(path);
  const before = await stat(path);
  const warnings = [...sniffed.warnings];
  let encoding = sniffed.encoding;

  const hash = createHash('sha256');
  const expected = sniffed.columns.length;
  const badLines: number[] = [];
  let badRows = 0;
  let records = 0;

  const parser = parse({
    delimiter: sniffed.delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
  });
  parser.on('readable', () => {
    let entry: { record: string[]; info: { lines: number } } | null;
    while ((entry = parser.read() as typeof entry) !== null) {
      records++;
      if (entry.record.length !== expected) {
        badRows++;
        if (badLines.length < QUOTED_LINES) badLines.push(entry.info.lines);
      }
    }
  });
  const parsed = new Promise<void>((done, fail) => {
    parser.on('end', done);
    parser.on('error', fail);
  });
  parsed.catch(() => {}); // handled below, after the stream ends

  const decoder = makeDecoder(encoding);
  let bytesRead = 0;
  let skipBom = sniffed.bomBytes;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      throwIfCancelled(ctx.signal);
      hash.update(chunk);
      bytesRead += chunk.length;
      const body = skipBom > 0 ? chunk.subarray(Math.min(skipBom, chunk.length)) : chunk;
      skipBom = Math.max(0, skipBom - chunk.length);
      let text: string;
      try {
        text = decoder.write(body);
      } catch {
        // Invalid UTF-8 past the sniffed sample: structure (delimiters, quotes, newlines) is ASCII,
        // so counting goes on unchanged; only the declared encoding changes.
        encoding = 'latin1';
        warnings.push(`Bytes near offset ${bytesRead - chunk.length} are not valid UTF-8, so the file is read as Latin-1 (ISO-8859-1). If accented letters look wrong, save it as UTF-8 and import it again.`);
        decoder.switchToLatin1();
        text = decoder.write(body);
      }
      if (!parser.write(text)) await new Promise((next) => parser.once('drain', next));
      ctx.progress({ fraction: bytesRead / before.size, stage: `Reading ${name}` });
    }
    parser.write(decoder.end());
    parser.end();
    await parsed;
  } catch (error) {
    parser.destroy();
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new UserInputError(`${name} is not valid CSV${line ? ` at line ${line}` : ''}: ${error.message.replace(/^Invalid \w+: /, '')}. Fix the file (often an unclosed quote) and import it again.`);
    }
    throw error;
  }

  const after = await stat(path);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || bytesRead !== before.size) {
    throw new UserInputError(`${name} changed while it was being read. Wait until whatever writes it has finished, then import it again.`);
  }
  if (badRows > 0) {
    throw new UserInputError(
      `${name}: ${badRows} row${badRows === 1 ? ' has' : 's have'} a different number of fields than the ${sniffed.hasHeader ? 'header' : 'first row'}'s ${expected} (line${badLines.length === 1 ? '' : 's'} ${badLines.join(', ')}${badRows > badLines.length ? ', …' : ''}). Fix or remove those lines, or export the file again, then import it.`,
    );
  }
  const rowCount = sniffed.hasHeader ? Math.max(0, records - 1) : records;
  if (rowCount === 0) throw new UserInputError(`${name} has a header but no data rows. Export the data again with its rows, then import it.`);
  ctx.progress({ fraction: 1, stage: 'Done' });
  return {
    path,
    name,
    sizeBytes: before.size,
    mtimeMs: Math.trunc(before.mtimeMs),
    sha256: hash.digest('hex'),
    delimiter: sniffed.delimiter,
    encoding,
    hasHeader: sniffed.hasHeader,
    columns: sniffed.columns,
    rowCount,
    warnings,
  };
};

/** A streaming decoder that can fall back from UTF-8 to Latin-1 midway. */
function makeDecoder(encoding: TextEncoding) {
  let utf8: InstanceType<typeof TextDecoder> | null = encoding === 'utf-8' || encoding === 'utf-8-bom' ? new TextDecoder('utf-8', { fatal: true }) : null;
  let other = utf8 ? null : iconv.getDecoder(encoding === 'latin1' ? 'latin1' : encoding);
  return {
    write: (bytes: Buffer): string => (utf8 ? utf8.decode(bytes, { stream: true }) : other!.write(bytes)),
    end: (): string => (utf8 ? utf8.decode() : (other!.end() ?? '')),
    switchToLatin1() {
      utf8 = null;
      other = iconv.getDecoder('latin1');
    },
  };
}

/** SHA-256 of a file, streaming: used to notice a dataset that changed since it was imported. */
export async function hashFile(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (signal) throwIfCancelled(signal);
    hash.update(chunk);
  }
  return hash.digest('hex');
}
