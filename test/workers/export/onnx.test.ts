/**
 * The tabular ONNX export, checked by ONNX Runtime: real models trained on the fixtures, their
 * untouched test split encoded with preprocessing.onnx.json alone, run in ONNX Runtime, and
 * compared with the workbench's own predictions (`predictRows`, TensorFlow.js) — max abs
 * difference ≤ 1e-5 on probabilities, same labels; regression values within 1e-5 of the target's
 * standard deviation (float32 networks cannot promise 1e-5 absolute on values in the thousands).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../../../workers/export/index.js';
import { encodeRows, unseenCategories, type OnnxPreprocessing } from '../../../workers/export/onnx/instructions.js';
import type { SavedPipeline } from '../../../workers/trainer/artifact.js';
import { predictRows } from '../../../workers/trainer/index.js';
import { transform } from '../../../workers/trainer/preprocess.js';
import { Rng } from '../../../workers/trainer/random.js';
import { fixture, tempDir, trainSmall, type Trained } from './helpers.js';

async function runOnnx(model: Uint8Array, spec: OnnxPreprocessing, header: string[], rows: string[][]) {
  const session = await ort.InferenceSession.create(model);
  const x = encodeRows(spec, header, rows);
  const outputs = await session.run({ [spec.input.name]: new ort.Tensor('float64', x, [rows.length, spec.input.width]) });
  return { session, outputs, x };
}

/** Trains, exports and compares; returns the largest differences for the assertions. */
async function checkExport(trained: Trained) {
  const { result, header, testRows } = trained;
  expect(testRows.length).toBeGreaterThan(10);
  const onnx = await toOnnx(result.artifactDir, 'test');
  if (onnx.kind !== 'tabular') throw new Error(`expected a tabular export, got ${onnx.kind}`);
  const { session, outputs, x } = await runOnnx(onnx.model, onnx.preprocessing, header, testRows);
  const { predictions } = await predictRows(result.artifactDir, header, testRows);

  // The JSON instructions alone rebuild the trainer's inputs: same vector after the graph's scaling.
  const pipeline = JSON.parse(readFileSync(join(result.artifactDir, 'preprocessing.json'), 'utf8')) as SavedPipeline;
  const reference = transform(pipeline.preprocessing, header, testRows).x;
  const { medians, means, stds } = onnx.preprocessing.scaling;
  const d = onnx.preprocessing.input.width;
  let inputDiff = 0;
  for (let i = 0; i < x.length; i++) {
    const j = i % d;
    const v = Number.isFinite(x[i]!) ? x[i]! : medians[j]!;
    inputDiff = Math.max(inputDiff, Math.abs(Math.fround((v - means[j]!) / stds[j]!) - reference[i]!));
  }
  expect(inputDiff).toBeLessThanOrEqual(1e-6);

  let maxDiff = 0;
  if (result.task === 'regression') {
    expect(session.outputNames).toEqual(['value']);
    const values = outputs.value!.data as Float64Array;
    testRows.forEach((_, i) => (maxDiff = Math.max(maxDiff, Math.abs(values[i]! - predictions[i]!.value!))));
    return { maxDiff, onnx, std: pipeline.target.task === 'regression' ? pipeline.target.std : 1 };
  }
  expect(session.outputNames).toEqual(['label', 'probabilities', 'label_index']);
  const labels = outputs.label!.data as string[];
  const probabilities = outputs.probabilities!.data as Float32Array;
  const classes = result.classes!;
  testRows.forEach((_, i) => {
    expect(labels[i]).toBe(predictions[i]!.label);
    classes.forEach((c, k) => (maxDiff = Math.max(maxDiff, Math.abs(probabilities[i * classes.length + k]! - predictions[i]!.probabilities![c]!))));
  });
  return { maxDiff, onnx, std: 1 };
}

describe('ONNX export of tabular models, run in ONNX Runtime', () => {
  it('multiclass (iris): probabilities within 1e-5 of the workbench, same labels', async () => {
    // The network, not the linear model the trainer may prefer on iris: this checks the skip path's Add.
    const { maxDiff, onnx } = await checkExport(await trainSmall({ file: fixture('iris.csv'), target: 'species', model: 'network' }));
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
    expect(onnx.layers).toEqual(['Dense', 'Add', 'Activation']);
    expect(onnx.preprocessing.outputs.classes).toEqual(['Iris-setosa', 'Iris-versicolor', 'Iris-virginica']);
  });

  it('binary with categories, missing markers and rare levels (adult)', async () => {
    const trained = await trainSmall({ file: fixture('adult.csv'), target: 'income', maxRows: 800, hiddenLayers: [8] });
    const { maxDiff, onnx } = await checkExport(trained);
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
    const kinds = new Set(onnx.preprocessing.columns.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['number', 'one-hot']);
    // Rare and unseen categories go to "(other)" where training had rare levels (native-country);
    // a column whose every level was frequent (workclass at 800 rows) has no "(other)" slot: all zeros.
    const country = onnx.preprocessing.columns.find((c) => c.column === 'native-country');
    expect(country).toMatchObject({ kind: 'one-hot', otherSlot: expect.any(Number) });
    const novel = trained.testRows.slice(0, 3).map((r) => r.map((cell, i) => (trained.header[i] === 'workclass' ? 'Astronaut' : trained.header[i] === 'native-country' ? 'Atlantis' : cell)));
    expect(unseenCategories(onnx.preprocessing, trained.header, novel)).toEqual({ workclass: 3, 'native-country': 3 });
    const { outputs } = await runOnnx(onnx.model, onnx.preprocessing, trained.header, novel);
    const { predictions } = await predictRows(trained.result.artifactDir, trained.header, novel);
    const p = outputs.probabilities!.data as Float32Array;
    predictions.forEach((pred, i) => expect(Math.abs(p[2 * i + 1]! - pred.probabilities!['>50K']!)).toBeLessThanOrEqual(1e-5));
  });

  it('regression with a date column (bike_day): values de-standardised in the graph', async () => {
    const { maxDiff, onnx, std } = await checkExport(
      await trainSmall({ file: fixture('bike_day.csv'), target: 'cnt', exclude: ['casual', 'registered', 'instant'] }),
    );
    expect(onnx.preprocessing.columns.find((c) => c.column === 'dteday')).toMatchObject({ kind: 'date', parts: ['year', 'month', 'day', 'weekday'] });
    expect(maxDiff).toBeLessThanOrEqual(1e-5 * std);
  });

  it('hashed categories, booleans and missing numbers (generated data)', async () => {
    const rng = new Rng(3);
    const rows = Array.from({ length: 400 }, (_, i) => {
      const city = `city${rng.int(300)}`;
      const member = rng.next() < 0.1 ? '' : rng.next() < 0.5 ? 'yes' : 'no';
      const spend = rng.next() < 0.1 ? 'NA' : (rng.next() * 100).toFixed(2);
      const y = (member === 'yes' ? 1 : 0) + (spend === 'NA' ? 0 : Number(spend) / 50) + (i % 7 === 0 ? 1 : 0) > 1.2 ? 'high' : 'low';
      return [city, member, spend, y].join(',');
    });
    const file = join(tempDir(), 'shop.csv');
    writeFileSync(file, `city,member,spend,segment\n${rows.join('\n')}\n`);
    const { maxDiff, onnx } = await checkExport(await trainSmall({ file, target: 'segment' }));
    expect(onnx.preprocessing.columns.map((c) => c.kind)).toEqual(['hashed', 'boolean', 'number']);
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
  });

  it('refuses a model whose files no longer match their checksums', async () => {
    const { result } = await trainSmall({ file: fixture('iris.csv'), target: 'species', epochs: 1 });
    const weights = join(result.artifactDir, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(weights, bytes);
    await expect(toOnnx(result.artifactDir, 'test')).rejects.toThrow(/weights\.bin .* does not match its checksum/);
  });
});
