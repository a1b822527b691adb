/**
 * The quality engine: lay out the file, scan it in byte ranges (in parallel where possible),
 * check the seams, merge, then count duplicates from the spilled row hashes and assemble the
 * report. Input problems become `UserInputError`s that say what to do.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatsByIndex } from '../csv/number-evidence.js';
import { fixSeams, planRanges } from '../csv/ranges.js';
import { splittable } from '../csv/reader.js';
import { lineAt } from '../csv/encoding.js';
import { latin1Warning, mixedEncodingMessage } from '../csv/sniff.js';
import { UserInputError, throwIfCancelled, type Engine, type JobContext } from '../protocol.js';
import { assembleReport, type FileScan } from './assemble.js';
import { layoutOf, type Layout } from './layout.js';
import type { QualityReport } from './report.js';
import { findThreadEntry, runRanges } from './runner.js';
import type { RangeTask, ScanPlan, ScanResult } from './scan.js';
import type { QualityInput } from './schema.js';
import { THRESHOLDS as T } from './thresholds.js';
import { DEFAULT_MISSING_MARKERS } from './values.js';

/** Files smaller than this are read as one range: thread start-up would cost more than it saves. */
const MIN_PARALLEL_BYTES = 16 << 20;

export const scoreQuality: Engine<QualityInput, QualityReport> = async (input, ctx) => {
  const started = Date.now();
  ctx.progress({ fraction: 0, stage: 'Reading the file layout' });
  const train = await layoutOf(input.path, input.header);
  const test = input.testPath ? await layoutOf(input.testPath, input.header) : null;
  const columns = train.columns;
  const find = (name: string, role: string): number => {
    const i = columns.indexOf(name);
    if (i < 0) throw new UserInputError(`The ${role} column "${name}" is not in ${input.path}. Its columns are: ${listColumns(columns)}.`);
    return i;
  };
  const target = input.target !== undefined ? find(input.target, 'target') : null;
  const protectedColumns = (input.protected ?? []).map((name) => ({ index: find(name, 'protected'), name }));
  const prediction = input.prediction !== undefined ? find(input.prediction, 'prediction') : null;
  if ((protectedColumns.length > 0 || prediction !== null) && (target === null || input.positive === undefined)) {
    throw new UserInputError('Checking bias needs the outcome: give the target column and its positive value (--target T --positive V).');
  }
  const markers = input.missingMarkers ?? [...DEFAULT_MISSING_MARKERS];
  if (!markers.includes('')) markers.push('');

  const spillDir = await mkdtemp(join(tmpdir(), 'pilot-quality-'));
  try {
    const threads = Math.max(1, input.threads ?? Math.min(availableParallelism(), 8));
    const entry = findThreadEntry();
    const totalBytes = train.bytes + (test?.bytes ?? 0);
    let trainBytes = 0;
    const onProgress = (base: number) => (bytes: number) => {
      ctx.progress({ fraction: (0.9 * (base + bytes)) / totalBytes, stage: 'Scanning', detail: { bytesRead: base + bytes, totalBytes } });
    };
    const common = test ? columns.filter((c) => test.columns.includes(c)) : null;
    const plan: ScanPlan = {
      path: input.path,
      encoding: train.encoding,
      delimiter: train.delimiter,
      columns,
      numberFormats: formatsByIndex(columns, input.numberFormats),
      missingMarkers: markers,
      distinctLimit: distinctLimit(columns.length),
      kllFloor: Math.max(16, Math.min(2048, Math.floor((1 << 19) / Math.max(columns.length, 1)))),
      sampleColumns: sampleColumns(columns.length, target),
      sampleRows: T.sampleRows,
      target,
      nonFeatures: [target, prediction].filter((i): i is number => i !== null),
      groups: target !== null && input.positive !== undefined && protectedColumns.length > 0
        ? { protectedColumns, target, positive: input.positive, prediction, threshold: input.threshold ?? null }
        : null,
      overlapColumns: common ? common.map((c) => columns.indexOf(c)) : null,
      spillDir,
      spillPrefix: 'train',
      buckets: bucketsFor(train.bytes),
      seed: input.seed ?? 42,
      checkUtf8: isUtf8Encoding(train),
    };
    const trainScan = await scanFile(plan, train, { threads, entry, ranges: input.ranges, ctx, onBytes: (b) => onProgress(0)((trainBytes = b)) });
    let testScan: FileScan | null = null;
    if (test && common) {
      const testPlan: ScanPlan = {
        ...plan,
        path: input.testPath!,
        encoding: test.encoding,
        delimiter: test.delimiter,
        columns: test.columns,
        numberFormats: formatsByIndex(test.columns, input.numberFormats),
        sampleColumns: [],
        target: null,
        nonFeatures: [],
        groups: null,
        overlapColumns: common.map((c) => test.columns.indexOf(c)),
        spillPrefix: 'test',
        checkUtf8: isUtf8Encoding(test),
      };
      testScan = await scanFile(testPlan, test, { threads, entry, ranges: input.ranges, ctx, onBytes: onProgress(trainBytes) });
    }
    throwIfCancelled(ctx.signal);
    ctx.progress({ fraction: 0.92, stage: 'Counting duplicate rows' });
    const report = assembleReport({ input, plan, train, trainScan, test, testScan, markers });
    report.elapsedMs = Date.now() - started;
    ctx.progress({ fraction: 1, stage: 'Done' });
    return report;
  } finally {
    await rm(spillDir, { recursive: true, force: true });
  }
};

interface ScanOptions {
  threads: number;
  entry: string | null;
  ranges: number | undefined;
  ctx: JobContext;
  onBytes(bytes: number): void;
}

/**
 * Scans one file in ranges (see `scanRanges`). A UTF-8 file that is not UTF-8 past the sniffing
 * window is refused when a byte-order mark says UTF-8, else read again as Latin-1 with the
 * warning the sniffing would have given: `plan` and `layout` then say Latin-1.
 */
async function scanFile(plan: ScanPlan, layout: Layout, options: ScanOptions): Promise<FileScan> {
  const scan = await scanRanges(plan, layout, options);
  const broken = scan.results.find((r) => r.utf8Break !== null);
  if (!broken) return scan;
  const offset = broken.utf8Break!;
  const found = { offset, line: await lineAt(plan.path, offset) };
  if (layout.encoding === 'utf-8-bom') throw new UserInputError(mixedEncodingMessage(plan.path, found));
  layout.encoding = 'latin1';
  layout.warnings.splice(layout.encodingWarningAt, 0, latin1Warning(found));
  plan.encoding = 'latin1';
  plan.checkUtf8 = false;
  return scanRanges(plan, layout, options);
}

function isUtf8Encoding(layout: Layout): boolean {
  return layout.encoding === 'utf-8' || layout.encoding === 'utf-8-bom';
}

/** Scans one file in ranges, re-reading the ranges next to a seam that fell inside a quoted field. */
async function scanRanges(plan: ScanPlan, layout: Layout, options: ScanOptions): Promise<FileScan> {
  const start = layout.bomBytes;
  const parallel = splittable(layout.encoding) && (options.ranges !== undefined || (layout.bytes >= MIN_PARALLEL_BYTES && options.entry !== null));
  const count = parallel ? (options.ranges ?? options.threads) : 1;
  const bounds = await planRanges(plan.path, start, layout.bytes, count);
  const header = layout.hasHeader ? start : null;
  const tasks = toTasks(bounds, 0, header);
  const run = { threads: options.threads, entry: options.entry, signal: options.ctx.signal, onBytes: options.onBytes };
  let results = await runRanges(plan, tasks, run);
  if (results.some((r) => r.utf8Break !== null)) return { results: results.sort((a, b) => a.start - b.start), layout }; // read again as Latin-1
  const fixed = await fixSeams(plan.path, bounds, results.map((r) => r.quotes));
  if (fixed.join() !== bounds.join()) {
    const kept = new Map(results.map((r) => [`${r.start}-${r.end}`, r]));
    const retasks = toTasks(fixed, tasks.length, header).filter((t) => !kept.has(`${t.start}-${t.end}`));
    const again = await runRanges(plan, retasks, { ...run, onBytes: () => {} });
    const byKey = new Map([...kept, ...again.map((r) => [`${r.start}-${r.end}`, r] as const)]);
    results = toTasks(fixed, 0, header).map((t) => byKey.get(`${t.start}-${t.end}`)!);
  }
  const after = await stat(plan.path);
  if (after.size !== layout.bytes || after.mtimeMs !== layout.mtimeMs) {
    throw new UserInputError(`${plan.path} changed while it was being read. Wait until whatever writes it has finished, then score it again.`);
  }
  if (results.reduce((s, r) => s + r.rows, 0) === 0) {
    throw new UserInputError(
      layout.hasHeader
        ? `${plan.path} has a header but no data rows. Export the data again with its rows.`
        : `${plan.path} has no data rows. Export the data again.`,
    );
  }
  return { results: results.sort((a, b) => a.start - b.start), layout };
}

function toTasks(bounds: number[], firstIndex: number, headerAt: number | null): RangeTask[] {
  const tasks: RangeTask[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    tasks.push({ index: firstIndex + i, start: bounds[i]!, end: bounds[i + 1]!, skipHeader: bounds[i] === headerAt });
  }
  return tasks;
}

function listColumns(columns: string[]): string {
  const shown = columns.slice(0, 40).map((c) => `"${c}"`).join(', ');
  return columns.length > 40 ? `${shown} and ${columns.length - 40} more` : shown;
}

/** The exact-distinct cap per column, shrunk for wide files so all maps together stay bounded. */
function distinctLimit(columns: number): number {
  return Math.max(50, Math.min(T.exactDistinct, Math.floor(T.exactDistinctBudget / Math.max(columns, 1))));
}

function sampleColumns(count: number, target: number | null): number[] {
  const out = Array.from({ length: Math.min(count, T.analysisColumns) }, (_, i) => i);
  if (target !== null && !out.includes(target)) out.push(target);
  return out;
}

/** Spill buckets: about 64 MB of file per bucket (≈ 4 MB of hashes loaded at a time), at least 16. */
function bucketsFor(bytes: number): number {
  return Math.min(4096, Math.max(16, 2 ** Math.ceil(Math.log2(bytes / (64 << 20) + 1))));
}

export type { ScanResult };
