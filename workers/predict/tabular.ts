/**
 * Batch scoring of a tabular model as one streaming pass: rows come from the shared record reader
 * (the byte reader the quality scorer uses, or the string reader for UTF-16), are encoded and
 * predicted a batch at a time, and are written out as they go. Memory holds the model and one
 * batch, never the file, so a file larger than memory scores at close to reading speed.
 *
 * The output is byte for byte what the whole-file path (`predictFile` in trainer/predict.ts)
 * writes: the same header, cells, escaping, number formatting and warnings, and the same batch
 * boundaries (every `BATCH_ROWS` rows from the first), so the network sees the same inputs. It is
 * written to a temporary file beside `outPath` and moved into place only when every row is done,
 * so a cancelled or failed job never leaves a half-written output.
 */
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { FieldKind, type ByteRecord } from '../csv/byte-parser.js';
import { byteReadable, readByteRange, readRange } from '../csv/reader.js';
import { sniffFile } from '../csv/sniff.js';
import { ensureFreeSpace } from '../disk.js';
import { throwIfCancelled, UserInputError } from '../protocol.js';
import { loadBestBackend } from '../tfjs/backend.js';
import { loadArtifact } from '../trainer/artifact.js';
import { defuse } from '../trainer/predict.js';
import { canonicalRows, modelNumberFormats, notNumberWarnings } from '../trainer/load.js';
import { transform } from '../trainer/preprocess.js';

/** Rows predicted per call of the network (the whole-file path's chunk, so batches match). */
export const BATCH_ROWS = 4096;

/** Where a streaming prediction stands, after each batch. */
export interface BatchProgress {
  /** Rows predicted and written so far. */
  rows: number;
  /** Bytes of the input read so far. */
  bytes: number;
  /** Size of the input file. */
  totalBytes: number;
}

/** How `predictTabularStream` runs. */
export interface StreamOptions {
  signal: AbortSignal;
  /** Replace `outPath` if it exists (otherwise an existing file is refused, never replaced). */
  force?: boolean;
  /** Prefix formula-like cells with `'` (CSV-injection defence); default true. */
  escapeFormulas?: boolean;
  /** Binary models: call a row positive when P(positive) ≥ this (the version's operating threshold; default 0.5). */
  threshold?: number;
  /** Called after each batch is written. */
  onProgress?(progress: BatchProgress): void;
  /** Backend to use instead of the best available one (tests). */
  tf?: typeof tfjs;
}

/** What the pass produced. */
export interface StreamResult {
  rows: number;
  outPath: string;
  task: 'binary' | 'multiclass' | 'regression';
  /** Columns added to the output file. */
  addedColumns: string[];
  warnings: string[];
  /** Bytes of input read. */
  bytes: number;
}

const exists = (message: string) => new UserInputError(`${message} already exists. Choose another output file, or pass --force to overwrite it.`);

/** Reads `csvPath` as a stream, predicts every row in batches, and writes the rows with prediction columns added to `outPath`. */
export async function predictTabularStream(artifactDir: string, csvPath: string, outPath: string, options: StreamOptions): Promise<StreamResult> {
  const escape = options.escapeFormulas ?? true;
  const threshold = options.threshold ?? 0.5;
  const cell = (value: string) => csvCell(escape ? defuse(value) : value);
  if (!options.force && (await stat(outPath).catch(() => null))) throw exists(outPath);
  const { size } = await stat(csvPath);
  ensureFreeSpace(outPath, Math.round(size * 1.5), 'the predictions file');
  const sniffed = await sniffFile(csvPath);
  const lib = options.tf ?? (await loadBestBackend()).tf;
  const { model, pipeline } = await loadArtifact(lib, artifactDir);
  const temp = join(dirname(outPath), `.${basename(outPath)}.${process.pid}-${Date.now().toString(36)}.partial`);
  let fd: number | null = null;
  try {
    const { preprocessing, target } = pipeline;
    const columns = sniffed.columns;
    const width = columns.length;
    const features = preprocessing.features.map((f) => f.column);
    const missingColumns = features.filter((c) => !columns.includes(c));
    if (missingColumns.length === features.length) {
      throw new UserInputError(`None of the model's columns are in the file (it needs ${features.join(', ')}). Check that this is the right file for this model.`);
    }
    // The order in which a row's probabilities are written: an object's key order, as the whole-file path has it.
    const probabilityColumns = target.task === 'regression' ? [] : Object.keys(Object.fromEntries(target.classes.map((c) => [c, 0])));
    const added = target.task === 'regression' ? ['prediction'] : ['prediction', ...probabilityColumns.map((c) => `probability_${c}`)];
    const slot = target.task === 'regression' ? [] : probabilityColumns.map((c) => target.classes.indexOf(c));
    const d = preprocessing.inputs.length;
    const k = target.task === 'multiclass' ? target.classes.length : 1;
    const unseen = new Map<string, number>();
    // Numbers written as in the training file (decimal comma, separators) are read that way; the output keeps them as written.
    const formats = await modelNumberFormats(artifactDir);
    const notNumbers = new Map<string, number>();

    fd = openSync(temp, 'wx', 0o644);
    const out = fd;
    writeSync(out, `${[...columns, ...added].map(cell).join(',')}\n`);
    let batch: string[][] = [];
    let rows = 0;
    let bytes = 0;
    let ragged = 0;
    const probabilities = new Float64Array(target.task === 'regression' ? 0 : target.classes.length);
    const flush = () => {
      const n = batch.length;
      if (n === 0) return;
      throwIfCancelled(options.signal);
      const canonical = canonicalRows(columns, batch, formats);
      for (const [column, count] of Object.entries(canonical.notNumbers)) notNumbers.set(column, (notNumbers.get(column) ?? 0) + count);
      const { x, report } = transform(preprocessing, columns, canonical.rows);
      for (const [column, count] of Object.entries(report.unseen)) unseen.set(column, (unseen.get(column) ?? 0) + count);
      const input = lib.tensor2d(x, [n, d]);
      // One call per batch: with its default batch of 32, predict slices the input (a read of the tensor per slice).
      const result = model.predict(input, { batchSize: n }) as tfjs.Tensor;
      const output = result.dataSync();
      input.dispose();
      result.dispose();
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        const row = batch[i]!;
        let line = '';
        for (let c = 0; c < row.length; c++) line += (c ? ',' : '') + cell(row[c]!);
        if (target.task === 'regression') {
          line += `,${cell(String(output[i]! * target.std + target.mean))}`;
        } else {
          let label: string;
          if (target.task === 'binary') {
            const p = output[i]!;
            label = target.classes[p >= threshold ? 1 : 0]!;
            probabilities[0] = 1 - p;
            probabilities[1] = p;
          } else {
            let best = 0;
            for (let j = 0; j < k; j++) {
              probabilities[j] = output[i * k + j]!;
              if (output[i * k + j]! > output[i * k + best]!) best = j;
            }
            label = target.classes[best]!;
          }
          line += `,${cell(label)}`;
          for (const j of slot) line += `,${cell(probabilities[j]!.toFixed(6))}`;
        }
        lines.push(line);
      }
      writeSync(out, `${lines.join('\n')}\n`);
      rows += n;
      batch = [];
      options.onProgress?.({ rows, bytes, totalBytes: size });
    };
    const take = (row: string[]) => {
      if (row.length !== width) {
        ragged++;
        if (row.length > width) row.length = width;
        else while (row.length < width) row.push('');
      }
      batch.push(row);
      if (batch.length === BATCH_ROWS) flush();
    };
    const common = {
      path: csvPath,
      encoding: sniffed.encoding,
      delimiter: sniffed.delimiter,
      start: sniffed.bomBytes,
      end: size,
      skipHeader: sniffed.hasHeader,
      onChunk: (read: number) => {
        bytes = sniffed.bomBytes + read;
        throwIfCancelled(options.signal);
      },
    };
    if (byteReadable(sniffed.encoding, sniffed.delimiter)) {
      await readByteRange({ ...common, onRecord: (record) => take(recordFields(record)) });
    } else {
      await readRange({ ...common, onRecord: (fields) => take(fields.slice()) });
    }
    flush();
    if (rows === 0) throw new UserInputError(`${csvPath} has a header but no rows to predict.`);
    fsyncSync(out);
    closeSync(out);
    fd = null;
    place(temp, outPath, options.force === true);

    const warnings = [...sniffed.warnings];
    if (ragged > 0) warnings.push(`${ragged} row(s) did not have ${width} fields; they were padded with blanks or cut.`);
    if (missingColumns.length) {
      warnings.push(
        `Column(s) ${missingColumns.map((c) => `"${c}"`).join(', ')} are missing from the file: every row uses the training median or most common value instead, so predictions are less reliable. Add the column(s) for full accuracy.`,
      );
    }
    // In feature order, as one pass over the whole file would have counted them.
    for (const column of features) {
      const count = unseen.get(column);
      if (count) warnings.push(`"${column}": ${count} row(s) have a category the model did not learn in training (new or rare); they were treated as "other".`);
    }
    warnings.push(...notNumberWarnings(Object.fromEntries(notNumbers), formats));
    return {
      rows,
      outPath,
      task: target.task === 'regression' ? 'regression' : probabilityColumns.length === 2 ? 'binary' : 'multiclass',
      addedColumns: added,
      warnings,
      bytes: size,
    };
  } finally {
    model.dispose();
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // Already moved into place, or never created.
    }
  }
}

/** A byte record's fields as strings (ASCII fields straight from their bytes). */
function recordFields(record: ByteRecord): string[] {
  const fields = new Array<string>(record.count);
  for (let c = 0; c < record.count; c++) {
    fields[c] = record.kind[c] === FieldKind.Ascii ? record.bytes.toString('latin1', record.start[c]!, record.end[c]!) : record.text(c);
  }
  return fields;
}

/**
 * Moves the finished file into place. Without `force` a hard link refuses a file that appeared
 * meanwhile (the link fails with EEXIST), so nothing is ever overwritten unasked.
 */
function place(temp: string, outPath: string, force: boolean): void {
  if (force) return renameSync(temp, outPath);
  try {
    linkSync(temp, outPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw exists(outPath);
    // A file system without hard links: check, then rename (a tiny window, as with any check).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    if (existsSync(outPath)) throw exists(outPath);
    renameSync(temp, outPath);
  }
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
