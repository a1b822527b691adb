/**
 * The dataset import engine: reads a delimited text file once, streaming, to hash it (SHA-256),
 * decide its encoding, count its records (quoted newlines are not record ends) and check that
 * every record has as many fields as the header. It returns the metadata the main process stores
 * in `datasets`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { FieldKind, type ByteRecord } from '../csv/byte-parser.js';
import { Utf8Validator } from '../csv/encoding.js';
import { decideNumberFormats, NumberEvidence } from '../csv/number-evidence.js';
import type { ColumnNumberFormat } from '../csv/number-format.js';
import { byteReadable, readByteRange, readRange } from '../csv/reader.js';
import { latin1Warning, sniffFile, type TextEncoding } from '../csv/sniff.js';
import { type Engine, throwIfCancelled, UserInputError } from '../protocol.js';

export const importInputSchema = z.object({
  /** The file to register. Relative paths are resolved against the caller's working directory before queuing. */
  path: z.string().min(1, 'Give the path of a CSV or TSV file.'),
  /** How the file writes numbers, when the user says so; otherwise each column's format is detected. */
  numberFormat: z
    .object({ decimal: z.enum(['.', ',']), thousands: z.enum(['', ',', '.', ' ', "'"]) })
    .refine((f) => f.decimal !== f.thousands, 'The decimal mark and the thousands separator must differ.')
    .optional(),
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
  /** Columns whose numbers are not plain dot-decimal (`12,34`, `1.234.567,89`), each with the format every reader uses and a sentence saying why. */
  numberFormats: ColumnNumberFormat[];
  warnings: string[];
}

/** How many offending line numbers an error quotes. */
const QUOTED_LINES = 5;

const BOMS: Partial<Record<TextEncoding, Buffer>> = {
  'utf-8-bom': Buffer.from([0xef, 0xbb, 0xbf]),
  'utf-16le': Buffer.from([0xff, 0xfe]),
  'utf-16be': Buffer.from([0xfe, 0xff]),
};

/**
 * One streaming pass over the file, with the quality scorer's reader (`readByteRange`, the byte
 * parser: no strings are made) for UTF-8 and Latin-1, and the string reader for UTF-16. The
 * same bytes are hashed and, for a UTF-8 guess, validated as they go by, so the file is read
 * once: the encoding decision is the one `sniffFile` makes for every other reader (UTF-8 only if
 * every byte is), and mixed CR, LF and CRLF line ends are records like any other.
 */
export const importDataset: Engine<ImportInput, ImportResult> = async (input, ctx) => {
  const path = resolve(input.path);
  const name = basename(path);
  ctx.progress({ fraction: 0, stage: 'Detecting format' });
  const sniffed = await sniffFile(path, { confirmEncoding: false });
  const before = await stat(path);
  const warnings = [...sniffed.warnings];

  const hash = createHash('sha256');
  const bom = BOMS[sniffed.encoding];
  if (bom && sniffed.bomBytes > 0) hash.update(bom);
  const validator = sniffed.encoding === 'utf-8' || sniffed.encoding === 'utf-8-bom' ? new Utf8Validator(sniffed.bomBytes) : null;
  const expected = sniffed.columns.length;
  const badLines: number[] = [];
  // Every cell is evidence for its column's number format; the header is not.
  const evidence = new NumberEvidence(sniffed.columns);
  let headerPending = sniffed.hasHeader;
  let badRows = 0;
  let lastLine = 1;
  const onWidth = (width: number, line: number) => {
    lastLine = line;
    if (width === expected) return;
    badRows++;
    if (badLines.length < QUOTED_LINES) badLines.push(line);
  };
  const common = {
    path,
    encoding: sniffed.encoding,
    delimiter: sniffed.delimiter,
    start: sniffed.bomBytes,
    end: before.size,
    skipHeader: false,
    onBytes: (bytes: Buffer) => {
      hash.update(bytes);
      validator?.push(bytes);
    },
    onChunk: (bytes: number) => {
      throwIfCancelled(ctx.signal);
      ctx.progress({ fraction: (sniffed.bomBytes + bytes) / Math.max(before.size, 1), stage: `Reading ${name}` });
    },
  };
  const stats = byteReadable(sniffed.encoding, sniffed.delimiter)
    ? await readByteRange({
        ...common,
        onRecord: (record: ByteRecord, line: number) => {
          onWidth(record.count, line);
          if (headerPending) return void (headerPending = false);
          const width = Math.min(record.count, expected);
          for (let c = 0; c < width; c++) {
            if (record.kind[c] === FieldKind.Ascii) evidence.addBytes(c, record.bytes, record.start[c]!, record.end[c]!);
            else evidence.addText(c, record.text(c));
          }
        },
      })
    : await readRange({
        ...common,
        onRecord: (fields: string[], line: number) => {
          onWidth(fields.length, line);
          if (headerPending) return void (headerPending = false);
          const width = Math.min(fields.length, expected);
          for (let c = 0; c < width; c++) evidence.addText(c, fields[c]!);
        },
      });

  let encoding = sniffed.encoding;
  const broken = validator?.end() ?? null;
  if (broken) {
    if (encoding === 'utf-8-bom') {
      throw new UserInputError(`${name} starts with a UTF-8 byte-order mark, but the bytes at offset ${broken.offset} (line ${broken.line}) are not valid UTF-8: the file mixes encodings. Save it again as UTF-8 (or as one encoding throughout), then import it.`);
    }
    encoding = 'latin1';
    warnings.push(latin1Warning(broken));
  }
  const after = await stat(path);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || stats.bytes + sniffed.bomBytes !== before.size) {
    throw new UserInputError(`${name} changed while it was being read. Wait until whatever writes it has finished, then import it again.`);
  }
  if (stats.unterminatedQuote) {
    throw new UserInputError(`${name} is not valid CSV: the quote opened in the record at line ${lastLine} is never closed, so the rest of the file would be one field. Fix the file (often an unclosed quote) and import it again.`);
  }
  if (badRows > 0) {
    throw new UserInputError(
      `${name}: ${badRows} row${badRows === 1 ? ' has' : 's have'} a different number of fields than the ${sniffed.hasHeader ? 'header' : 'first row'}'s ${expected} (line${badLines.length === 1 ? '' : 's'} ${badLines.join(', ')}${badRows > badLines.length ? ', …' : ''}). Fix or remove those lines, or export the file again, then import it.`,
    );
  }
  const records = stats.records;
  const rowCount = sniffed.hasHeader ? Math.max(0, records - 1) : records;
  if (rowCount === 0) throw new UserInputError(`${name} has a header but no data rows. Export the data again with its rows, then import it.`);
  const numberFormats = decideNumberFormats(evidence, { delimiter: sniffed.delimiter, override: input.numberFormat ?? null });
  for (const format of numberFormats) if (format.ambiguous) warnings.push(format.note);
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
    numberFormats,
    warnings,
  };
};

/** SHA-256 of a file, streaming: used to notice a dataset that changed since it was imported. */
export async function hashFile(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (signal) throwIfCancelled(signal);
    hash.update(chunk);
  }
  return hash.digest('hex');
}
