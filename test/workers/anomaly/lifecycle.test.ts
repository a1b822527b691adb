import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CancelledError, makeContext, UserInputError } from '../../../workers/protocol.js';
import { predictAnomalies } from '../../../workers/anomaly/index.js';
import { runAnomaly } from './run.js';
import { loadBackend } from '../../../workers/tfjs/backend.js';
import { trainInputSchema, trainModel } from '../../../workers/trainer/index.js';
import { predictEngine } from '../../../workers/predict/index.js';
import { Mlp } from '../../../workers/trainer/mlp.js';
import { Rng } from '../../../workers/trainer/random.js';
import { tempDir, writeCsv } from '../trainer/helpers.js';

/** `rows` rows where b ≈ 2a and c ≈ a + b, a category, and a `status` label; the last `anomalies` rows have b off by 6–10. */
function sensorCsv(rows = 240, anomalies = 12): string {
  const rng = new Rng(3);
  const data = Array.from({ length: rows }, (_, i) => {
    const a = rng.next() * 10;
    const broken = i >= rows - anomalies;
    const b = broken ? 2 * a + (rng.next() < 0.5 ? -1 : 1) * (6 + 4 * rng.next()) : 2 * a + (rng.next() - 0.5);
    const c = a + b + (rng.next() - 0.5);
    return [a.toFixed(3), b.toFixed(3), c.toFixed(3), ['n', 's', 'e'][rng.int(3)]!, broken ? 'fault' : 'ok'];
  });
  return writeCsv(['a', 'b', 'c', 'site', 'status'], data);
}

describe('train.anomaly: the same run, cancelled and resumed, on the same backend', () => {
  it('is reproducible, cancels within an epoch and resumes to the same result', async () => {
    const file = sensorCsv();
    const settings = { file, label: 'status', epochs: 12, patience: 50, backend: 'wasm' as const };
    const first = await runAnomaly({ ...settings, runId: 'a' }, makeContext({ dataDir: tempDir() }));
    const again = await runAnomaly({ ...settings, runId: 'b' }, makeContext({ dataDir: tempDir() }));
    expect(again.epochs.map((e) => e.valLoss)).toEqual(first.epochs.map((e) => e.valLoss));
    expect(again.summary).toEqual(first.summary);
    expect(again.threshold.value).toBe(first.threshold.value);
    expect(first.label!.normal).toBe('ok'); // the most common value, when --normal is not given

    const dataDir = tempDir();
    const controller = new AbortController();
    const ctx = makeContext({ dataDir, signal: controller.signal });
    const progress = ctx.progress.bind(ctx);
    ctx.progress = (report) => {
      progress(report);
      if (report.stage === 'Epoch 5/12') controller.abort();
    };
    await expect(runAnomaly({ ...settings, runId: 'c' }, ctx)).rejects.toBeInstanceOf(CancelledError);
    expect(existsSync(join(dataDir, 'runs', 'c', 'checkpoint.json'))).toBe(true);
    const resumed = await runAnomaly({ ...settings, resumeFrom: 'c' }, makeContext({ dataDir }));
    expect(resumed.resumedFromEpoch).toBe(5);
    expect(resumed.epochs.map((e) => e.valLoss)).toEqual(first.epochs.map((e) => e.valLoss));
    expect(resumed.summary).toEqual(first.summary);
    expect(existsSync(join(dataDir, 'runs', 'c', 'checkpoint.json'))).toBe(false);
    // Other settings cannot continue that run.
    await expect(runAnomaly({ ...settings, epochs: 13, resumeFrom: 'c' }, makeContext({ dataDir }))).rejects.toBeInstanceOf(UserInputError);

    // The broken relation is what the network flags, and what predict explains.
    const out = join(tempDir(), 'scored.csv');
    const p = await predictAnomalies(first.artifactDir, file, out);
    expect(p.rows).toBe(240);
    const cells = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const flagRate = (status: string) => cells.filter((c) => c[4] === status && c[6] === '1').length / cells.filter((c) => c[4] === status).length;
    expect((first.metrics as { rocAuc: number }).rocAuc).toBeGreaterThan(0.95);
    expect(flagRate('fault')).toBeGreaterThan(0.6);
    expect(flagRate('ok')).toBeLessThan(0.05);
    // A file without one of the model's columns is scored with the training median there, and says so.
    const partial = writeCsv(['a', 'b', 'site'], cells.slice(0, 20).map((c) => [c[0]!, c[1]!, c[3]!]));
    const q = await predictAnomalies(first.artifactDir, partial, join(tempDir(), 'partial.csv'));
    expect(q.rows).toBe(20);
    expect(q.warnings.join(' ')).toMatch(/Column\(s\) "c" are missing from the file/);
  });
});

describe('train.anomaly: bad input gets a clear message', () => {
  const run = (file: string, extra: Record<string, unknown> = {}) => runAnomaly({ file, epochs: 2, ...extra }, makeContext({ dataDir: tempDir() }));

  it('a label with no anomalies, only anomalies, or one anomaly', async () => {
    const rng = new Rng(1);
    const rows = (n: number, label: (i: number) => string) => Array.from({ length: n }, (_, i) => [rng.next(), rng.next(), label(i)]);
    await expect(run(writeCsv(['x', 'y', 'label'], rows(80, () => 'normal')), { label: 'label' })).rejects.toThrow(/marks no row as an anomaly/);
    await expect(run(writeCsv(['x', 'y', 'label'], rows(80, () => 'fraud')), { label: 'label', normal: 'normal' })).rejects.toThrow(/No row of "label" has the value "normal"/);
    await expect(run(writeCsv(['x', 'y', 'label'], rows(80, (i) => (i === 0 ? 'fraud' : 'normal'))), { label: 'label' })).rejects.toThrow(/Only 1 row is labelled as an anomaly/);
    await expect(run(writeCsv(['x', 'y', 'label'], rows(80, (i) => (i < 60 ? 'fraud' : 'normal'))), { label: 'label', normal: 'normal' })).rejects.toThrow(/20 row\(s\) are labelled "normal"/);
    await expect(run(writeCsv(['x', 'y'], rows(80, () => '').map((r) => r.slice(0, 2))), { label: 'status' })).rejects.toThrow(/Column "status" is not in/);
  });

  it('all-constant values, too few rows, Infinity', async () => {
    const constant = writeCsv(['x', 'y'], Array.from({ length: 100 }, () => [1, 'a']));
    const error = await run(constant).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toMatch(/No column can describe what normal looks like: "x" \(constant: every value is "1"\), "y" \(constant/);
    await expect(run(writeCsv(['x', 'y'], Array.from({ length: 30 }, (_, i) => [i % 7, i % 3])))).rejects.toThrow(/has 30 row\(s\); learning what normal looks like needs at least 50/);
    await expect(run(writeCsv(['x', 'y'], Array.from({ length: 60 }, (_, i) => [i === 3 ? 'Infinity' : i % 7, i % 3])))).rejects.toThrow(/Infinity in 1 row/);
  });

  it('predict refuses a model of another kind and a file without the model’s columns', async () => {
    const r = await run(sensorCsv(), { exclude: ['status'], stability: false });
    await expect(predictAnomalies(r.artifactDir, writeCsv(['u', 'v'], [[1, 2]]), join(tempDir(), 'o.csv'))).rejects.toThrow(/None of the model's columns are in the file/);
    // The generic prediction job dispatches on the model's kind.
    const viaJob = await predictEngine({ artifactDir: r.artifactDir, path: sensorCsv(), outPath: join(tempDir(), 'job.csv') }, makeContext());
    expect(viaJob.addedColumns).toContain('anomaly_score');
    const tabular = await trainModel(trainInputSchema.parse({ file: sensorCsv(), target: 'status', epochs: 1 }), makeContext({ dataDir: tempDir() }));
    await expect(predictAnomalies(tabular.artifactDir, sensorCsv(), join(tempDir(), 'o.csv'))).rejects.toThrow(/is not an anomaly-detection model/);
  });
});

describe('the autoencoder step', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`matches tfjs autodiff for a multi-output reconstruction loss (${backend})`, async () => {
      await loadBackend(backend);
      const rng = new Rng(9);
      const n = 11;
      const d = 6;
      const mlp = new Mlp(tf, { inputs: d, hidden: [8, 3, 8], outputs: d, dropout: 0, skip: false }, rng);
      const x = Float32Array.from({ length: n * d }, () => rng.next() * 2 - 1);
      const expected = tf.tidy(() => {
        const params = mlp.state.params.map((p, i) => (i % 2 === 0 ? tf.tensor2d(p, [mlp.layers[i >> 1]!.fanIn, mlp.layers[i >> 1]!.fanOut]) : tf.tensor1d(p)));
        const f = (...ps: tf.Tensor[]) => {
          const input = tf.tensor2d(x, [n, d]);
          let a: tf.Tensor = input;
          for (let l = 0; l < mlp.layers.length; l++) {
            a = tf.add(tf.matMul(a as tf.Tensor2D, ps[2 * l] as tf.Tensor2D), ps[2 * l + 1]!);
            if (l < mlp.layers.length - 1) a = tf.relu(a);
          }
          return tf.mean(tf.square(tf.sub(a, input))) as tf.Scalar;
        };
        return tf.grads(f)(params).map((g) => g.dataSync() as Float32Array);
      });
      const captured: Float32Array[] = [];
      (mlp as unknown as { adam: (g: Float32Array[]) => void }).adam = (g) => captured.push(...g.map((a) => a.slice()));
      mlp.trainBatch('regression', x, x, null, n, 0, rng);
      expect(captured).toHaveLength(expected.length);
      captured.forEach((g, i) => {
        for (let j = 0; j < g.length; j++) expect(g[j]).toBeCloseTo(expected[i]![j]!, 5);
      });
    });
  }
});
