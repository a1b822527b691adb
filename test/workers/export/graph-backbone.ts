/** A graph-model backbone written by hand in the TensorFlow.js converter's format, for the image export tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../../workers/trainer/random.js';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const dims = (shape: number[]) => ({ dim: shape.map((size) => ({ size: String(size) })) });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const ints = (values: number[]) => ({ list: { i: values.map(String) } });
export const T = { T: { type: 'DT_FLOAT' } };
const floatConst = (name: string, shape: number[]) => ({ name, op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(shape) } } } });
const intConst = (name: string, shape: number[]) => ({ name, op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: dims(shape) } } } });

/**
 * A graph model in the TensorFlow.js converter's format, as a MobileNet-like backbone would be
 * converted (NHWC): Pad (asymmetric) → _FusedConv2D (BiasAdd + Relu6, 3 × 3 stride 2 VALID) →
 * FusedDepthwiseConv2dNative (BiasAdd + Relu, stride 2 SAME on 8 × 8: one cell of padding, after —
 * TensorFlow's asymmetric SAME) → DepthwiseConv2dNative (multiplier 2, SAME) → BiasAdd → Relu → Conv2D 1 × 1 →
 * FusedBatchNormV3 → AddV2 with a 1 × 1 projection of the same maps (a residual) → Mul / Sub by
 * constants → MaxPool 3 × 3 stride 1 SAME → AvgPool 2 × 2 VALID → Mean over height and width →
 * Reshape → MatMul → Softmax (the classifier, cut off as a backbone). `extra` is appended before
 * the Mean (a node reading "pool/avg" and named "extra"), to put an op the exporter does not take on the path.
 */
export function writeGraphModel(options: { side: number; channels: number; extra?: object } = { side: 16, channels: 1 }): string {
  const { side, channels } = options;
  const dir = temp('image-onnx-graph-');
  const rng = new Rng(11);
  const weights: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32'; values: Float32Array | Int32Array }> = [];
  const add = (name: string, shape: number[], scale: number, offset = 0) => {
    const n = shape.reduce((a, b) => a * b, 1);
    weights.push({ name, shape, dtype: 'float32', values: Float32Array.from({ length: n }, () => offset + (rng.next() * 2 - 1) * scale) });
    return floatConst(name, shape);
  };
  const addInts = (name: string, shape: number[], values: number[]) => {
    weights.push({ name, shape, dtype: 'int32', values: Int32Array.from(values) });
    return intConst(name, shape);
  };
  const conv = { strides: ints([1, 1, 1, 1]), data_format: { s: b64('NHWC') }, dilations: ints([1, 1, 1, 1]) };
  const fused = (ops: string[]) => ({ fused_ops: { list: { s: ops.map(b64) } }, num_args: { i: String(ops.length > 0 ? 1 : 0) } });
  const nodes: object[] = [
    { name: 'input', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims([-1, side, side, channels]) } } },
    addInts('pad/paddings', [4, 2], [0, 0, 0, 1, 1, 0, 0, 0]),
    { name: 'pad', op: 'Pad', input: ['input', 'pad/paddings'], attr: { ...T, Tpaddings: { type: 'DT_INT32' } } },
    add('conv1/filter', [3, 3, channels, 6], 0.5),
    add('conv1/bias', [6], 0.2),
    { name: 'conv1', op: '_FusedConv2D', input: ['pad', 'conv1/filter', 'conv1/bias'], attr: { ...T, ...conv, strides: ints([1, 2, 2, 1]), padding: { s: b64('VALID') }, ...fused(['BiasAdd', 'Relu6']), epsilon: { f: 0 } } },
    add('dw1/filter', [3, 3, 6, 1], 0.5),
    add('dw1/bias', [6], 0.2),
    { name: 'dw1', op: 'FusedDepthwiseConv2dNative', input: ['conv1', 'dw1/filter', 'dw1/bias'], attr: { ...T, ...conv, strides: ints([1, 2, 2, 1]), padding: { s: b64('SAME') }, ...fused(['BiasAdd', 'Relu']) } },
    add('dw2/filter', [3, 3, 6, 2], 0.5),
    { name: 'dw2', op: 'DepthwiseConv2dNative', input: ['dw1', 'dw2/filter'], attr: { ...T, ...conv, padding: { s: b64('SAME') } } },
    add('dw2/bias', [12], 0.2),
    { name: 'dw2/BiasAdd', op: 'BiasAdd', input: ['dw2', 'dw2/bias'], attr: { ...T, data_format: { s: b64('NHWC') } } },
    { name: 'dw2/Relu', op: 'Relu', input: ['dw2/BiasAdd'], attr: T },
    add('pw/filter', [1, 1, 12, 8], 0.4),
    { name: 'pw', op: 'Conv2D', input: ['dw2/Relu', 'pw/filter'], attr: { ...T, ...conv, padding: { s: b64('SAME') } } },
    add('bn/scale', [8], 0.3, 1),
    add('bn/offset', [8], 0.2),
    add('bn/mean', [8], 0.2),
    add('bn/variance', [8], 0.3, 1),
    { name: 'bn', op: 'FusedBatchNormV3', input: ['pw', 'bn/scale', 'bn/offset', 'bn/mean', 'bn/variance'], attr: { ...T, U: { type: 'DT_FLOAT' }, epsilon: { f: 0.001 }, data_format: { s: b64('NHWC') }, is_training: { b: false } } },
    add('skip/filter', [1, 1, 12, 8], 0.4),
    { name: 'skip', op: 'Conv2D', input: ['dw2/Relu', 'skip/filter'], attr: { ...T, ...conv, padding: { s: b64('VALID') } } },
    { name: 'residual', op: 'AddV2', input: ['bn', 'skip'], attr: T },
    add('scale', [8], 0.5, 1),
    { name: 'scaled', op: 'Mul', input: ['residual', 'scale'], attr: T },
    add('shift', [8], 0.1),
    { name: 'shifted', op: 'Sub', input: ['scaled', 'shift'], attr: T },
    { name: 'pool/max', op: 'MaxPool', input: ['shifted'], attr: { ...T, ksize: ints([1, 3, 3, 1]), strides: ints([1, 1, 1, 1]), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') } } },
    { name: 'pool/avg', op: 'AvgPool', input: ['pool/max'], attr: { ...T, ksize: ints([1, 2, 2, 1]), strides: ints([1, 2, 2, 1]), padding: { s: b64('VALID') }, data_format: { s: b64('NHWC') } } },
  ];
  let last = 'pool/avg';
  if (options.extra) {
    nodes.push(options.extra);
    last = 'extra';
  }
  nodes.push(
    addInts('mean/axes', [2], [1, 2]),
    { name: 'mean', op: 'Mean', input: [last, 'mean/axes'], attr: { ...T, Tidx: { type: 'DT_INT32' }, keep_dims: { b: true } } },
    addInts('flat/shape', [2], [-1, 8]),
    { name: 'flat', op: 'Reshape', input: ['mean', 'flat/shape'], attr: { ...T, Tshape: { type: 'DT_INT32' } } },
    add('logits/kernel', [8, 4], 0.5),
    { name: 'logits', op: 'MatMul', input: ['flat', 'logits/kernel'], attr: { ...T, transpose_a: { b: false }, transpose_b: { b: false } } },
    { name: 'probabilities', op: 'Softmax', input: ['logits'], attr: T },
  );
  const json = {
    format: 'graph-model',
    generatedBy: 'hand (test/workers/export/image-onnx.test.ts)',
    convertedBy: null,
    modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.concat(weights.map((w) => Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength))));
  return dir;
}
