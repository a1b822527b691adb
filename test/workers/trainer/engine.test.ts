import { existsSync, readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CancelledError, type JobContext, makeContext, UserInputError } from '../../../workers/protocol.js';
import { predictFile, trainInputSchema, trainModel as trainEngine, verifyArtifact, type TrainInputRaw } from '../../../workers/trainer/index.js';
import { Rng } from '../../../workers/trainer/random.js';
import { fixture, tempDir, writeCsv } from './helpers.js';

/** The engine as the worker entry runs it: input validated by its schema first. */
const trainModel = (raw: TrainInputRaw, ctx: JobContext) => trainEngine(trainInputSchema.parse(raw), ctx);

/** 400 rows; `churn` depends on tenure and plan; plus columns the trainer must leave out. */
function churnCsv(rows = 400): string {
  const rng = new Rng(11);
  const plans = ['basic', 'plus', 'pro'];
  const data = Array.from({ length: rows }, (_, i) => {
    const tenure = Math.round(rng.next() * 60);
    const plan = plans[rng.int(3)]!;
    const score = (30 - tenure) / 10 + (plan === 'basic' ? 1 : -0.5) + (rng.next() - 0.5);
    const day = `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    return [i + 1, `user${i}@example.com`, tenure, plan, rng.next() < 0.5 ? 'yes' : 'no', day, 'EU', score > 0 ? 'yes' : 'no'];
  });
  return writeCsv(['customer_id', 'email', 'tenure', 'plan', 'paperless', 'signup', 'region', 'churn'], data);
}

describe('trainModel', () => {
  it('trains, explains exclusions, streams epochs and writes a verifiable artifact that predicts', async () => {
    const file = churnCsv();
    const ctx = makeContext({ dataDir: tempDir() });
    await trainModel({ file, target: 'churn', epochs: 1 }, makeContext({ dataDir: tempDir() }));
    const tensorsBefore = tf.memory().numTensors;
    const r = await trainModel({ file, target: 'churn', protected: ['paperless'], runId: 'churn-1' }, ctx);
    // Every tensor of training, evaluation and saving is released.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(r.task).toBe('binary');
    expect(r.classes).toEqual(['no', 'yes']);
    expect(r.rows.train + r.rows.validation + r.rows.test).toBe(400);
    expect(r.excluded.map((e) => e.column).sort()).toEqual(['customer_id', 'email', 'region']);
    expect(r.excluded.find((e) => e.column === 'email')!.reason).toMatch(/personal data/);
    expect(r.features).toEqual(['tenure', 'plan', 'paperless', 'signup']);
    expect(r.backendReason).toMatch(/wasm|cpu|tensorflow/);
    // Progress: one report per epoch, with the live-chart detail.
    const epochs = ctx.reports.filter((p) => p.stage.startsWith('Epoch '));
    expect(epochs).toHaveLength(r.epochs.length);
    expect(epochs[0]!.detail).toMatchObject({ epoch: 1, loss: expect.any(Number), valLoss: expect.any(Number), samplesPerSec: expect.any(Number) });
    expect(ctx.reports.at(-1)!.fraction).toBe(1);
    // The rule is learnable: the network beats "no model" by far.
    expect(r.summary.network).toBeGreaterThan(0.85);
    expect(r.featureImportance[0]!.column).toBe('tenure');
    expect(r.fairness[0]!.groups.map((g) => g.group).sort()).toEqual(['no', 'yes']);
    expect(r.artifactDir).toBe(join(ctx.dataDir, 'models', 'churn-1'));
    await expect(verifyArtifact(r.artifactDir)).resolves.toEqual(r.checksums);
    // The checkpoint is gone once the artifact is complete.
    expect(existsSync(join(ctx.dataDir, 'runs', 'churn-1', 'checkpoint.json'))).toBe(false);

    // Predict the training file back; compare with its true labels (independent of the engine's own metrics).
    const out = join(tempDir(), 'out.csv');
    const p = await predictFile(r.artifactDir, file, out);
    expect(p.rows).toBe(400);
    expect(p.addedColumns).toEqual(['prediction', 'probability_no', 'probability_yes']);
    const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const agree = lines.filter((cells) => cells[7] === cells[8]).length / lines.length;
    expect(agree).toBeGreaterThan(0.85);
    for (const cells of lines.slice(0, 20)) expect(Number(cells[9]) + Number(cells[10])).toBeCloseTo(1, 5);
  });

  it('predicting a file with a missing column and unseen categories says so', async () => {
    const file = churnCsv();
    const ctx = makeContext({ dataDir: tempDir() });
    const r = await trainModel({ file, target: 'churn', epochs: 5 }, ctx);
    const newRows = writeCsv(['tenure', 'plan', 'signup'], [
      [3, 'enterprise', '2024-05-01'],
      [50, 'pro', '2024-06-01'],
    ]);
    const p = await predictFile(r.artifactDir, newRows, join(tempDir(), 'p.csv'));
    expect(p.rows).toBe(2);
    expect(p.warnings.join(' ')).toMatch(/"paperless" are missing from the file/);
    expect(p.warnings.join(' ')).toMatch(/"plan": 1 row\(s\) have a category the model did not learn/);
  });

  it('uses the backend asked for and says so; refuses an absent one clearly', async () => {
    const r = await trainModel({ file: churnCsv(), target: 'churn', epochs: 2, backend: 'cpu' }, makeContext({ dataDir: tempDir() }));
    expect(r.backend).toBe('cpu');
    expect(r.backendReason).toMatch(/chosen by you/);
    const native = await import('../../../workers/tfjs/backend.js').then((m) => m.probeBackends());
    if (!native[0]!.available) {
      await expect(trainModel({ file: churnCsv(), target: 'churn', backend: 'tensorflow' }, makeContext({ dataDir: tempDir() }))).rejects.toThrow(
        /tensorflow TensorFlow.js backend is not available.*Choose "auto"/,
      );
    }
  });

  it('refuses a model directory edited by hand', async () => {
    const ctx = makeContext({ dataDir: tempDir() });
    const r = await trainModel({ file: churnCsv(), target: 'churn', epochs: 2 }, ctx);
    appendFileSync(join(r.artifactDir, 'preprocessing.json'), ' ');
    await expect(verifyArtifact(r.artifactDir)).rejects.toThrow(/preprocessing.json .*does not match its checksum/);
    await expect(predictFile(r.artifactDir, fixture('iris.csv'), join(tempDir(), 'x.csv'))).rejects.toBeInstanceOf(UserInputError);
  });

  it('cancels within a batch, keeps the checkpoint, and resumes to the same result as an uninterrupted run', async () => {
    const file = churnCsv();
    const base = { file, target: 'churn', seed: 3, epochs: 8, patience: 100 };
    const full = await trainModel(base, makeContext({ dataDir: tempDir() }));

    const controller = new AbortController();
    const dataDir = tempDir();
    const ctx = makeContext({ dataDir, signal: controller.signal });
    const progress = ctx.progress.bind(ctx);
    ctx.progress = (report) => {
      progress(report);
      if (report.stage === 'Epoch 3/8') controller.abort();
    };
    await expect(trainModel({ ...base, runId: 'cut' }, ctx)).rejects.toBeInstanceOf(CancelledError);
    expect(ctx.reports.some((p) => p.stage === 'Epoch 4/8')).toBe(false);
    expect(existsSync(join(dataDir, 'runs', 'cut', 'checkpoint.json'))).toBe(true);

    const resumed = await trainModel({ ...base, resumeFrom: 'cut' }, makeContext({ dataDir }));
    expect(resumed.resumedFromEpoch).toBe(3);
    expect(resumed.epochs.map((e) => e.valLoss)).toEqual(full.epochs.map((e) => e.valLoss));
    expect(resumed.metrics).toEqual(full.metrics);
    // A checkpoint only resumes the same data and settings.
    await trainModel({ ...base, runId: 'cut2', epochs: 2 }, makeContext({ dataDir, signal: AbortSignal.abort() })).catch(() => {});
    await expect(trainModel({ ...base, resumeFrom: 'nothing-here' }, makeContext({ dataDir }))).rejects.toThrow(/no checkpoint to resume/);
  });
});

describe('bad input', () => {
  const n = 120;
  const rng = new Rng(5);
  const numbers = Array.from({ length: n }, () => (rng.next() * 10).toFixed(2));
  const labels = numbers.map((v) => (Number(v) > 5 ? 'high' : 'low'));
  const run = (file: string, input: Record<string, unknown> = {}) =>
    trainModel({ file, target: 'y', epochs: 2, ...input }, makeContext({ dataDir: tempDir() }));

  it('target column missing', async () => {
    await expect(run(writeCsv(['x', 'z'], numbers.map((v) => [v, v])))).rejects.toThrow(/target column "y" is not in .*Its columns are: x, z/);
  });
  it('target all missing', async () => {
    await expect(run(writeCsv(['x', 'y'], numbers.map((v) => [v, ''])))).rejects.toThrow(/empty in every row/);
  });
  it('a single class', async () => {
    await expect(run(writeCsv(['x', 'y'], numbers.map((v) => [v, 'same'])))).rejects.toThrow(/single value \("same"\)/);
  });
  it('text in a regression target', async () => {
    const rows = numbers.map((v, i) => [v, i === 7 ? 'n/k' : v]);
    rows[9]![1] = 'unknown';
    await expect(run(writeCsv(['x', 'y'], rows), { task: 'regression' })).rejects.toThrow(/has text in 2 row\(s\) \(for example "n\/k"\)/);
  });
  it('a file of 10 rows', async () => {
    await expect(run(writeCsv(['x', 'y'], numbers.slice(0, 10).map((v, i) => [v, labels[i]!])))).rejects.toThrow(/Only 10 row\(s\).*at least 50/);
  });
  it('Infinity in a numeric feature is refused; NaN is treated as missing', async () => {
    const rows = numbers.map((v, i) => [i === 4 ? 'Infinity' : v, labels[i]!]);
    await expect(run(writeCsv(['x', 'y'], rows))).rejects.toThrow(/"x" contains Infinity in 1 row/);
    const withNaN = numbers.map((v, i) => [i % 10 === 0 ? 'NaN' : v, labels[i]!]);
    const r = await run(writeCsv(['x', 'y'], withNaN));
    expect(r.rows.train + r.rows.validation + r.rows.test).toBe(n);
  });
  it('5,000 one-hot columns', async () => {
    const header = [...Array.from({ length: 110 }, (_, c) => `c${c}`), 'y'];
    // y = i % 3 is not named by any column's level (i mod 50), so no column is left out as a leak.
    const rows = Array.from({ length: 600 }, (_, i) => [...Array.from({ length: 110 }, (_, c) => `L${(i + c) % 50}`), i % 3 ? 'a' : 'b']);
    await expect(run(writeCsv(header, rows))).rejects.toThrow(/5,[0-9]{3} inputs after one-hot encoding, above the limit of 2,000/);
  });
  it('every refusal is a UserInputError, and the schema rejects a bad task', async () => {
    await expect(run(writeCsv(['x', 'y'], numbers.map((v) => [v, 'same'])))).rejects.toBeInstanceOf(UserInputError);
    expect(trainInputSchema.safeParse({ file: 'a.csv', target: 'y', task: 'clustering' }).success).toBe(false);
    expect(trainInputSchema.parse({ file: 'a.csv', target: 'y' })).toMatchObject({ task: 'auto', seed: 42, backend: 'auto' });
  });
});
