/**
 * Graph-model backbones. There is no TensorFlow converter here, so the test writes a small graph
 * model by hand in the converter's format (model.json with `format: "graph-model"`, a GraphDef of
 * Placeholder → Conv2D → BiasAdd → Relu → Mean over height and width → MatMul → Softmax, and a
 * weight file with seeded values) and checks that it loads, that the classifier at its end is cut
 * off (features = the Mean, 8 values), and that its features equal those of the equivalent tf.layers
 * model (conv2d 'same' + ReLU, global average pooling) with the same weights. A pilot then trains a
 * head on it; the saved version (the graph inside it) predicts, evaluates and checks drift.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { checkDrift } from '../../../workers/drift/check.js';
import { driftInputSchema } from '../../../workers/drift/schema.js';
import { evaluateInputSchema, evaluateVersion } from '../../../workers/evaluate/index.js';
import { loadBackbone } from '../../../workers/image/backbone.js';
import { trainImages } from '../../../workers/image/engine.js';
import { predictImages } from '../../../workers/image/predict.js';
import { imageInputSchema } from '../../../workers/image/schema.js';
import { makeContext } from '../../../workers/protocol.js';
import { Rng } from '../../../workers/trainer/random.js';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const small = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');
const SIDE = 16;
const FILTERS = 8;
const CLASSES = 5;

const dims = (shape: number[]) => ({ dim: shape.map((size) => ({ size: String(size) })) });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const floatConst = (name: string, shape: number[]) => ({ name, op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(shape) } } } });

/** Seeded weights of the hand-made graph. */
function weights() {
  const rng = new Rng(5);
  const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
  return { kernel: values(3 * 3 * 1 * FILTERS, 0.6), bias: values(FILTERS, 0.2), dense: values(FILTERS * CLASSES, 0.5) };
}

/** Writes the graph model to a new folder; `twoOutputs` adds a second output (the Relu's maps, through an Identity). */
function writeGraphModel(options: { twoOutputs?: boolean } = {}): string {
  const dir = temp('graph-backbone-');
  const w = weights();
  const nodes: object[] = [
    { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims([-1, SIDE, SIDE, 1]) } } },
    floatConst('conv/kernel', [3, 3, 1, FILTERS]),
    { name: 'conv/Conv2D', op: 'Conv2D', input: ['x', 'conv/kernel'], attr: { T: { type: 'DT_FLOAT' }, strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') }, dilations: { list: { i: ['1', '1', '1', '1'] } } } },
    floatConst('conv/bias', [FILTERS]),
    { name: 'conv/BiasAdd', op: 'BiasAdd', input: ['conv/Conv2D', 'conv/bias'], attr: { T: { type: 'DT_FLOAT' }, data_format: { s: b64('NHWC') } } },
    { name: 'conv/Relu', op: 'Relu', input: ['conv/BiasAdd'], attr: { T: { type: 'DT_FLOAT' } } },
    { name: 'pool/axes', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: dims([2]) } } } },
    { name: 'pool/Mean', op: 'Mean', input: ['conv/Relu', 'pool/axes'], attr: { T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } },
    floatConst('logits/kernel', [FILTERS, CLASSES]),
    { name: 'logits/MatMul', op: 'MatMul', input: ['pool/Mean', 'logits/kernel'], attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } } },
    { name: 'probabilities', op: 'Softmax', input: ['logits/MatMul'], attr: { T: { type: 'DT_FLOAT' } } },
  ];
  if (options.twoOutputs) nodes.push({ name: 'maps', op: 'Identity', input: ['conv/Relu'], attr: { T: { type: 'DT_FLOAT' } } });
  const manifest = [
    {
      paths: ['group1-shard1of1.bin'],
      weights: [
        { name: 'conv/kernel', shape: [3, 3, 1, FILTERS], dtype: 'float32' },
        { name: 'conv/bias', shape: [FILTERS], dtype: 'float32' },
        { name: 'pool/axes', shape: [2], dtype: 'int32' },
        { name: 'logits/kernel', shape: [FILTERS, CLASSES], dtype: 'float32' },
      ],
    },
  ];
  const json = { format: 'graph-model', generatedBy: 'hand (test/workers/image/backbone-graph.test.ts)', convertedBy: null, modelTopology: { node: nodes, library: {}, versions: { producer: 1 } }, weightsManifest: manifest };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  const bytes = Buffer.concat([w.kernel, w.bias, Int32Array.from([1, 2]), w.dense].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), bytes);
  return dir;
}

/** The same computation as tf.layers: conv 3 × 3 'same' + ReLU, then global average pooling. */
function layersEquivalent(pool: boolean): tf.Sequential {
  const w = weights();
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [SIDE, SIDE, 1], filters: FILTERS, kernelSize: 3, padding: 'same', activation: 'relu' }));
  if (pool) model.add(tf.layers.globalAveragePooling2d({}));
  model.layers[0]!.setWeights([tf.tensor4d(w.kernel, [3, 3, 1, FILTERS]), tf.tensor1d(w.bias)]);
  return model;
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('graph-model backbones', () => {
  it('loads a graph model, cuts off its classifier and computes what the equivalent layers model computes', async () => {
    await tf.setBackend('cpu');
    const dir = writeGraphModel();
    const loaded = await loadBackbone(tf, dir, false);
    expect(loaded.info).toMatchObject({ format: 'graph-model', inputShape: [SIDE, SIDE, 1], featureLayer: 'pool/Mean', featureShape: [FILTERS], fineTuned: [] });
    expect(loaded.info.parameters).toBe(3 * 3 * FILTERS + FILTERS + 2 + FILTERS * CLASSES);
    expect(loaded.model.trainableWeights).toHaveLength(0);
    const x = tf.randomUniform([6, SIDE, SIDE, 1], -1, 1, 'float32', 3);
    const features = loaded.model.predict(x) as tf.Tensor;
    expect(features.shape).toEqual([6, FILTERS]);
    const reference = layersEquivalent(true).predict(x) as tf.Tensor;
    expect(maxDiff(features, reference)).toBeLessThan(1e-5);
    // A named node: the feature maps before the pooling.
    const maps = await loadBackbone(tf, dir, false, 'conv/Relu');
    expect(maps.info).toMatchObject({ featureLayer: 'conv/Relu', featureShape: [SIDE, SIDE, FILTERS] });
    expect(maxDiff(maps.model.predict(x) as tf.Tensor, layersEquivalent(false).predict(x) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('refuses fine-tuning, an ambiguous or unknown output, and damaged weights, saying why', async () => {
    const dir = writeGraphModel();
    await expect(loadBackbone(tf, dir, true)).rejects.toThrow(/graph model: its weights are frozen constants.*cannot be fine-tuned.*without --fine-tune/);
    await expect(loadBackbone(tf, dir, false, 'nowhere')).rejects.toThrow(/has no node "nowhere"/);
    await expect(loadBackbone(tf, writeGraphModel({ twoOutputs: true }), false)).rejects.toThrow(/has 2 outputs \(.*\): name the one with the picture features with --backbone-output NODE/);
    expect((await loadBackbone(tf, writeGraphModel({ twoOutputs: true }), false, 'pool/Mean')).info.featureShape).toEqual([FILTERS]);
    const bin = join(dir, 'group1-shard1of1.bin');
    writeFileSync(bin, readFileSync(bin).subarray(0, 40));
    await expect(loadBackbone(tf, dir, false)).rejects.toThrow(/hold 40 bytes but model.json describes .*truncated or damaged/);
  });

  it('a pilot on a graph backbone trains a head, and its saved version predicts, evaluates and checks drift', async () => {
    const source = temp('graph-pilot-');
    for (const part of ['train', 'test']) for (const cls of readdirSync(join(small, part)).sort().slice(0, CLASSES)) cpSync(join(small, part, cls), join(source, part, cls), { recursive: true });
    const dataDir = temp('graph-pilot-data-');
    const result = await trainImages(imageInputSchema.parse({ source, backbone: writeGraphModel(), epochs: 3, seed: 3, backend: 'cpu', runId: 'graph' }), makeContext({ dataDir }));
    expect(result.backbone).toMatchObject({ format: 'graph-model', featureLayer: 'pool/Mean' });
    expect(result.network).toMatchObject({ side: SIDE, channels: 1, pooling: 'none' });
    expect(result.summary.network).toBeGreaterThan(result.summary.majority);

    const model = JSON.parse(readFileSync(join(result.artifactDir, 'model.json'), 'utf8'));
    expect(JSON.stringify(model.modelTopology)).toContain('GraphBackbone');
    const out = join(temp('graph-predict-'), 'predictions.csv');
    const predicted = await predictImages(result.artifactDir, join(source, 'test'), out);
    expect(predicted.rows).toBe(CLASSES * 30);
    const evaluated = await evaluateVersion(evaluateInputSchema.parse({ artifactDir: result.artifactDir, file: join(source, 'test'), recorded: result.metrics, resamples: 20 }), makeContext({ dataDir: temp('graph-eval-') }));
    // The saved version computes what the trained network computed on the same test pictures.
    expect((evaluated.metrics as typeof result.metrics).accuracy).toBeCloseTo(result.metrics.accuracy, 10);
    const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    const correct = lines.filter((l) => l.split('/')[0] === l.split(',')[1]).length;
    expect(correct / lines.length).toBeCloseTo(result.metrics.accuracy, 10);

    const drift = await checkDrift(driftInputSchema.parse({ currentPath: join(source, 'test'), model: { artifactDir: result.artifactDir, task: 'multiclass', target: 'label', testMetrics: { accuracy: result.metrics.accuracy }, kind: 'image' } }), makeContext({ dataDir }));
    expect(drift.image!.embedding!.drifted).toBe(false);
  }, 600_000);
});
