/**
 * The reading half of `evaluate.run`, as one streaming pass: rows come from the shared record
 * reader, labelled rows are encoded and predicted a batch at a time, and only what the metrics
 * need is kept per row, in typed arrays (the label, the network's outputs) plus the cell of each
 * protected attribute (one shared string per distinct value). A 1 M-row file therefore costs tens
 * of megabytes instead of every row's strings.
 *
 * It keeps the whole-file path's semantics exactly: the same file hash (BOM included), the same
 * padding of ragged rows and warnings, the same rows left out (blank label, unknown class, text in
 * a numeric target) and the same batches of labelled rows (every `BATCH_ROWS` from the first), so
 * the network sees the same inputs and every figure is unchanged.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type * as tfjs from '@tensorflow/tfjs';
import { FieldKind, type ByteRecord } from '../csv/byte-parser.js';
import { byteReadable, readByteRange, readRange } from '../csv/reader.js';
import { toCanonical } from '../csv/number-format.js';
import type { Sniffed } from '../csv/sniff.js';
import type { NumberFormatMap } from '../trainer/load.js';
import { throwIfCancelled } from '../protocol.js';
import type { SavedPipeline } from '../trainer/artifact.js';
import { transform } from '../trainer/preprocess.js';
import { isMissing, parseNumber } from '../trainer/values.js';

/** Labelled rows predicted per call of the network. */
export const BATCH_ROWS = 4096;

/** What the pass kept: per scored row, the label and the outputs; per file, the counts. */
export interface ScoredFile {
  /** Data rows in the file. */
  total: number;
  /** Rows scored (a usable label). */
  scored: number;
  /** Class index or value of each scored row (`scored` entries). */
  actual: Float64Array;
  /** The network's raw outputs, `scored × outputs` row-major. */
  output: Float32Array;
  missingLabel: number;
  /** Labels the model cannot be scored on, with their counts, in order of first appearance. */
  unknown: Map<string, number>;
  /** Per feature, scored rows whose category the model did not learn. */
  unseen: Map<string, number>;
  /** Per protected attribute present in the file: its raw cell for each scored row. */
  groups: Map<string, string[]>;
  sha256: string;
  /** How the file was read (encoding, delimiter, columns, warnings). */
  sniffed: Sniffed;
  /** Rows padded or cut to the header's width. */
  ragged: number;
  /** Per column written in the training file's number format: cells with a value that is not a number in it (treated as missing), in order of first appearance. */
  notNumbers: Record<string, number>;
}

/** A typed array that grows by doubling. */
class Growable<T extends Float64Array | Float32Array> {
  length = 0;
  constructor(
    private data: T,
    private readonly make: (n: number) => T,
  ) {}

  push(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) {
      const next = this.make(Math.max(this.data.length * 2, this.length + values.length));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }

  /** The filled part, trimmed to its length (a copy, so the spare capacity is freed). */
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/** Options of the pass. */
export interface ScoreFileOptions {
  file: string;
  sniffed: Sniffed;
  tf: typeof tfjs;
  model: tfjs.LayersModel;
  pipeline: SavedPipeline;
  /** Protected attributes present in the file. */
  protectedColumns: string[];
  /** Columns whose numbers the training file wrote with a decimal comma or separators (`modelNumberFormats`). */
  numberFormats: NumberFormatMap;
  signal: AbortSignal;
  /** Share of the file read, after each batch. */
  onProgress(fraction: number): void;
}

/** Reads, predicts and keeps what the metrics need. */
export async function scoreFile(options: ScoreFileOptions): Promise<ScoredFile> {
  const { file, sniffed, tf, model, pipeline, signal } = options;
  const { preprocessing, target } = pipeline;
  const { size } = await stat(file);
  const columns = sniffed.columns;
  const width = columns.length;
  const targetIndex = columns.indexOf(target.column);
  const d = preprocessing.inputs.length;
  const k = target.task === 'multiclass' ? target.classes.length : 1;
  const hash = createHash('sha256');
  if (sniffed.bomBytes > 0) {
    // The BOM is skipped by the reader but belongs to the file's hash.
    const handle = await open(file, 'r');
    try {
      const bom = Buffer.alloc(sniffed.bomBytes);
      await handle.read(bom, 0, bom.length, 0);
      hash.update(bom);
    } finally {
      await handle.close();
    }
  }
  const actual = new Growable(new Float64Array(1024), (n) => new Float64Array(n));
  const output = new Growable(new Float32Array(1024 * k), (n) => new Float32Array(n));
  const unknown = new Map<string, number>();
  const unseen = new Map<string, number>();
  const groupIndex = options.protectedColumns.map((c) => columns.indexOf(c));
  const groupCells = options.protectedColumns.map((): string[] => []);
  // One string per distinct cell, so a million rows of "F"/"M" share two strings.
  const interned = options.protectedColumns.map(() => new Map<string, string>());
  let total = 0;
  let missingLabel = 0;
  let ragged = 0;
  let bytes = 0;
  let batch: string[][] = [];
  const labels: number[] = [];

  const flush = () => {
    const n = batch.length;
    if (n === 0) return;
    throwIfCancelled(signal);
    const { x, report } = transform(preprocessing, columns, batch);
    for (const [column, count] of Object.entries(report.unseen)) unseen.set(column, (unseen.get(column) ?? 0) + count);
    const input = tf.tensor2d(x, [n, d]);
    // One call per batch: with its default batch of 32, predict slices the input (a read of the tensor per slice).
    const result = model.predict(input, { batchSize: n }) as tfjs.Tensor;
    output.push(result.dataSync());
    input.dispose();
    result.dispose();
    actual.push(labels);
    batch = [];
    labels.length = 0;
    options.onProgress(size > 0 ? bytes / size : 1);
  };
  const formatted = columns.flatMap((name, c) => (options.numberFormats[name] ? [{ c, name, format: options.numberFormats[name] }] : []));
  const notNumbers: Record<string, number> = {};
  const take = (row: string[]) => {
    total++;
    if (row.length !== width) {
      ragged++;
      if (row.length > width) row.length = width;
      else while (row.length < width) row.push('');
    }
    // Numbers as the training file wrote them (`1.234,5`) become plain text, as every reader of the model does.
    for (const { c, name, format } of formatted) {
      const raw = row[c]!;
      if (raw.trim() === '') continue;
      const plain = toCanonical(raw, format);
      if (plain === null) notNumbers[name] = (notNumbers[name] ?? 0) + 1;
      else row[c] = plain;
    }
    const cell = row[targetIndex] ?? '';
    if (isMissing(cell)) return void missingLabel++;
    const label = cell.trim();
    const value = target.task === 'regression' ? parseNumber(label) : target.classes.indexOf(label);
    // A class index is −1 when the model never learned the class; any number is a regression label.
    if (value === null || (target.task !== 'regression' && value < 0)) return void unknown.set(label, (unknown.get(label) ?? 0) + 1);
    for (let g = 0; g < groupIndex.length; g++) {
      const raw = row[groupIndex[g]!] ?? '';
      let shared = interned[g]!.get(raw);
      if (shared === undefined) interned[g]!.set(raw, (shared = raw));
      groupCells[g]!.push(shared);
    }
    labels.push(value);
    batch.push(row);
    if (batch.length === BATCH_ROWS) flush();
  };
  const common = {
    path: file,
    encoding: sniffed.encoding,
    delimiter: sniffed.delimiter,
    start: sniffed.bomBytes,
    end: size,
    skipHeader: sniffed.hasHeader,
    onBytes: (chunk: Buffer) => hash.update(chunk),
    onChunk: (read: number) => {
      bytes = read;
      throwIfCancelled(signal);
    },
  };
  if (byteReadable(sniffed.encoding, sniffed.delimiter)) {
    await readByteRange({ ...common, onRecord: (record) => take(recordFields(record)) });
  } else {
    await readRange({ ...common, onRecord: (fields) => take(fields.slice()) });
  }
  flush();
  const scoredActual = actual.done();
  return {
    total,
    scored: scoredActual.length,
    actual: scoredActual,
    output: output.done(),
    missingLabel,
    unknown,
    unseen,
    groups: new Map(options.protectedColumns.map((c, g) => [c, groupCells[g]!])),
    sha256: hash.digest('hex'),
    sniffed,
    ragged,
    notNumbers,
  };
}

/** A byte record's fields as strings (ASCII fields straight from their bytes). */
function recordFields(record: ByteRecord): string[] {
  const fields = new Array<string>(record.count);
  for (let c = 0; c < record.count; c++) {
    fields[c] = record.kind[c] === FieldKind.Ascii ? record.bytes.toString('latin1', record.start[c]!, record.end[c]!) : record.text(c);
  }
  return fields;
}
