/**
 * Merges the range results of a scan and assembles the report: column summaries, duplicates
 * and conflicting labels from the spilled hashes, relations on the sample, bias, train/test
 * checks, alerts and the score.
 */
import { UserInputError } from '../protocol.js';
import { columnAlerts, datasetAlerts, judgeQuality, scoreOf } from './alerts.js';
import { attributeBias } from './bias.js';
import { ColumnAccumulator } from './column.js';
import { GroupCounts } from './group-counts.js';
import type { Layout } from './layout.js';
import { correlations, leakage } from './relations.js';
import { numericLeakage } from './numeric-leakage.js';
import type { QualityReport } from './report.js';
import { RowSample } from './sample.js';
import { sampleDecoder, type ScanPlan, type ScanResult } from './scan.js';
import type { QualityInput } from './schema.js';
import { column, conflicts, extraCopies, loadBucket, overlapCount } from './spill.js';
import { safeValue, summarizeColumn } from './summary.js';
import { THRESHOLDS as T } from './thresholds.js';

export interface FileScan {
  results: ScanResult[];
  layout: Layout;
}

interface AssembleArgs {
  input: QualityInput;
  plan: ScanPlan;
  train: Layout;
  trainScan: FileScan;
  test: Layout | null;
  testScan: FileScan | null;
  markers: string[];
}

/** Column accumulators with every range folded in. */
export function mergeColumns(plan: ScanPlan, results: ScanResult[]): ColumnAccumulator[] {
  const markers = new Set(plan.missingMarkers);
  return plan.columns.map((name, c) => {
    const acc = new ColumnAccumulator(name, markers, plan.distinctLimit, plan.seed + c, results[0]!.columns[c]!, plan.kllFloor, plan.numberFormats[c] ?? null);
    for (const r of results.slice(1)) acc.merge(r.columns[c]!);
    acc.state(); // makes `acc.s.values` current
    return acc;
  });
}

export function assembleReport(a: AssembleArgs): QualityReport {
  const { plan, input, trainScan } = a;
  const results = trainScan.results;
  const rows = results.reduce((s, r) => s + r.rows, 0);
  const accs = mergeColumns(plan, results);
  const notes = new Map((input.numberFormats ?? []).map((f) => [f.column, f.note]));
  const columns = accs.map((acc) => ({ ...summarizeColumn(acc), numberFormat: notes.get(acc.s.name) ?? null }));
  const missing = new Set(a.markers);

  // Ragged rows: make range-relative line numbers absolute.
  const firstLines: number[] = [];
  let lineBase = 0;
  for (const r of results) {
    for (const line of r.raggedLines) if (firstLines.length < 10) firstLines.push(lineBase + line);
    lineBase += r.lines;
  }

  // Duplicates and conflicting labels, one bucket at a time.
  const written = new Set(results.flatMap((r) => r.spillFiles));
  const rowPrefixes = results.map((r) => r.rowsPrefix);
  const width = plan.target !== null ? 3 : 1;
  let duplicateRows = 0;
  let conflictingGroups = 0;
  let conflictingRows = 0;
  for (let b = 0; b < plan.buckets; b++) {
    const records = loadBucket(plan.spillDir, rowPrefixes, b, written);
    if (records.length === 0) continue;
    if (width === 3) {
      const c = conflicts(records);
      conflictingGroups += c.groups;
      conflictingRows += c.rows;
    }
    duplicateRows += extraCopies(column(records, width, width === 3 ? 1 : 0));
  }

  // Relations on the sample.
  const sample = new RowSample(T.sampleRows, plan.seed);
  for (const r of results) sample.merge(r.sample);
  const sampleRows = sample.result(sampleDecoder(plan));
  const table = { columns: plan.sampleColumns.map((i) => columns[i]!), rows: sampleRows, missing };
  const relations = correlations(table);

  let target: QualityReport['target'] = null;
  if (plan.target !== null) {
    const t = columns[plan.target]!;
    const acc = accs[plan.target]!;
    const total = t.count;
    const classes = [...acc.s.values.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 50)
      .map(([value, count]) => ({ value, count, share: total > 0 ? count / total : 0 }));
    if (input.positive !== undefined && !acc.s.values.has(input.positive) && !acc.s.overflow) {
      throw new UserInputError(
        `The positive value "${input.positive}" never occurs in "${t.name}". Its values include: ${classes.slice(0, 10).map((c) => `"${c.value}"`).join(', ')}. Pick one of them with --positive.`,
      );
    }
    const targetInSample = plan.sampleColumns.indexOf(plan.target);
    const exclude = new Set(plan.nonFeatures.map((i) => plan.sampleColumns.indexOf(i)).filter((i) => i >= 0));
    target = {
      column: t.name,
      positive: input.positive ?? null,
      classes,
      conflictingGroups,
      conflictingRows,
      leakage: t.type === 'categorical' || t.type === 'boolean' ? leakage(table, targetInSample, exclude).slice(0, 10) : [],
      numericLeakage: t.type === 'integer' || t.type === 'float' ? numericLeakage(table, targetInSample, exclude) : [],
    };
  }

  let bias: QualityReport['bias'] = null;
  let biasSettings: QualityReport['biasSettings'] = null;
  if (plan.groups) {
    const counts = new GroupCounts({ ...plan.groups, missingMarkers: missing });
    let missingTarget = 0;
    let unusablePredictions = 0;
    for (const r of results) {
      counts.merge(r.groups!);
      missingTarget += r.missingTarget;
      unusablePredictions += r.unusablePredictions;
    }
    bias = {};
    let seed = plan.seed;
    for (const [attribute, groups] of Object.entries(counts.tables)) bias[attribute] = attributeBias(groups, plan.groups.prediction !== null, seed++);
    biasSettings = {
      prediction: plan.groups.prediction !== null ? plan.columns[plan.groups.prediction]! : null,
      threshold: plan.groups.threshold,
      minGroupSize: T.minGroupSize,
      missingTarget,
      unusablePredictions,
    };
  }

  const trainTest = a.testScan && input.testPath ? trainTestChecks(plan, accs, columns, results, a.testScan, input.testPath) : null;
  const partial = {
    file: { path: input.path, bytes: a.train.bytes, encoding: a.train.encoding, delimiter: a.train.delimiter, hasHeader: a.train.hasHeader },
    rows,
    columnsCount: plan.columns.length,
    duplicateRows,
    raggedRows: { short: sum(results, 'shortRows'), long: sum(results, 'longRows'), firstLines },
    columns,
    correlations: { method: 'Pearson and Spearman (numbers), Cramér\'s V (categories), on a seeded uniform sample', sampleRows: sampleRows.length, ...relations },
    target,
    bias,
    biasSettings,
    trainTest,
    numberFormats: (input.numberFormats ?? []).map((f) => f.note),
    warnings: [...a.train.warnings, ...(results.some((r) => r.unterminatedQuote) ? ['A quoted field is never closed: the file may be cut off or have a stray quote.'] : [])],
  };
  const alerts = [...columns.flatMap((c) => columnAlerts(c, rows)), ...datasetAlerts(partial)];
  const order = { error: 0, warning: 1, info: 2 } as const;
  // Worst first: by severity, and a leak ahead of the other errors (it makes any model look good and fail).
  const leakFirst = (a: { code: string }) => (a.code === 'TARGET_LEAKAGE' ? 0 : 1);
  alerts.sort((x, y) => order[x.severity] - order[y.severity] || leakFirst(x) - leakFirst(y));
  const { score, scoreBreakdown } = scoreOf(partial);
  return { ...partial, scoreBreakdown, ...judgeQuality(score, alerts), alerts, elapsedMs: 0 };
}

function trainTestChecks(plan: ScanPlan, accs: ColumnAccumulator[], columns: QualityReport['columns'], train: ScanResult[], testScan: FileScan, testPath: string): QualityReport['trainTest'] {
  const test = testScan.results;
  const written = new Set([...train, ...test].flatMap((r) => r.spillFiles));
  let overlappingRows = 0;
  for (let b = 0; b < plan.buckets; b++) {
    const probe = loadBucket(plan.spillDir, test.map((r) => r.overlapPrefix!), b, written);
    if (probe.length === 0) continue;
    const reference = loadBucket(plan.spillDir, train.map((r) => r.overlapPrefix!), b, written);
    if (reference.length > 0) overlappingRows += overlapCount(reference, probe);
  }
  const testColumns = testScan.layout.columns;
  const testAccs = mergeColumns({ ...plan, columns: testColumns, numberFormats: testColumns.map((name) => plan.numberFormats[plan.columns.indexOf(name)] ?? null) }, test);
  const unseenCategories: NonNullable<QualityReport['trainTest']>['unseenCategories'] = [];
  columns.forEach((c, i) => {
    if (c.type !== 'categorical' && c.type !== 'boolean') return;
    const j = testColumns.indexOf(c.name);
    const trainAcc = accs[i]!;
    if (j < 0 || trainAcc.s.overflow) return;
    const values: string[] = [];
    let rows = 0;
    for (const [value, count] of testAccs[j]!.s.values) {
      if (trainAcc.s.values.has(value)) continue;
      rows += count;
      if (values.length < 10) values.push(safeValue(value));
    }
    if (rows > 0) unseenCategories.push({ column: c.name, values, rows });
  });
  return { file: testPath, rows: test.reduce((s, r) => s + r.rows, 0), overlappingRows, unseenCategories };
}

function sum(results: ScanResult[], key: 'shortRows' | 'longRows'): number {
  return results.reduce((s, r) => s + r[key], 0);
}
