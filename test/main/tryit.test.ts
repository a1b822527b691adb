/**
 * Trying a version in-process with real workers and real tfjs training: the form's schema, scoring
 * typed rows and a file through `tryit:score`, the reasons checked against values computed
 * independently of the estimator (a linear version's exact w_i · (x_i − background mean), and
 * efficiency for a network), the results CSV and the bundle as downloads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { findDownload } from '../../main/api/downloads.js';
import { type App, createApp } from '../../main/app.js';
import type { ChannelInput, ChannelName, ChannelOutput, TryitResult } from '../../main/contract/index.js';
import { loadBackend } from '../../workers/tfjs/backend.js';
import { loadArtifact } from '../../workers/trainer/artifact.js';
import { predictRows } from '../../workers/trainer/predict.js';
import { transform } from '../../workers/trainer/preprocess.js';
import type { BackgroundCache } from '../../workers/tryit/background.js';
import { fixture, tempDir, workerEntry } from '../helpers.js';

let app: App;
const { dir, cleanup } = tempDir();
beforeAll(() => {
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'cli', version: 'test' });
});
afterAll(async () => {
  await app.close();
  cleanup();
});

async function ok<K extends ChannelName>(name: K, input: ChannelInput<K>): Promise<ChannelOutput<K>> {
  const result = await invoke(app, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as ChannelOutput<K>;
}

async function trainVersion(file: string, project: string, target: string, model: 'linear' | 'network', extra: Record<string, unknown> = {}): Promise<number> {
  const job = await ok('datasets:import', { path: fixture(file) });
  const datasetId = ((await app.jobs.wait(job.id)).result as { dataset: { id: number } }).dataset.id;
  const created = await ok('pilots:create', { name: project, datasetId });
  const started = await ok('pilots:train', { projectId: created.id, datasetId, target, model, seed: 5, backend: 'cpu', ...extra });
  const done = await app.jobs.wait(started.job.id);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  return (done.result as { modelVersionId: number }).modelVersionId;
}

async function score(input: ChannelInput<'tryit:score'>): Promise<{ result: TryitResult; downloadId: string }> {
  const job = await ok('tryit:score', input);
  const done = await app.jobs.wait(job.id);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  return { result: done.result as TryitResult, downloadId: (done.input as { downloadId: string }).downloadId };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('tryit channels', () => {
  it('a linear version: the form, a typed row, reasons equal to w·(x − background mean), the CSV as pilot predict writes it', async () => {
    const versionId = await trainVersion('pima.csv', 'diabetes', 'Outcome', 'linear');
    const schema = await ok('tryit:schema', { ref: versionId });
    expect(schema).toMatchObject({ task: 'binary', classes: ['0', '1'], positiveClass: '1', threshold: 0.5, target: 'Outcome', rangesFromTraining: false, background: { source: 'training' } });
    expect(schema.fields.map((f) => f.column)).toEqual(['Pregnancies', 'Glucose', 'BloodPressure', 'SkinThickness', 'Insulin', 'BMI', 'DiabetesPedigreeFunction', 'Age']);
    expect(schema.fields.every((f) => f.kind === 'number')).toBe(true);

    const row = { Pregnancies: 6, Glucose: 170, BloodPressure: 72, SkinThickness: null, Insulin: '', BMI: 38.5, DiabetesPedigreeFunction: 0.9, Age: 51 };
    const { result, downloadId } = await score({ ref: versionId, columns: Object.keys(row), rows: [Object.values(row)], samples: 400 });
    expect(result.totalRows).toBe(1);
    expect(result.method).toMatchObject({ background: 'training', backgroundRows: 100, samples: 400, seed: 42 });

    // The prediction is predictRows' (the same rows → predictions path as pilot predict).
    const header = Object.keys(row);
    const cells = [header.map((c) => String((row as Record<string, unknown>)[c] ?? ''))];
    const { getVersion } = await import('../../db/registry.js');
    const artifactDir = getVersion(app.store.read, versionId)!.artifactDir;
    const tf = await loadBackend('cpu');
    const expected = await predictRows(artifactDir, header, cells, tf);
    expect(result.predictions[0]!.label).toBe(expected.predictions[0]!.label);
    expect(result.predictions[0]!.probabilities!['1']).toBeCloseTo(expected.predictions[0]!.probabilities!['1']!, 6);

    // Exact Shapley values of a linear model in log-odds: w_i · (x_i − mean of the background's x_i).
    const explanation = result.explanations[0]!;
    const { model, pipeline } = await loadArtifact(tf, artifactDir);
    const w = model.getLayer('dense_1').getWeights()[0]!.dataSync();
    model.dispose();
    const cacheFile = join(dir, 'tryit', (await import('node:fs')).readdirSync(join(dir, 'tryit'))[0]!);
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as BackgroundCache;
    expect(cache.rows).toHaveLength(100);
    const bg = transform(pipeline.preprocessing, cache.header, cache.rows).x;
    const x = transform(pipeline.preprocessing, header, cells).x;
    const d = pipeline.preprocessing.inputs.length;
    explanation.contributions.forEach((c, i) => {
      let mean = 0;
      for (let r = 0; r < 100; r++) mean += bg[r * d + i]! / 100;
      expect(c.contribution, c.column).toBeCloseTo(w[i]! * (x[i]! - mean), 4);
    });
    // Efficiency: the base and the contributions add up to the model's log-odds, whose sigmoid is the probability.
    expect(explanation.base + sum(explanation.contributions.map((c) => c.contribution))).toBeCloseTo(explanation.output, 6);
    expect(sigmoid(explanation.output)).toBeCloseTo(result.predictions[0]!.probabilities!['1']!, 5);
    expect(explanation.explained).toBe('1');
    expect(explanation.reasons[0]).toMatch(/^(Glucose|BMI|Age|Pregnancies|DiabetesPedigreeFunction|BloodPressure|SkinThickness|Insulin) (= |missing)/);

    // The CSV: the typed cells, pilot predict's prediction columns, then the reasons.
    const csv = await ok('downloads:read', { id: downloadId });
    const [head, line] = csv.text.trim().split('\n');
    expect(head).toBe('Pregnancies,Glucose,BloodPressure,SkinThickness,Insulin,BMI,DiabetesPedigreeFunction,Age,prediction,probability_0,probability_1,top_reasons');
    expect(line!.startsWith(`6,170,72,,,38.5,0.9,51,${expected.predictions[0]!.label},${expected.predictions[0]!.probabilities!['0']!.toFixed(6)},${expected.predictions[0]!.probabilities!['1']!.toFixed(6)},`)).toBe(true);

    // The form now has the training rows' ranges.
    const again = await ok('tryit:schema', { ref: versionId });
    expect(again.rangesFromTraining).toBe(true);
    const glucose = again.fields.find((f) => f.column === 'Glucose')!;
    // pandas: pima.csv Glucose min 0, max 199; the train split lies within them.
    expect(glucose).toMatchObject({ kind: 'number' });
    if (glucose.kind === 'number') {
      expect(glucose.min).toBeGreaterThanOrEqual(0);
      expect(glucose.max).toBeLessThanOrEqual(199);
      expect(glucose.max).toBeGreaterThan(190);
    }

    // The bundle as a download.
    const bundle = await ok('models:download', { ref: versionId, what: 'bundle' });
    const found = await findDownload(dir, bundle.id);
    expect(found?.bytes).toBe(bundle.bytes);
    expect(bundle.fileName).toMatch(/\.pilotmodel$/);
    const card = await ok('models:download', { ref: versionId, what: 'card-md' });
    expect((await ok('downloads:read', { id: card.id })).text).toMatch(/diabetes/);
  }, 240_000);

  it('a network on a file: every row predicted, reasons that add up to the explained class\u2019s log-odds; bad files named by their own name', async () => {
    const versionId = await trainVersion('iris.csv', 'flowers', 'species', 'network', { epochs: 30 });
    const path = join(dir, 'new-flowers.csv');
    writeFileSync(path, 'sepal_length,sepal_width,petal_length,petal_width\n5.0,3.4,1.5,0.2\n6.7,3.0,5.2,2.3\n5.9,2.8,4.3,1.3\n');
    const { result } = await score({ ref: versionId, path, fileName: 'my flowers.csv', explainRows: 2, samples: 200 });
    expect(result.totalRows).toBe(3);
    expect(result.explanations).toHaveLength(2);
    expect(result.warnings.join(' ')).toMatch(/first 2 of 3 rows/);
    for (const e of result.explanations) {
      const p = result.predictions[e.row]!;
      expect(e.explained).toBe(p.label);
      expect(e.base + sum(e.contributions.map((c) => c.contribution))).toBeCloseTo(e.output, 6);
      // Log-odds of the explained class: its sigmoid is that class's probability.
      expect(sigmoid(e.output)).toBeCloseTo(p.probabilities![p.label!]!, 4);
    }
    const missing = await ok('tryit:score', { ref: versionId, path: join(dir, 'nope.csv'), fileName: 'mine.csv' }).catch((error: Error) => error.message);
    expect(missing).toMatch(/^tryit:score: mine\.csv is not there any more/);
    const binary = join(dir, 'upload-7f3a.csv');
    writeFileSync(binary, Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 0]));
    const job = await ok('tryit:score', { ref: versionId, path: binary, fileName: 'flowers.xlsx' });
    const failed = await app.jobs.wait(job.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toContain('flowers.xlsx');
    expect(failed.error?.message).not.toContain('upload-7f3a');
    const both = await invoke(app, 'tryit:score', { ref: versionId, path, columns: ['sepal_length'], rows: [[5]] });
    expect(both).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const ragged = await invoke(app, 'tryit:score', { ref: versionId, columns: ['sepal_length', 'sepal_width'], rows: [[5]] });
    expect(ragged).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/as many cells/) } });
  }, 240_000);
});
