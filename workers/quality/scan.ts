/**
 * One pass over one byte range of a file: every record feeds the column accumulators, the row
 * hashes, the row sample and the group counts. The same function runs in-process (small files,
 * tests) and on worker threads (`thread.ts`); its result is plain data for `assemble.ts`.
 *
 * UTF-8 and Latin-1 files are read as bytes (`readByteRange`): each field comes with its hash,
 * which serves the row hashes, the distinct-value table and the HyperLogLog, and ASCII fields
 * never become strings unless their value is new or needs a closer look. UTF-16 files are read
 * as strings; both ways give the same result for the same text.
 */
import type { TextEncoding } from '../csv/sniff.js';
import { toCanonical, type NumberFormat } from '../csv/number-format.js';
import { ByteRecordParser, FieldKind, hashText, textHash, type ByteRecord } from '../csv/byte-parser.js';
import { byteReadable, readByteRange, readRange, type RangeReadResult } from '../csv/reader.js';
import { Utf8Validator } from '../csv/encoding.js';
import { ColumnAccumulator, type ColumnState } from './column.js';
import { GroupCounts, type GroupCountsState, type GroupSpec } from './group-counts.js';
import { RowHasher, fmix32 } from './hash.js';
import { RowSample, trimmedFields, type SampledRow, type SampleState } from './sample.js';
import { SpillWriter } from './spill.js';

/** Everything a range scan needs to know about the file and the question (plain data). */
export interface ScanPlan {
  path: string;
  encoding: TextEncoding;
  delimiter: string;
  columns: string[];
  /** Per column: how its numbers are written, or null for plain dot-decimal (`csv/number-format.ts`). */
  numberFormats: (NumberFormat | null)[];
  missingMarkers: string[];
  distinctLimit: number;
  /** Floor capacity of each KLL sketch's low compactors (memory per numeric column ≈ 8 × this). */
  kllFloor: number;
  /** Column indices kept in the row sample (correlations, leakage). */
  sampleColumns: number[];
  sampleRows: number;
  target: number | null;
  /** Columns left out of the feature hash for conflicting labels (target, prediction). */
  nonFeatures: number[];
  groups: Omit<GroupSpec, 'missingMarkers'> | null;
  /** Column indices, in the reference file's order, hashed for train/test overlap. */
  overlapColumns: number[] | null;
  spillDir: string;
  /** Prefix for this file's spill files (`train`, `test`). */
  spillPrefix: string;
  buckets: number;
  seed: number;
  /**
   * Validate the bytes as UTF-8 while reading them (a UTF-8 file whose bytes past the sniffing
   * window were not checked yet): a range stops at its first invalid byte and says where
   * (`ScanResult.utf8Break`), and the engine reads the file again as Latin-1.
   */
  checkUtf8: boolean;
}

/** One range of the file. */
export interface RangeTask {
  index: number;
  start: number;
  end: number;
  skipHeader: boolean;
}

/** What one range produced. */
export interface ScanResult {
  index: number;
  start: number;
  end: number;
  rows: number;
  lines: number;
  quotes: number;
  unterminatedQuote: boolean;
  /** Rows with fewer / more fields than the header. */
  shortRows: number;
  longRows: number;
  /** Line numbers (relative to the range start, 1-based) of the first ragged rows. */
  raggedLines: number[];
  columns: ColumnState[];
  sample: SampleState;
  groups: GroupCountsState | null;
  missingTarget: number;
  unusablePredictions: number;
  /** Spill files written (rows: [featureHash, rowHash, targetHash] or [rowHash]; overlap: [hash]). */
  spillFiles: string[];
  rowsPrefix: string;
  overlapPrefix: string | null;
  /** With `checkUtf8`: the file offset of the range's first byte that is not UTF-8 (the scan stopped there), or null. */
  utf8Break: number | null;
}

/** Thrown from the read to stop a range at its first invalid UTF-8 byte. */
const UTF8_BREAK = new Error('The range is not valid UTF-8.');

export async function scanRange(plan: ScanPlan, task: RangeTask, onBytes: (bytes: number) => void): Promise<ScanResult> {
  const markers = new Set(plan.missingMarkers);
  const width = plan.columns.length;
  const columns = plan.columns.map((name, i) => new ColumnAccumulator(name, markers, plan.distinctLimit, plan.seed + i * 7919 + task.index, undefined, plan.kllFloor, plan.numberFormats[i] ?? null));
  // Columns with a decimal comma or thousands separators take the string path, where the accumulator reads them in their format.
  const formatted = new Uint8Array(width);
  for (let c = 0; c < width; c++) if (plan.numberFormats[c]) formatted[c] = 1;
  // The sample holds such numbers as plain dot-decimal text, so correlations and leakage read them as numbers.
  const canonical = (field: (c: number) => string) => (c: number) => {
    const text = field(c);
    const format = plan.numberFormats[c];
    return format ? (toCanonical(text, format) ?? text) : text;
  };
  const sample = new RowSample(plan.sampleRows, plan.seed * 31 + task.index + 1);
  const groups = plan.groups ? new GroupCounts({ ...plan.groups, missingMarkers: markers }) : null;
  const rowsPrefix = `${plan.spillPrefix}-rows-r${task.index}`;
  const overlapPrefix = plan.overlapColumns ? `${plan.spillPrefix}-overlap-r${task.index}` : null;
  const withTarget = plan.target !== null;
  const rowsSpill = new SpillWriter(plan.spillDir, rowsPrefix, withTarget ? 3 : 1, plan.buckets);
  const overlapSpill = overlapPrefix ? new SpillWriter(plan.spillDir, overlapPrefix, 1, plan.buckets) : null;
  const all = new RowHasher();
  const features = new RowHasher();
  const target = new RowHasher();
  const overlap = new RowHasher();
  const isNonFeature = new Uint8Array(width);
  for (const i of plan.nonFeatures) isNonFeature[i] = 1;
  const sampleColumns = plan.sampleColumns;
  const overlapColumns = plan.overlapColumns;
  // The current row's fields by their hash lanes (`hashText`); missing fields are ''.
  const laneA = new Int32Array(width);
  const laneB = new Int32Array(width);
  hashText('');
  const emptyA = textHash.a;
  const emptyB = textHash.b;

  let rows = 0;
  let shortRows = 0;
  let longRows = 0;
  const raggedLines: number[] = [];

  const countShape = (count: number, line: number) => {
    rows++;
    if (count !== width) {
      if (count < width) shortRows++;
      else longRows++;
      if (raggedLines.length < 10) raggedLines.push(line);
    }
  };
  /**
   * Everything after the columns: row hashes, the sample, the groups. `field(i)` is the i-th
   * field's text; `sampled()` gives what the sample keeps of the row.
   */
  const finishRow = (field: (column: number) => string, sampled: () => SampledRow) => {
    if (withTarget) {
      // Features and the rest hashed apart: the pair identifies the row, the first finds conflicts.
      features.reset();
      all.reset();
      for (let c = 0; c < width; c++) {
        if (isNonFeature[c] === 1) all.addLanes(laneA[c]!, laneB[c]!);
        else features.addLanes(laneA[c]!, laneB[c]!);
      }
      target.reset();
      target.add(field(plan.target!).trim());
      const f = features.value();
      // Bucket by the feature hash so rows that conflict meet in one bucket (identical rows still do).
      rowsSpill.add(f, combine(f, all.value()), target.value());
    } else {
      all.reset();
      for (let c = 0; c < width; c++) all.addLanes(laneA[c]!, laneB[c]!);
      rowsSpill.add(all.value());
    }
    if (overlapSpill && overlapColumns) {
      overlap.reset();
      for (const c of overlapColumns) overlap.addLanes(c < 0 ? emptyA : laneA[c]!, c < 0 ? emptyB : laneB[c]!);
      overlapSpill.add(overlap.value());
    }
    if (sampleColumns.length > 0) sample.offer(sampled);
    groups?.add(field);
  };

  const common = { path: plan.path, encoding: plan.encoding, delimiter: plan.delimiter, start: task.start, end: task.end, skipHeader: task.skipHeader, onChunk: onBytes };
  let stats: RangeReadResult;
  let validator: Utf8Validator | null = null;
  if (byteReadable(plan.encoding, plan.delimiter)) {
    // Fields as bytes: an ASCII field is counted from its span and hash; others are decoded.
    let record: ByteRecord | null = null;
    const field = (c: number) => (c < record!.count ? record!.text(c) : '');
    // The sample keeps the record's bytes, as a one-byte string (a small Buffer would pin an 8 KB
    // slab of Node's pool); the rows still sampled at the end are parsed again (`sampleDecoder`),
    // after the ranges' samples are merged, so they cross to the main thread as one string.
    const sampled = () => record!.bytes.toString('latin1', record!.from, record!.to);
    // The validation runs on each chunk before it is parsed (simdutf, at memory speed); lines are counted only once a break is found.
    validator = plan.checkUtf8 ? new Utf8Validator(task.start, 0, false) : null;
    const checked = validator;
    const read = readByteRange({
      ...common,
      onBytes: checked ? (bytes) => checked.push(bytes) : undefined,
      onChunk: checked
        ? (bytes) => {
            if (checked.found) throw UTF8_BREAK;
            onBytes(bytes);
          }
        : onBytes,
      onRecord(r, line) {
        record = r;
        const count = r.count;
        countShape(count, line);
        for (let c = 0; c < width; c++) {
          if (c < count && r.kind[c] === FieldKind.Ascii && formatted[c] === 0) {
            const a = r.hashA[c]!;
            laneA[c] = a;
            laneB[c] = r.hashB[c]!;
            // The hash passed signed (`| 0`): an int32 crosses the call unboxed, an unsigned one above 2^31 is a heap number.
            columns[c]!.addBytes(r.bytes, r.start[c]!, r.end[c]!, fmix32(a) | 0);
          } else {
            const text = c < count ? r.text(c) : '';
            hashText(text);
            laneA[c] = textHash.a;
            laneB[c] = textHash.b;
            columns[c]!.add(text, fmix32(textHash.a) | 0);
          }
        }
        finishRow(field, sampled);
      },
    });
    stats = await read.catch((error: unknown) => {
      if (error !== UTF8_BREAK) throw error;
      return { records: 0, lines: 0, quotes: 0, blankLines: 0, unterminatedQuote: false, bytes: 0 };
    });
    checked?.end();
  } else {
    let fields: string[] = [];
    const field = (c: number) => fields[c] ?? '';
    const sampled = () => trimmedFields(canonical(field), sampleColumns);
    stats = await readRange({
      ...common,
      onRecord(f, line) {
        fields = f;
        countShape(f.length, line);
        for (let c = 0; c < width; c++) {
          const raw = f[c] ?? '';
          hashText(raw);
          laneA[c] = textHash.a;
          laneB[c] = textHash.b;
          columns[c]!.add(raw, fmix32(textHash.a) | 0);
        }
        finishRow(field, sampled);
      },
    });
  }
  rowsSpill.close();
  overlapSpill?.close();
  return {
    index: task.index,
    start: task.start,
    end: task.end,
    rows,
    lines: stats.lines,
    quotes: stats.quotes,
    unterminatedQuote: stats.unterminatedQuote,
    shortRows,
    longRows,
    raggedLines,
    columns: columns.map((c) => c.state()),
    sample: sample.state(),
    groups: groups?.tables ?? null,
    missingTarget: groups?.missingTarget ?? 0,
    unusablePredictions: groups?.unusablePredictions ?? 0,
    spillFiles: [...rowsSpill.files, ...(overlapSpill?.files ?? [])],
    rowsPrefix,
    overlapPrefix,
    utf8Break: validator?.found?.offset ?? null,
  };
}

/**
 * Turns a sampled record kept as its bytes (a one-byte string, see `scanRange`) into the trimmed
 * fields the sample keeps, numbers in plain dot-decimal: what the string path keeps for the row.
 */
export function sampleDecoder(plan: ScanPlan): (raw: string) => string[] {
  const parsed: ByteRecord[] = [];
  const reparse = new ByteRecordParser(plan.delimiter, plan.encoding === 'latin1' ? 'latin1' : 'utf8', (r) => parsed.push(r));
  return (raw) => {
    const bytes = Buffer.from(raw, 'latin1');
    parsed.length = 0;
    reparse.parse(bytes, bytes.length, true);
    const r = parsed[0];
    const field = (c: number) => (r !== undefined && c < r.count ? r.text(c) : '');
    return trimmedFields((c) => {
      const text = field(c);
      const format = plan.numberFormats[c];
      return format ? (toCanonical(text, format) ?? text) : text;
    }, plan.sampleColumns);
  };
}

/** Two 52-bit hashes into one (a row = its features + its other columns). */
function combine(a: number, b: number): number {
  const hi = fmix32((a / 0x100000) ^ Math.imul(b % 0x100000000, 0x9e3779b1));
  const lo = fmix32((a % 0x100000000) ^ ((b / 0x100000000) >>> 0) ^ hi);
  return hi * 0x100000 + (lo >>> 12);
}
