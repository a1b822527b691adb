/**
 * The image ONNX export, checked by ONNX Runtime: real image pilots trained on the Fashion-MNIST
 * fixture — from scratch, on a small layers backbone (fine-tuned), on the real MobileNetV2 of
 * test/fixtures/mobilenet-v2, and on a graph-model backbone written by hand in the TensorFlow.js
 * converter's format — exported with `exportOnnx`, run in ONNX Runtime on pictures decoded as the
 * workbench decodes them, and compared with the version's own predictions (`predictImages`, the
 * TensorFlow.js path `pilot predict` takes): max abs difference ≤ 1e-4 on every probability, same
 * labels. A graph with an op the converter does not know is refused with the op's name.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, writePackage } from '../../../workers/export/index.js';
import type { ImageOnnxPreprocessing } from '../../../workers/export/onnx/image.js';
import { imageNodeExample } from '../../../workers/export/readmes.js';
import { loadImage, pixels } from '../../../workers/image/decode.js';
import { trainImages } from '../../../workers/image/engine.js';
import { predictImages } from '../../../workers/image/predict.js';
import { imageInputSchema, type ImageInputRaw } from '../../../workers/image/schema.js';
import { makeContext } from '../../../workers/protocol.js';
import { Rng } from '../../../workers/trainer/random.js';
import { T, writeGraphModel } from './graph-backbone.js';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const fashion = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');
const mobilenet = join(import.meta.dirname, '../../fixtures/mobilenet-v2');
const label = { project: 'garments', version: 1, producerVersion: 'test' };
const root = join(import.meta.dirname, '../../..');

/** A training folder of `perClass` pictures of each class, and the test pictures of those classes. */
function pictures(classes: string[], perClass: number, testPerClass: number): { source: string; test: string } {
  const source = temp('image-onnx-src-');
  const test = temp('image-onnx-test-');
  for (const cls of classes) {
    for (const f of readdirSync(join(fashion, 'train', cls)).sort().slice(0, perClass)) cpSync(join(fashion, 'train', cls, f), join(source, cls, f));
    for (const f of readdirSync(join(fashion, 'test', cls)).sort().slice(0, testPerClass)) cpSync(join(fashion, 'test', cls, f), join(test, cls, f));
  }
  return { source, test };
}

async function train(raw: ImageInputRaw) {
  return trainImages(imageInputSchema.parse({ seed: 3, epochs: 1, backend: 'cpu', ...raw }), makeContext({ dataDir: temp('image-onnx-data-') }));
}

/**
 * Exports the version, runs every picture of `folder` through ONNX Runtime and through the
 * workbench's own prediction, and returns the largest probability difference and the export.
 */
async function compare(artifactDir: string, folder: string, options: { runReadmeExample?: boolean } = {}) {
  const out = join(temp('image-onnx-out-'), 'onnx');
  const written = await exportOnnx(artifactDir, out, label);
  expect(written.files.map((f) => f.path)).toEqual(['model.onnx', 'preprocessing.onnx.json', 'README.md']);
  const spec = JSON.parse(readFileSync(join(out, 'preprocessing.onnx.json'), 'utf8')) as ImageOnnxPreprocessing;
  const { side, channels } = spec.picture;
  const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
  expect(session.inputNames).toEqual(['pixels']);
  expect(session.outputNames).toEqual(['label', 'probabilities', 'label_index']);

  const csv = join(temp('image-onnx-pred-'), 'predictions.csv');
  await predictImages(artifactDir, folder, csv);
  const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  const k = spec.outputs.classes.length;
  // The same decoding as the workbench's (sharp: EXIF rotation, flatten, resize), as the README tells a caller.
  const x = new Float32Array(rows.length * side * side * channels);
  for (const [i, row] of rows.entries()) x.set(await pixels(await loadImage(join(folder, row[0]!)), side, side, channels), i * side * side * channels);
  const outputs = await session.run({ pixels: new ort.Tensor('float32', x, [rows.length, side, side, channels]) });
  const probabilities = outputs.probabilities!.data as Float32Array;
  const labels = outputs.label!.data as string[];
  const indices = outputs.label_index!.data as BigInt64Array;
  let maxDiff = 0;
  let margin = Infinity;
  rows.forEach((row, i) => {
    const expected = row.slice(3, 3 + k).map(Number);
    expected.forEach((p, c) => (maxDiff = Math.max(maxDiff, Math.abs(p - probabilities[i * k + c]!))));
    const sorted = [...expected].sort((a, b) => b - a);
    margin = Math.min(margin, sorted[0]! - (sorted[1] ?? 0));
    // Labels agree wherever the two best classes are not within the comparison's tolerance of each other.
    if (sorted[0]! - sorted[1]! > 2e-4) expect(labels[i]).toBe(row[1]);
    expect(spec.outputs.classes[Number(indices[i])]).toBe(labels[i]);
  });
  // The control: the same comparison against the next picture's probabilities. It must differ far
  // beyond the tolerance, or the check above could not tell a wrong conversion from a right one.
  let control = 0;
  rows.forEach((row, i) => {
    const j = (i + 1) % rows.length;
    row.slice(3, 3 + k).forEach((p, c) => (control = Math.max(control, Math.abs(Number(p) - probabilities[j * k + c]!))));
  });
  expect(control).toBeGreaterThan(5e-3);
  if (options.runReadmeExample) {
    // The README's Node example, run as written in the export folder on the first picture (its node_modules linked to this checkout's).
    const example = imageNodeExample(side, channels);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(example);
    symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
    cpSync(join(folder, rows[0]![0]!), join(out, 'picture.png'));
    const printed = execFileSync(process.execPath, ['--input-type=module', '-e', example], { cwd: out, encoding: 'utf8' }).trim().split('\n').at(-1)!;
    const [predicted, json] = [printed.slice(0, printed.indexOf(' ')), printed.slice(printed.indexOf(' ') + 1)];
    expect(predicted).toBe(rows[0]![1]);
    const example0 = JSON.parse(json) as number[];
    example0.forEach((p, c) => expect(Math.abs(p - Number(rows[0]![3 + c]))).toBeLessThanOrEqual(1e-4));
  }
  console.info(`${artifactDir}: ${rows.length} pictures, max |ONNX − TF.js| = ${maxDiff.toExponential(2)}, against the next picture ${control.toExponential(2)}, smallest top-2 margin ${margin.toFixed(4)}`);
  return { maxDiff, spec, rows: rows.length, out, margin };
}

/**
 * A small layers backbone with the layer types MobileNets use, seeded weights, saved as a
 * TensorFlow.js layers model folder: ZeroPadding2D (asymmetric) → Conv2D stride 2 → BatchNormalization →
 * ReLU (max 6) → DepthwiseConv2D (multiplier 2, same, stride 2) → SeparableConv2D → Conv2D 1 × 1 + Add (a
 * residual) → Cropping2D → GlobalAveragePooling2D → Dense softmax (cut off as a backbone).
 */
async function saveLayersBackbone(): Promise<string> {
  const dir = temp('image-onnx-layers-');
  const input = tf.input({ shape: [16, 16, 1] });
  let h = tf.layers.zeroPadding2d({ padding: [[0, 1], [1, 0]], name: 'pad' }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, useBias: false, name: 'stem' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ epsilon: 0.01, name: 'stem_bn' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reLU({ maxValue: 6, name: 'stem_relu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', name: 'dw' }).apply(h) as tf.SymbolicTensor;
  const a = tf.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'sep' }).apply(h) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 8, kernelSize: 1, name: 'proj' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.add({ name: 'residual' }).apply([a, b]) as tf.SymbolicTensor;
  h = tf.layers.cropping2D({ cropping: [[1, 0], [0, 1]], name: 'crop' }).apply(h) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'classifier' }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const rng = new Rng(9);
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (!weights.length) continue;
    layer.setWeights(
      weights.map((w, i) => {
        const values = Float32Array.from({ length: w.size }, () => (rng.next() * 2 - 1) * 0.6);
        // Batch-norm moving variances stay positive.
        if (layer.getClassName() === 'BatchNormalization' && i === weights.length - 1) values.forEach((v, j) => (values[j] = 0.5 + Math.abs(v)));
        return tf.tensor(values, w.shape);
      }),
    );
  }
  await model.save({
    save: async (artifacts) => {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }] }));
      writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  return dir;
}

describe('image versions → ONNX, compared with the workbench’s own predictions', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('(a) a network trained from scratch (conv blocks with batch norm, flatten, dense head)', async () => {
    const { source, test } = pictures(['bag', 'sneaker', 'trouser'], 12, 4);
    const result = await train({ source, imageSize: 16, batchNorm: true, runId: 'scratch' });
    const { maxDiff, spec, rows, out } = await compare(result.artifactDir, test, { runReadmeExample: true });
    expect(rows).toBe(12);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    expect(spec).toMatchObject({ kind: 'image', input: { name: 'pixels', shape: ['N', 16, 16, 1] }, picture: { side: 16, channels: 1, colour: 'grey' }, outputs: { classes: ['bag', 'sneaker', 'trouser'] } });
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/float32, \[N, 16, 16, 1\].*values 0–255/);
  }, 300_000);

  it('(b) a version on a small layers backbone (ZeroPadding2D, DepthwiseConv2D ×2, SeparableConv2D, Add, Cropping2D), its last block fine-tuned', async () => {
    const { source, test } = pictures(['bag', 'sneaker', 'trouser'], 12, 4);
    const result = await train({ source, backbone: await saveLayersBackbone(), fineTune: true, runId: 'layers' });
    expect(result.backbone).toMatchObject({ format: 'layers-model', featureLayer: 'crop' });
    expect(result.backbone!.fineTuned.length).toBeGreaterThan(0);
    const { maxDiff, rows } = await compare(result.artifactDir, test);
    expect(rows).toBe(12);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
  }, 300_000);

  it('(c) a version on the real MobileNetV2 (224 × 224 RGB; 1 epoch, head only, few pictures)', async () => {
    const { source, test } = pictures(['bag', 'sneaker'], 6, 2);
    const result = await train({ source, backbone: mobilenet, runId: 'mobilenet', backend: 'auto' });
    expect(result.network).toMatchObject({ side: 224, channels: 3 });
    const { maxDiff, spec, rows } = await compare(result.artifactDir, test, { runReadmeExample: true });
    expect(rows).toBe(4);
    expect(spec.picture).toMatchObject({ side: 224, channels: 3, colour: 'rgb' });
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
  }, 600_000);

  it('(d) a version on a graph-model backbone (fused convolutions, depthwise, batch norm, pads, pools, mean, reshape)', async () => {
    const { source, test } = pictures(['bag', 'sneaker', 'trouser'], 12, 4);
    const result = await train({ source, backbone: writeGraphModel(), imageSize: 16, runId: 'graph' });
    expect(result.backbone).toMatchObject({ format: 'graph-model', featureLayer: 'flat', featureShape: [8] });
    const { maxDiff, rows } = await compare(result.artifactDir, test);
    expect(rows).toBe(12);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
  }, 300_000);

  it('refuses a graph-model backbone with an op it does not convert, naming it, and writes nothing', async () => {
    const { source } = pictures(['bag', 'sneaker'], 8, 0);
    const extra = { name: 'extra', op: 'Erf', input: ['pool/avg'], attr: T };
    const result = await train({ source, backbone: writeGraphModel({ side: 16, channels: 1, extra }), imageSize: 16, runId: 'erf' });
    const out = join(temp('image-onnx-refused-'), 'onnx');
    await expect(exportOnnx(result.artifactDir, out, label)).rejects.toThrow(/uses TensorFlow operation\(s\) Erf \(in "extra"\), which the ONNX exporter does not convert .*--format tfjs/);
    expect(existsSync(out)).toBe(false);
    // The hand-off packages describe rows of features: an image version is pointed to the ONNX export.
    const version = { project: 'garments', version: 1, stage: 'candidate', task: 'multiclass', target: 'label', createdAt: 0, datasetSha256: '', backend: 'cpu', hyperparameters: {}, testMetrics: {}, producerVersion: 'test' };
    const scratch = await train({ source, imageSize: 16, runId: 'scratch-package' });
    await expect(writePackage(scratch.artifactDir, join(temp('image-onnx-pkg-'), 'pkg'), 'triton', version, '')).rejects.toThrow(/The triton package is made for tabular models; for this image model, export ONNX instead \(pilot models export VERSION --format onnx\)/);
  }, 300_000);
});
