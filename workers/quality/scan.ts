/**
 * One pass over one byte range of a file: every record feeds the column accumulators, the row
 * hashes, the row sample and the group counts. The same function runs in-process (small files,
 * tests) and on worker threads (`thread.ts`); its result is plain data for `merge.ts`.
 */
import type { TextEncoding } from '../csv/sniff.js';
import { readRange } from '../csv/reader.js';
import { ColumnAccumulator, type ColumnState } from './column.js';
import { GroupCounts, type GroupCountsState, type GroupSpec } from './group-counts.js';
import { RowHasher, fmix32 } from './hash.js';
import { RowSample, type SampleState } from './sample.js';
import { SpillWriter } from './spill.js';

/** Everything a range scan needs to know about the file and the question (plain data). */
export interface ScanPlan {
  path: string;
  encoding: TextEncoding;
  delimiter: string;
  columns: string[];
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
}

export async function scanRange(plan: ScanPlan, task: RangeTask, onBytes: (bytes: number) => void): Promise<ScanResult> {
  const markers = new Set(plan.missingMarkers);
  const width = plan.columns.length;
  const columns = plan.columns.map((name, i) => new ColumnAccumulator(name, markers, plan.distinctLimit, plan.seed + i * 7919 + task.index, undefined, plan.kllFloor));
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

  let rows = 0;
  let shortRows = 0;
  let longRows = 0;
  const raggedLines: number[] = [];

  const stats = await readRange({
    path: plan.path,
    encoding: plan.encoding,
    delimiter: plan.delimiter,
    start: task.start,
    end: task.end,
    skipHeader: task.skipHeader,
    onChunk: onBytes,
    onRecord(fields, line) {
      rows++;
      if (fields.length !== width) {
        if (fields.length < width) shortRows++;
        else longRows++;
        if (raggedLines.length < 10) raggedLines.push(line);
        while (fields.length < width) fields.push('');
      }
      if (withTarget) {
        // Features and the rest hashed apart: the pair identifies the row, the first finds conflicts.
        features.reset();
        all.reset();
        target.reset();
        for (let c = 0; c < width; c++) {
          const raw = fields[c]!;
          columns[c]!.add(raw);
          if (isNonFeature[c] === 1) {
            all.add(raw);
            if (c === plan.target) target.add(raw.trim());
          } else features.add(raw);
        }
        const f = features.value();
        // Bucket by the feature hash so rows that conflict meet in one bucket (identical rows still do).
        rowsSpill.add(f, combine(f, all.value()), target.value());
      } else {
        all.reset();
        for (let c = 0; c < width; c++) {
          const raw = fields[c]!;
          columns[c]!.add(raw);
          all.add(raw);
        }
        rowsSpill.add(all.value());
      }
      if (overlapSpill && overlapColumns) {
        overlap.reset();
        for (const c of overlapColumns) overlap.add(c < 0 ? '' : fields[c]!);
        overlapSpill.add(overlap.value());
      }
      if (sampleColumns.length > 0) sample.offer(fields, sampleColumns);
      groups?.add(fields);
    },
  });
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
  };
}

/** Two 52-bit hashes into one (a row = its features + its other columns). */
function combine(a: number, b: number): number {
  const hi = fmix32((a / 0x100000) ^ Math.imul(b % 0x100000000, 0x9e3779b1));
  const lo = fmix32((a % 0x100000000) ^ ((b / 0x100000000) >>> 0) ^ hi);
  return hi * 0x100000 + (lo >>> 12);
}
