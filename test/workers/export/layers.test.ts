/**
 * The layer-by-layer converter on the layer types other pilot kinds use (CNNs, text, autoencoders,
 * windowed forecasters): small TensorFlow.js models with seeded random weights, saved in the
 * layers format, converted, run in ONNX Runtime and compared with TensorFlow.js's own `predict`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../../workers/export/onnx/convert.js';
import { GraphBuilder } from '../../../workers/export/onnx/graph.js';
import { readLayersModel } from '../../../workers/export/onnx/tfjs-model.js';
import { Rng } from '../../../workers/trainer/random.js';
import { tempDir } from './helpers.js';

/** Saves `model` as model.json + weights.bin (what the trainers write) into a fresh folder. */
async function save(model: tf.LayersModel): Promise<string> {
  const dir = tempDir('layers-');
  await model.save({
    save: async (artifacts) => {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
      const data = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(data));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  return dir;
}

/** Replaces every weight with seeded values (batch-norm variances kept positive). */
function randomise(model: tf.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (!weights.length) continue;
    layer.setWeights(
      weights.map((w, i) => {
        const values = Float32Array.from({ length: w.size }, () => rng.next() * 2 - 1);
        if (layer.getClassName() === 'BatchNormalization' && i === weights.length - 1) values.forEach((v, j) => (values[j] = 0.5 + Math.abs(v)));
        return tf.tensor(values, w.shape);
      }),
    );
  }
}

/** Converts `model` (its weights first replaced with seeded ones, unless `seed` is null) and compares ONNX Runtime's output with TensorFlow.js's. */
async function compare(model: tf.LayersModel, input: Float32Array, shape: number[], seed: number | null = 1): Promise<{ diff: number; layers: string[]; actual: Float32Array }> {
  if (seed !== null) randomise(model, seed);
  const dir = await save(model);
  const graph = await readLayersModel(dir);
  const g = new GraphBuilder('test');
  const x = g.input('x', 'float', ['N', ...shape.slice(1)]);
  const converted = convertLayersModel(g, graph, { [graph.inputs[0]!]: x });
  g.op('Identity', [converted.outputs[0]!.name], {}, 'y');
  g.output('y', 'float', ['N', ...(model.outputs[0]!.shape.slice(1) as number[])]);
  const session = await ort.InferenceSession.create(g.encode({ producerVersion: 'test', docString: '', metadata: {} }));
  const { y } = await session.run({ x: new ort.Tensor('float32', input, shape) });
  const expected = (model.predict(tf.tensor(input, shape)) as tf.Tensor).dataSync();
  expect(y!.dims.reduce((a, b) => a * b, 1)).toBe(expected.length);
  const actual = y!.data as Float32Array;
  let diff = 0;
  expected.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - actual[i]!))));
  return { diff, layers: converted.layerClasses, actual };
}

const random = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
};

describe('tfjs layers → ONNX, compared with TensorFlow.js', () => {
  it('an image CNN: Conv2D (same/valid, strides), BatchNormalization, MaxPooling2D, GlobalAveragePooling2D, Dense softmax', async () => {
    const input = tf.input({ shape: [12, 10, 3] });
    let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters: 5, kernelSize: [3, 2], strides: 2, padding: 'valid' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.averagePooling2d({ poolSize: 1 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(tf.layers.dropout({ rate: 0.5 }).apply(h) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const { diff, layers } = await compare(tf.model({ inputs: input, outputs: out }), random(2 * 12 * 10 * 3, 5), [2, 12, 10, 3]);
    expect(layers).toEqual(['Conv2D', 'BatchNormalization', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Dropout', 'Dense']);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('a flatten head after convolutions (channels-last order kept)', async () => {
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'sigmoid' })],
    });
    const { diff } = await compare(model, random(3 * 72, 6), [3, 6, 6, 2]);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('a text model: Embedding, GlobalAveragePooling1D, Dense', async () => {
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 6 }), tf.layers.globalAveragePooling1d({}), tf.layers.dense({ units: 4, activation: 'tanh' }), tf.layers.dense({ units: 1, activation: 'sigmoid' })],
    });
    const ids = Float32Array.from({ length: 4 * 6 }, (_, i) => (i * 7) % 50);
    const { diff, layers } = await compare(model, ids, [4, 6]);
    expect(layers).toEqual(['Embedding', 'GlobalAveragePooling1D', 'Dense']);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('a windowed forecaster: Conv1D, MaxPooling1D, Reshape, Concatenate with a skip path', async () => {
    const input = tf.input({ shape: [16, 2] });
    let h = tf.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu', padding: 'same' }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.maxPooling1d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.reshape({ targetShape: [32] }).apply(h) as tf.SymbolicTensor;
    const skip = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([h, skip]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3 }).apply(joined) as tf.SymbolicTensor;
    const { diff } = await compare(tf.model({ inputs: input, outputs: out }), random(5 * 32, 8), [5, 16, 2]);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('an autoencoder: a Dense stack with elu, relu and softplus', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [10], units: 6, activation: 'elu' }),
        tf.layers.dense({ units: 3, activation: 'relu' }),
        tf.layers.dense({ units: 6, activation: 'softplus' }),
        tf.layers.dense({ units: 10 }),
      ],
    });
    const { diff } = await compare(model, random(7 * 10, 9), [7, 10]);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('a dilated same convolution (explicit pads: ONNX Runtime takes no SAME_UPPER with dilations) and a SeparableConv2D', async () => {
    const input = tf.input({ shape: [9, 8, 2] });
    let h = tf.layers.conv2d({ filters: 3, kernelSize: [3, 2], dilationRate: [2, 3], padding: 'same' }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, dilationRate: 2, padding: 'same', activation: 'relu' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.separableConv2d({ filters: 2, kernelSize: 2, strides: 2, padding: 'same' }).apply(h) as tf.SymbolicTensor;
    const { diff, layers } = await compare(tf.model({ inputs: input, outputs: h }), random(2 * 9 * 8 * 2, 10), [2, 9, 8, 2]);
    expect(layers).toEqual(['Conv2D', 'SeparableConv2D']);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('the real MobileNetV2 (test/fixtures/mobilenet-v2) as TensorFlow.js saves it: its 7 × 7 × 1,280 features and its classifier', async () => {
    // Loaded and saved again by TensorFlow.js, as a transfer version embeds it (the fixture itself is Keras 2.2.4's JSON).
    const fixture = join(import.meta.dirname, '../../fixtures/mobilenet-v2');
    const json = JSON.parse(readFileSync(join(fixture, 'model.json'), 'utf8'));
    const bin = readFileSync(join(fixture, 'group1-shard1of1.bin'));
    const full = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }));
    const features = tf.model({ inputs: full.inputs, outputs: full.getLayer('out_relu').output as tf.SymbolicTensor });
    const input = random(2 * 224 * 224 * 3, 12);
    for (const [model, tolerance] of [
      [features, 1e-4],
      [full, 1e-5],
    ] as const) {
      const dir = await save(model);
      const graph = await readLayersModel(dir);
      const g = new GraphBuilder('mobilenet');
      const x = g.input('x', 'float', ['N', 224, 224, 3]);
      const converted = convertLayersModel(g, graph, { [graph.inputs[0]!]: x });
      g.op('Identity', [converted.outputs[0]!.name], {}, 'y');
      g.output('y', 'float', ['N', ...(model.outputs[0]!.shape.slice(1) as number[])]);
      const session = await ort.InferenceSession.create(g.encode({ producerVersion: 'test', docString: '', metadata: {} }));
      const { y } = await session.run({ x: new ort.Tensor('float32', input, [2, 224, 224, 3]) });
      const expected = tf.tidy(() => (model.predict(tf.tensor4d(input, [2, 224, 224, 3])) as tf.Tensor).dataSync());
      const actual = y!.data as Float32Array;
      let diff = 0;
      let scale = 0;
      expected.forEach((v, i) => {
        diff = Math.max(diff, Math.abs(v - actual[i]!));
        scale = Math.max(scale, Math.abs(v));
      });
      console.info(`MobileNetV2 ${model === full ? 'classifier' : 'out_relu features'}: max |ONNX − TF.js| = ${diff.toExponential(2)}, largest value ${scale.toFixed(3)}`);
      // ReLU6 features reach 6: the tolerance is relative to the largest value.
      expect(scale).toBeGreaterThan(model === full ? 0.2 : 1);
      expect(diff).toBeLessThanOrEqual(tolerance * Math.max(1, scale));
      if (model === features) expect(converted.layerClasses).toEqual(['ZeroPadding2D', 'Conv2D', 'BatchNormalization', 'ReLU', 'DepthwiseConv2D', 'Add']);
    }
    full.dispose();
  }, 300_000);

  it('ZeroPadding2D, DepthwiseConv2D (multiplier 2, same, stride 2), BatchNormalization (epsilon), ReLU (max 6) as Keras defines them (NumPy reference)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.zeroPadding2d({ inputShape: [7, 6, 3], padding: [[0, 1], [1, 0]], name: 'pad' }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, name: 'dw' }),
        tf.layers.batchNormalization({ epsilon: 0.01, name: 'bn' }),
        tf.layers.reLU({ maxValue: 6, name: 'relu' }),
      ],
    });
    const input = random(2 * 7 * 6 * 3, 15).map((v) => v * 4);
    randomise(model, 16);
    // Larger weights so that ReLU6's clipping is reached.
    const dw = model.getLayer('dw');
    dw.setWeights(dw.getWeights().map((w) => tf.mul(w, 4)));
    const { diff, actual: onnx } = await compare(model, input, [2, 7, 6, 3], null);
    expect(diff).toBeLessThanOrEqual(1e-5);
    // The same stack in NumPy, from the Keras / TensorFlow definitions, against the ONNX graph's output.
    const weights = Object.fromEntries(model.weights.map((w) => [w.originalName, { values: Array.from(w.read().dataSync()), shape: w.shape }]));
    const file = join(tempDir('keras-ref-'), 'input.json');
    writeFileSync(file, JSON.stringify({ x: Array.from(input), shape: [2, 7, 6, 3], weights }));
    const reference = JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'reference', 'keras_layers.py'), file], { encoding: 'utf8', maxBuffer: 16 << 20 })) as { shape: number[]; values: number[] };
    expect(reference.shape).toEqual([2, 4, 4, 6]);
    let refDiff = 0;
    reference.values.forEach((v, i) => (refDiff = Math.max(refDiff, Math.abs(v - onnx[i]!))));
    expect(reference.values.some((v) => v === 6)).toBe(true);
    expect(reference.values.some((v) => v === 0)).toBe(true);
    expect(refDiff).toBeLessThanOrEqual(1e-5);
  });

  it('models nested in models (a transfer version whose backbone is itself a transfer version): flattened, weights found by name', async () => {
    const innerInput = tf.input({ shape: [8, 8, 1] });
    const innerConv = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'inner_conv' }).apply(innerInput) as tf.SymbolicTensor;
    const inner = tf.model({ inputs: innerInput, outputs: innerConv, name: 'inner' });
    const middleInput = tf.input({ shape: [8, 8, 1] });
    const a = inner.apply(middleInput) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'side' }).apply(middleInput) as tf.SymbolicTensor;
    const middle = tf.model({ inputs: middleInput, outputs: tf.layers.add({ name: 'joined' }).apply([a, b]) as tf.SymbolicTensor, name: 'middle' });
    const model = tf.sequential({ name: 'outer' });
    model.add(middle);
    model.add(tf.layers.flatten({ name: 'head_flat' }));
    model.add(tf.layers.dense({ units: 2, activation: 'softmax', name: 'head_dense' }));
    const { diff, layers } = await compare(model, random(3 * 64, 14), [3, 8, 8, 1]);
    expect(layers).toEqual(['Conv2D', 'Add', 'Flatten', 'Dense']);
    expect(diff).toBeLessThanOrEqual(1e-6);
  });

  it('refuses a ReLU with negative_slope or threshold and a dilated DepthwiseConv2D, which TensorFlow.js does not compute as Keras does', async () => {
    const convert = (graph: Awaited<ReturnType<typeof readLayersModel>>, shape: number[]) => {
      const g = new GraphBuilder('t');
      return () => convertLayersModel(g, graph, { [graph.inputs[0]!]: g.input('x', 'float', ['N', ...shape]) });
    };
    const relu = await readLayersModel(await save(tf.sequential({ layers: [tf.layers.reLU({ inputShape: [4], maxValue: 6 })] })));
    expect(convert(relu, [4])).not.toThrow();
    relu.layers[0]!.config.negative_slope = 0.1;
    expect(convert(relu, [4])).toThrow(/\(ReLU\) cannot be exported to ONNX: negative_slope 0.1 \/ threshold 0 are applied by Keras but ignored by TensorFlow.js.*--format tfjs/);
    const depthwise = await readLayersModel(await save(tf.sequential({ layers: [tf.layers.depthwiseConv2d({ inputShape: [6, 6, 2], kernelSize: 3 })] })));
    depthwise.layers[0]!.config.dilation_rate = [2, 2];
    expect(convert(depthwise, [6, 6, 2])).toThrow(/\(DepthwiseConv2D\) cannot be exported to ONNX: dilation_rate is ignored by TensorFlow.js/);
  });

  it('refuses a layer it cannot convert, naming it', async () => {
    const model = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [4, 2], units: 3 })] });
    const dir = await save(model);
    const graph = await readLayersModel(dir);
    const g = new GraphBuilder('t');
    expect(() => convertLayersModel(g, graph, { [graph.inputs[0]!]: g.input('x', 'float', ['N', 4, 2]) })).toThrow(/layer type\(s\) LSTM, which the ONNX exporter does not convert yet/);
  });
});
