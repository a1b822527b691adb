/** The evaluate.run engine against figures computed by hand from a model with known weights. */
import { describe, expect, it } from 'vitest';
import { CancelledError, type JobContext, makeContext } from '../../../workers/protocol.js';
import { type EvaluateInput, evaluateInputSchema, evaluateVersion as evaluateEngine } from '../../../workers/evaluate/index.js';
import type { ClassificationMetrics, RegressionMetrics } from '../../../workers/trainer/metrics.js';
import { BINARY, binaryArtifact, multiclassArtifact, regressionArtifact, tempDir, writeCsv } from './helpers.js';

/** The engine as the worker entry runs it: input validated by its schema first. */
const evaluateVersion = (raw: EvaluateInput, ctx: JobContext) => evaluateEngine(evaluateInputSchema.parse(raw), ctx);

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const Z95 = 1.959963984540054;

// x, color, region, y, notes. "green" is a category the model never saw; "maybe" a label it never learned; one label blank.
const ROWS: Array<[number, string, string, string, string]> = [
  [1.0, 'red', 'A', 'yes', 'n'],
  [0.8, 'blue', 'A', 'yes', 'n'],
  [0.1, 'blue', 'A', 'no', 'n'],
  [-0.5, 'red', 'A', 'no', 'n'],
  [-1.0, 'blue', 'A', 'no', 'n'],
  [0.3, 'green', 'B', 'yes', 'n'],
  [0.2, 'red', 'B', 'no', 'n'],
  [-0.2, 'red', 'B', 'yes', 'n'],
  [0.6, 'green', 'B', 'no', 'n'],
  [-2.0, 'red', 'B', 'no', 'n'],
  [0.5, 'red', 'B', 'maybe', 'n'],
  [0.5, 'red', 'A', '', 'n'],
];

/** Independent reference: probabilities from the known weights, then the metrics by their definitions. */
function reference() {
  const scored = ROWS.filter((r) => r[3] === 'yes' || r[3] === 'no');
  const p = scored.map(([x, color]) => sigmoid(BINARY.w[0]! * x + (color === 'red' ? BINARY.w[1]! : color === 'blue' ? BINARY.w[2]! : BINARY.w[3]!) + BINARY.b));
  const y = scored.map((r) => (r[3] === 'yes' ? 1 : 0));
  const yhat = p.map((v) => (v >= 0.5 ? 1 : 0));
  const n = y.length;
  const tp = y.filter((v, i) => v === 1 && yhat[i] === 1).length;
  const fp = y.filter((v, i) => v === 0 && yhat[i] === 1).length;
  const fn = y.filter((v, i) => v === 1 && yhat[i] === 0).length;
  const tn = n - tp - fp - fn;
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  let pairs = 0;
  let wins = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (y[i] === 1 && y[j] === 0) {
    pairs++;
    wins += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
  }
  const logLoss = -y.reduce((s: number, v, i) => s + Math.log(v ? p[i]! : 1 - p[i]!), 0) / n;
  const groups = ['A', 'B'].map((g) => {
    const idx = scored.map((r, i) => (r[2] === g ? i : -1)).filter((i) => i >= 0);
    return { group: g, count: idx.length, selectionRate: idx.filter((i) => yhat[i] === 1).length / idx.length };
  });
  return {
    n,
    accuracy: (tp + tn) / n,
    precision,
    recall,
    f1: (2 * precision * recall) / (precision + recall),
    balancedAccuracy: (recall + tn / (tn + fp)) / 2,
    rocAuc: wins / pairs,
    logLoss,
    matrix: [[tn, fp], [fn, tp]],
    groups,
  };
}

describe('evaluateVersion', () => {
  it('scores a labelled file with the same metrics as training, differences with intervals, fairness and schema issues', async () => {
    const dir = tempDir();
    const artifactDir = await binaryArtifact(dir);
    const file = writeCsv(dir, 'new.csv', ['x', 'color', 'region', 'y', 'notes'], ROWS);
    const ctx = makeContext({ dataDir: dir });
    const r = await evaluateVersion({ artifactDir, file, recorded: { accuracy: 0.9, f1: 0.5, rocAuc: 0.95 }, protected: ['region', 'age'], backend: 'cpu' }, ctx);
    const ref = reference();
    const m = r.metrics as ClassificationMetrics;
    expect(r.rows).toEqual({ total: 12, scored: 10, missingLabel: 1, unknownLabel: 1 });
    expect(r.unknownLabels).toEqual(['maybe']);
    expect(m.accuracy).toBeCloseTo(ref.accuracy, 10);
    expect(m.precision).toBeCloseTo(ref.precision, 10);
    expect(m.recall).toBeCloseTo(ref.recall, 10);
    expect(m.f1).toBeCloseTo(ref.f1, 10);
    expect(m.balancedAccuracy).toBeCloseTo(ref.balancedAccuracy, 10);
    expect(m.rocAuc!).toBeCloseTo(ref.rocAuc, 10);
    expect(m.logLoss).toBeCloseTo(ref.logLoss, 5);
    expect(m.confusionMatrix.matrix).toEqual(ref.matrix);

    const accuracy = r.differences.find((d) => d.metric === 'accuracy')!;
    const half = Z95 * Math.sqrt((ref.accuracy * (1 - ref.accuracy)) / ref.n);
    expect(r.differences[0]!.metric).toBe('accuracy');
    expect(accuracy.method).toBe('normal');
    expect(accuracy.difference!).toBeCloseTo(ref.accuracy - 0.9, 10);
    expect(accuracy.low!).toBeCloseTo(ref.accuracy - half - 0.9, 8);
    expect(accuracy.high!).toBeCloseTo(ref.accuracy + half - 0.9, 8);
    expect(accuracy.significant).toBe(accuracy.high! < 0 || accuracy.low! > 0);
    const f1 = r.differences.find((d) => d.metric === 'f1')!;
    expect(f1.method).toBe('bootstrap');
    expect(f1.difference!).toBeCloseTo(ref.f1 - 0.5, 10);
    expect(f1.low!).toBeLessThanOrEqual(f1.high!);
    expect(r.differences.find((d) => d.metric === 'balancedAccuracy')!.recorded).toBeNull();

    expect(r.fairness).toHaveLength(1);
    const groups = r.fairness[0]!.groups.map((g) => ({ group: g.group, count: g.count, selectionRate: g.selectionRate }));
    expect(groups.sort((a, b) => a.group.localeCompare(b.group))).toEqual(ref.groups.map((g) => ({ ...g, selectionRate: expect.closeTo(g.selectionRate, 10) })));
    expect(r.columns).toEqual({ missing: [], extra: ['region', 'notes'], unseenCategories: [{ column: 'color', rows: 2 }], protectedMissing: ['age'] });
    expect(r.warnings.join(' ')).toMatch(/never learned.*"maybe"/);
    expect(ctx.reports.at(-1)).toMatchObject({ fraction: 1 });
  });

  it('reports a missing feature column (scored with the training median) and refuses a file without labels', async () => {
    const dir = tempDir();
    const artifactDir = await binaryArtifact(dir);
    const noColor = writeCsv(dir, 'nocolor.csv', ['x', 'y'], ROWS.slice(0, 10).map((r) => [r[0], r[3]]));
    const r = await evaluateVersion({ artifactDir, file: noColor, backend: 'cpu', resamples: 0 }, makeContext({ dataDir: dir }));
    expect(r.columns.missing).toEqual(['color']);
    const expected = ROWS.slice(0, 10).filter((row) => (sigmoid(2 * row[0] - 0.5) >= 0.5 ? 'yes' : 'no') === row[3]).length / 10;
    expect((r.metrics as ClassificationMetrics).accuracy).toBeCloseTo(expected, 10);
    expect(r.warnings.join(' ')).toMatch(/"color" are missing/);
    const unlabelled = writeCsv(dir, 'unlabelled.csv', ['x', 'color'], [[1, 'red']]);
    await expect(evaluateVersion({ artifactDir, file: unlabelled, backend: 'cpu' }, makeContext({ dataDir: dir }))).rejects.toThrow(/no "y" column: evaluating needs the true outcome/);
    const onlyUnknown = writeCsv(dir, 'unknown.csv', ['x', 'y'], [[1, 'maybe'], [2, '']]);
    await expect(evaluateVersion({ artifactDir, file: onlyUnknown, backend: 'cpu' }, makeContext({ dataDir: dir }))).rejects.toThrow(/Only 0 row\(s\).*1 blank, 1 unknown/);
  });

  it('regression: MAE, RMSE and R² as computed by hand', async () => {
    const dir = tempDir();
    const artifactDir = await regressionArtifact(dir);
    const rows = [[0, 6], [1, 8], [2, 13], [3, 12], [4, 19], [5, 18], [6, 'n/a'], [7, 'abc']] as Array<[number, number | string]>;
    const file = writeCsv(dir, 'reg.csv', ['x', 'y'], rows);
    const r = await evaluateVersion({ artifactDir, file, recorded: { r2: 0.9, mae: 1 }, backend: 'cpu' }, makeContext({ dataDir: dir }));
    const used = rows.filter((row) => typeof row[1] === 'number') as Array<[number, number]>;
    const pred = used.map(([x]) => (1.5 * ((x - 2) / 2) + 0.5) * 4 + 10);
    const ys = used.map(([, y]) => y);
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sse = ys.reduce((s, y, i) => s + (pred[i]! - y) ** 2, 0);
    const sst = ys.reduce((s, y) => s + (y - mean) ** 2, 0);
    const m = r.metrics as RegressionMetrics;
    expect(r.rows).toMatchObject({ scored: 6, missingLabel: 1, unknownLabel: 1 });
    expect(m.mae).toBeCloseTo(ys.reduce((s, y, i) => s + Math.abs(pred[i]! - y), 0) / 6, 4);
    expect(m.rmse).toBeCloseTo(Math.sqrt(sse / 6), 4);
    expect(m.r2).toBeCloseTo(1 - sse / sst, 4);
    expect(r.differences.map((d) => d.metric)).toEqual(['r2', 'mae', 'rmse']);
    expect(r.differences[0]!.difference!).toBeCloseTo(1 - sse / sst - 0.9, 4);
  });

  it('multiclass: accuracy, macro F1 and the confusion matrix as computed by hand; seeded intervals repeat', async () => {
    const dir = tempDir();
    const artifactDir = await multiclassArtifact(dir);
    // Predicted: x < 0 → a, x > 0 → c (b is never the most probable; at x = 0 all tie and a wins).
    const rows: Array<[number, string]> = [[-2, 'a'], [-1, 'a'], [-0.5, 'b'], [0.5, 'b'], [1, 'c'], [2, 'c'], [3, 'a'], [-3, 'c']];
    const file = writeCsv(dir, 'mc.csv', ['x', 'y'], rows);
    const input = { artifactDir, file, recorded: { accuracy: 0.7 }, backend: 'cpu' as const, resamples: 300 };
    const r = await evaluateVersion(input, makeContext({ dataDir: dir }));
    const m = r.metrics as ClassificationMetrics;
    // actual\predicted (a, b, c): a → a, a, c; b → a, c; c → c, c, a.
    expect(m.confusionMatrix.matrix).toEqual([[2, 0, 1], [1, 0, 1], [1, 0, 2]]);
    expect(m.accuracy).toBeCloseTo(4 / 8, 10);
    const pa = 2 / 4, ra = 2 / 3, pc = 2 / 4, rc = 2 / 3;
    const f1 = (p: number, q: number) => (2 * p * q) / (p + q);
    expect(m.f1).toBeCloseTo((f1(pa, ra) + 0 + f1(pc, rc)) / 3, 10);
    expect(m.balancedAccuracy).toBeCloseTo((ra + 0 + rc) / 3, 10);
    expect(r.differences.map((d) => d.metric)).toEqual(['accuracy', 'balancedAccuracy', 'f1']);
    const again = await evaluateVersion(input, makeContext({ dataDir: dir }));
    expect(again.differences).toEqual(r.differences);
    const f1Interval = r.differences[2]!;
    expect(f1Interval.low!).toBeLessThanOrEqual(f1Interval.current);
    expect(f1Interval.high!).toBeGreaterThanOrEqual(f1Interval.current);
  });

  it('refuses a tampered model and stops when cancelled', async () => {
    const dir = tempDir();
    const artifactDir = await binaryArtifact(dir);
    const file = writeCsv(dir, 'new.csv', ['x', 'color', 'region', 'y', 'notes'], ROWS);
    await expect(evaluateVersion({ artifactDir, file, backend: 'cpu' }, makeContext({ dataDir: dir, signal: AbortSignal.abort() }))).rejects.toBeInstanceOf(CancelledError);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(`${artifactDir}/preprocessing.json`, ' ');
    await expect(evaluateVersion({ artifactDir, file, backend: 'cpu' }, makeContext({ dataDir: dir }))).rejects.toThrow(/does not match its checksum/);
    expect(evaluateInputSchema.parse({ artifactDir: 'm', file: 'f' })).toMatchObject({ confidence: 0.95, resamples: 200, protected: [] });
  });
});
