/**
 * The TensorFlow graph converter op by op: a graph model written by hand in the TensorFlow.js
 * converter's format (as test/workers/image/backbone-graph.test.ts does), loaded as a backbone
 * (the `GraphBackbone` layer a version embeds), saved as a layers model, converted, run in ONNX
 * Runtime and compared with TensorFlow.js's own execution of the graph at several nodes. Covers
 * the ops and attributes the pilot test (image-onnx.test.ts) does not: EXPLICIT padding, dilated
 * SAME convolution, SAME average pooling, fused LeakyRelu / Prelu / Relu6, PadV2, MirrorPad, SquaredDifference, Rsqrt,
 * ConcatV2, AddN, Sum, Max, ExpandDims, Squeeze, _FusedMatMul with transpose_b.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../../workers/export/onnx/convert.js';
import { GraphBuilder } from '../../../workers/export/onnx/graph.js';
import { readLayersModel } from '../../../workers/export/onnx/tfjs-model.js';
import { loadBackbone } from '../../../workers/image/backbone.js';
import { Rng } from '../../../workers/trainer/random.js';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const dims = (shape: number[]) => ({ dim: shape.map((size) => ({ size: String(size) })) });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const ints = (values: number[]) => ({ list: { i: values.map(String) } });
const T = { T: { type: 'DT_FLOAT' } };
const NHWC = { data_format: { s: b64('NHWC') } };
const fused = (ops: string[], args: number) => ({ fused_ops: { list: { s: ops.map(b64) } }, num_args: { i: String(args) } });

/** Builds a graph model folder: `nodes` after the Placeholder, with seeded float constants and given int constants. */
class GraphWriter {
  readonly nodes: object[] = [];
  private readonly weights: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32'; values: Float32Array | Int32Array }> = [];
  private readonly rng = new Rng(21);

  constructor(side: number, channels: number) {
    this.nodes.push({ name: 'input', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims([-1, side, side, channels]) } } });
  }

  floats(name: string, shape: number[], scale = 0.5, offset = 0): string {
    const n = shape.reduce((a, b) => a * b, 1);
    this.weights.push({ name, shape, dtype: 'float32', values: Float32Array.from({ length: n }, () => offset + (this.rng.next() * 2 - 1) * scale) });
    this.nodes.push({ name, op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(shape) } } } });
    return name;
  }

  ints(name: string, shape: number[], values: number[]): string {
    this.weights.push({ name, shape, dtype: 'int32', values: Int32Array.from(values) });
    this.nodes.push({ name, op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: dims(shape) } } } });
    return name;
  }

  node(name: string, op: string, input: string[], attr: object = {}): string {
    this.nodes.push({ name, op, input, attr: { ...T, ...attr } });
    return name;
  }

  write(): string {
    const dir = temp('tf-graph-');
    const json = { format: 'graph-model', generatedBy: 'hand (test/workers/export/tf-graph.test.ts)', modelTopology: { node: this.nodes, library: {}, versions: { producer: 1 } }, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: this.weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }] };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.concat(this.weights.map((w) => Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength))));
    return dir;
  }
}

/** Saves `model` as model.json + weights.bin in a fresh folder (what a version holds). */
async function save(model: tf.LayersModel): Promise<string> {
  const dir = temp('tf-graph-saved-');
  await model.save({
    save: async (artifacts) => {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!)));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  return dir;
}

/** The graph run up to `node` by TensorFlow.js and by ONNX Runtime on the same seeded pictures: max abs difference, scale of the values. */
async function compareAt(dir: string, node: string, side: number, channels: number) {
  const backbone = await loadBackbone(tf, dir, false, node);
  const graph = await readLayersModel(await save(backbone.model));
  const g = new GraphBuilder('test');
  const x = g.input('x', 'float', ['N', side, side, channels]);
  const converted = convertLayersModel(g, graph, { [graph.inputs[0]!]: x });
  g.op('Identity', [converted.outputs[0]!.name], {}, 'y');
  g.output('y', 'float', ['N', ...backbone.info.featureShape.map((d) => d ?? 'any')]);
  const session = await ort.InferenceSession.create(g.encode({ producerVersion: 'test', docString: '', metadata: {} }));
  const rng = new Rng(4);
  const input = Float32Array.from({ length: 3 * side * side * channels }, () => rng.next() * 2 - 1);
  const { y } = await session.run({ x: new ort.Tensor('float32', input, [3, side, side, channels]) });
  const expected = tf.tidy(() => (backbone.model.predict(tf.tensor4d(input, [3, side, side, channels])) as tf.Tensor).dataSync());
  expect(y!.dims).toEqual([3, ...backbone.info.featureShape]);
  const actual = y!.data as Float32Array;
  let diff = 0;
  let scale = 0;
  expected.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(v - actual[i]!));
    scale = Math.max(scale, Math.abs(v));
  });
  return { diff, scale, layers: converted.layerClasses };
}

describe('TensorFlow graph → ONNX, compared with TensorFlow.js executing the graph', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('converts convolutions with explicit, dilated and fused variants, pads, reductions and shape ops', async () => {
    const w = new GraphWriter(9, 3);
    const conv = { strides: ints([1, 1, 1, 1]), dilations: ints([1, 1, 1, 1]), ...NHWC };
    // EXPLICIT: top 1, bottom 2, left 2, right 0; stride 2 → 5 × 5.
    w.node('explicit', 'Conv2D', ['input', w.floats('explicit/filter', [3, 3, 3, 4])], { ...conv, strides: ints([1, 2, 2, 1]), padding: { s: b64('EXPLICIT') }, explicit_paddings: ints([0, 0, 1, 2, 2, 0, 0, 0]) });
    w.node('dilated', '_FusedConv2D', ['explicit', w.floats('dilated/filter', [3, 3, 4, 4]), w.floats('dilated/bias', [4], 0.2)], { ...conv, dilations: ints([1, 2, 2, 1]), padding: { s: b64('SAME') }, ...fused(['BiasAdd', 'LeakyRelu'], 1), leakyrelu_alpha: { f: 0.1 } });
    w.node('prelu', '_FusedConv2D', ['dilated', w.floats('prelu/filter', [1, 1, 4, 4]), w.floats('prelu/bias', [4], 0.2), w.floats('prelu/alpha', [4], 0.3)], { ...conv, padding: { s: b64('VALID') }, ...fused(['BiasAdd', 'Prelu'], 2) });
    w.node('dw', 'FusedDepthwiseConv2dNative', ['prelu', w.floats('dw/filter', [2, 2, 4, 2]), w.floats('dw/bias', [8], 0.2)], { ...conv, padding: { s: b64('VALID') }, ...fused(['BiasAdd', 'Relu6'], 1) });
    // Average pooling with SAME on 4 × 4, 3 × 3 stride 2: the padded cells are not counted (ONNX count_include_pad 0).
    w.node('avgsame', 'AvgPool', ['dw'], { ksize: ints([1, 3, 3, 1]), strides: ints([1, 2, 2, 1]), padding: { s: b64('SAME') }, ...NHWC });
    w.node('padded', 'PadV2', ['dw', w.ints('padded/paddings', [4, 2], [0, 0, 1, 1, 0, 1, 0, 0]), w.floats('padded/value', [], 0, 0.5)]);
    w.node('mirror', 'MirrorPad', ['padded', w.ints('mirror/paddings', [4, 2], [0, 0, 1, 0, 0, 1, 0, 0])], { mode: { s: b64('REFLECT') } });
    w.node('sqdiff', 'SquaredDifference', ['mirror', w.floats('sqdiff/center', [8], 0.5)]);
    w.node('plus1', 'AddV2', ['sqdiff', w.floats('one', [], 0, 1)]);
    w.node('rsqrt', 'Rsqrt', ['plus1']);
    w.node('concat', 'ConcatV2', ['mirror', 'rsqrt', w.ints('concat/axis', [], [-1])], { N: { i: '2' }, Tidx: { type: 'DT_INT32' } });
    w.node('addn', 'AddN', ['concat', 'concat', 'concat'], { N: { i: '3' } });
    w.node('max', 'Max', ['addn', w.ints('max/axes', [1], [1])], { keep_dims: { b: true } });
    w.node('sum', 'Sum', ['max', w.ints('sum/axes', [2], [1, 2])], { keep_dims: { b: false } });
    w.node('expand', 'ExpandDims', ['sum', w.ints('expand/axis', [], [1])], { Tdim: { type: 'DT_INT32' } });
    w.node('squeeze', 'Squeeze', ['expand'], { squeeze_dims: ints([1]) });
    w.node('dense', '_FusedMatMul', ['squeeze', w.floats('dense/kernel', [5, 16], 0.3), w.floats('dense/bias', [5], 0.2)], { transpose_a: { b: false }, transpose_b: { b: true }, ...fused(['BiasAdd', 'Relu'], 1) });
    w.node('sig', 'Sigmoid', ['dense']);
    const dir = w.write();
    for (const node of ['dw', 'avgsame', 'mirror', 'concat', 'squeeze', 'sig']) {
      const { diff, scale, layers } = await compareAt(dir, node, 9, 3);
      expect(layers).toEqual(['GraphBackbone']);
      expect(scale).toBeGreaterThan(0.1);
      expect(diff, node).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
    }
  }, 120_000);

  it('refuses what it does not convert, naming the op and the node', async () => {
    const w = new GraphWriter(8, 1);
    w.node('conv', 'Conv2D', ['input', w.floats('conv/filter', [3, 3, 1, 2])], { strides: ints([1, 1, 1, 1]), dilations: ints([1, 1, 1, 1]), padding: { s: b64('SAME') }, ...NHWC });
    w.node('cumulative', 'Cumsum', ['conv', w.ints('cumulative/axis', [], [1])], { exclusive: { b: false }, reverse: { b: false }, Tidx: { type: 'DT_INT32' } });
    w.node('mean', 'Mean', ['cumulative', w.ints('mean/axes', [2], [1, 2])], { keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } });
    const dir = w.write();
    await expect(compareAt(dir, 'mean', 8, 1)).rejects.toThrow(/uses TensorFlow operation\(s\) Cumsum \(in "cumulative"\), which the ONNX exporter does not convert \(it converts Placeholder, Const, .*\)\. Export the version in the TensorFlow\.js format instead \(--format tfjs\)/);
    // The same graph cut before the op converts: only the nodes the feature node needs count.
    expect((await compareAt(dir, 'conv', 8, 1)).diff).toBeLessThanOrEqual(1e-5);
  }, 60_000);
});
