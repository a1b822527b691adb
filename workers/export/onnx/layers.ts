/**
 * One converter per TensorFlow.js (Keras) layer class, each writing the layer's computation as
 * ONNX nodes. Tensors keep TensorFlow.js's layout (channels last) between layers; layers that ONNX
 * defines channels-first (Conv, pooling) transpose in and out, which ONNX Runtime's optimiser
 * folds away between consecutive convolutions.
 *
 * Adding a layer = one entry in `CONVERTERS`; a model with a layer not listed is refused with its
 * name, never exported half-right.
 */
import type { GraphBuilder } from './graph.js';
import type { LayerNode, Weight } from './tfjs-model.js';
import { convPadding } from './padding.js';
import { convertGraphBackbone } from './tf-graph.js';

/** What a converter may use: the graph, the layer's weights by short name (`kernel`, `bias`…). */
export interface ConvertContext {
  g: GraphBuilder;
  /** The layer's weight `short` (`dense_1/kernel` for `kernel`); throws when absent. */
  weight(layer: LayerNode, short: string): Weight;
  /** True when the layer has that weight. */
  hasWeight(layer: LayerNode, short: string): boolean;
  /** Rank of a tensor including the batch dimension. */
  rank(tensor: string): number;
}

/** Converts one layer: its input tensor names → its output tensor names, and their ranks. */
export type LayerConverter = (layer: LayerNode, inputs: string[], ctx: ConvertContext) => Array<{ name: string; rank: number }>;

const str = (layer: LayerNode, key: string, fallback: string): string => (typeof layer.config[key] === 'string' ? (layer.config[key] as string) : fallback);
const nums = (layer: LayerNode, key: string, fallback: number[]): number[] => {
  const value = layer.config[key];
  return Array.isArray(value) ? value.map(Number) : typeof value === 'number' ? fallback.map(() => value) : fallback;
};

/** Keras activation names → ONNX. Returns the input unchanged for `linear`. */
export function activation(g: GraphBuilder, name: string, x: string): string {
  switch (name) {
    case 'linear':
    case undefined:
      return x;
    case 'relu':
      return g.op('Relu', [x]);
    case 'relu6':
      return g.op('Clip', [x, g.floats('zero', [0], []), g.floats('six', [6], [])]);
    case 'sigmoid':
      return g.op('Sigmoid', [x]);
    case 'hard_sigmoid':
    case 'hardSigmoid':
      // TensorFlow.js: clip(0.2·x + 0.5, 0, 1), ONNX HardSigmoid with the same constants.
      return g.op('HardSigmoid', [x], { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'softmax':
      return g.op('Softmax', [x], { axis: -1 });
    case 'tanh':
      return g.op('Tanh', [x]);
    case 'elu':
      return g.op('Elu', [x], { alpha: { float: 1 } });
    case 'selu':
      return g.op('Selu', [x]);
    case 'softplus':
      return g.op('Softplus', [x]);
    case 'softsign':
      return g.op('Softsign', [x]);
    case 'swish':
      return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    default:
      throw new Error(`activation "${name}" has no ONNX conversion`);
  }
}

const identity: LayerConverter = (_layer, inputs, ctx) => [{ name: inputs[0]!, rank: ctx.rank(inputs[0]!) }];

/** channels-last ↔ channels-first permutations for a tensor of `rank` (batch, spatial…, channels). */
const toChannelsFirst = (rank: number) => [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
const toChannelsLast = (rank: number) => [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];

/** Runs a channels-first ONNX operator on a channels-last tensor. */
function channelsFirst(ctx: ConvertContext, x: string, run: (nchw: string) => string): string {
  const rank = ctx.rank(x);
  const nchw = ctx.g.op('Transpose', [x], { perm: toChannelsFirst(rank) });
  return ctx.g.op('Transpose', [run(nchw)], { perm: toChannelsLast(rank) });
}

/** Keras `same` pads the extra cell at the end: ONNX SAME_UPPER. */
const autoPad = (layer: LayerNode) => (str(layer, 'padding', 'valid') === 'same' ? 'SAME_UPPER' : 'VALID');


function convolution(spatial: number): LayerConverter {
  return (layer, inputs, ctx) => {
    if (str(layer, 'data_format', 'channels_last') !== 'channels_last') throw new Error(`${layer.className} with data_format channels_first is not converted`);
    const kernel = ctx.weight(layer, 'kernel'); // [k…, in, out]
    const out = kernel.shape[kernel.shape.length - 1]!;
    const inChannels = kernel.shape[kernel.shape.length - 2]!;
    const k = kernel.shape.slice(0, spatial);
    // ONNX wants [out, in, k…]: transpose the constant here rather than in the graph.
    const cells = k.reduce((a, b) => a * b, 1);
    const w = new Float32Array(kernel.values.length);
    for (let c = 0; c < cells; c++)
      for (let i = 0; i < inChannels; i++) for (let o = 0; o < out; o++) w[(o * inChannels + i) * cells + c] = kernel.values[(c * inChannels + i) * out + o]!;
    const weights = [ctx.g.floats(`${layer.name}_kernel`, w, [out, inChannels, ...k])];
    if (layer.config.use_bias !== false && ctx.hasWeight(layer, 'bias')) weights.push(ctx.g.floats(`${layer.name}_bias`, ctx.weight(layer, 'bias').values, [out]));
    const strides = nums(layer, 'strides', k.map(() => 1));
    const dilations = nums(layer, 'dilation_rate', k.map(() => 1));
    const y = channelsFirst(ctx, inputs[0]!, (x) =>
      ctx.g.op('Conv', [x, ...weights], { kernel_shape: k, strides, dilations, ...convPadding(autoPad(layer) === 'SAME_UPPER', k, strides, dilations) }),
    );
    return [{ name: activation(ctx.g, str(layer, 'activation', 'linear'), y), rank: spatial + 2 }];
  };
}

function pooling(op: 'MaxPool' | 'AveragePool', spatial: number): LayerConverter {
  return (layer, inputs, ctx) => {
    const size = nums(layer, 'pool_size', Array.from({ length: spatial }, () => 2));
    const strides = layer.config.strides == null ? size : nums(layer, 'strides', size);
    const y = channelsFirst(ctx, inputs[0]!, (x) => ctx.g.op(op, [x], { kernel_shape: size, strides, auto_pad: autoPad(layer) }));
    return [{ name: y, rank: spatial + 2 }];
  };
}

/** Global pooling over the spatial axes of a channels-last tensor. */
function globalPooling(op: 'ReduceMean' | 'ReduceMax', spatial: number): LayerConverter {
  return (_layer, inputs, ctx) => [{ name: ctx.g.op(op, [inputs[0]!], { axes: Array.from({ length: spatial }, (_, i) => i + 1), keepdims: 0 }), rank: 2 }];
}

function elementwise(op: 'Add' | 'Mul' | 'Sub' | 'Max' | 'Min'): LayerConverter {
  return (_layer, inputs, ctx) => {
    let y = inputs[0]!;
    for (const x of inputs.slice(1)) y = ctx.g.op(op, [y, x]);
    return [{ name: y, rank: ctx.rank(inputs[0]!) }];
  };
}

/**
 * A depthwise kernel [k…, in, multiplier] (TensorFlow's layout: output channel c · multiplier + m
 * reads input channel c) as ONNX grouped-convolution weights [in · multiplier, 1, k…], group = in.
 */
function depthwiseWeights(kernel: Weight): { w: Float32Array; dims: number[]; groups: number } {
  const [kh, kw, inChannels, multiplier] = kernel.shape as [number, number, number, number];
  const w = new Float32Array(kernel.values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < inChannels; c++)
        for (let m = 0; m < multiplier; m++) w[(c * multiplier + m) * kh * kw + y * kw + x] = kernel.values[((y * kw + x) * inChannels + c) * multiplier + m]!;
  return { w, dims: [inChannels * multiplier, 1, kh, kw], groups: inChannels };
}

/** Keras DepthwiseConv2D: one kernel per input channel (depth_multiplier outputs each), then bias and activation. */
const depthwiseConvolution: LayerConverter = (layer, inputs, ctx) => {
  if (str(layer, 'data_format', 'channels_last') !== 'channels_last') throw new Error('data_format channels_first is not converted');
  // TensorFlow.js 4.22's DepthwiseConv2D never applies dilation_rate (it passes none to the kernel).
  if (nums(layer, 'dilation_rate', [1, 1]).some((d) => d !== 1)) throw new Error('dilation_rate is ignored by TensorFlow.js for this layer, so the version does not compute what Keras would; it is not converted');
  const { w, dims, groups } = depthwiseWeights(ctx.weight(layer, 'depthwise_kernel'));
  const weights = [ctx.g.floats(`${layer.name}_depthwise`, w, dims)];
  if (layer.config.use_bias !== false && ctx.hasWeight(layer, 'bias')) weights.push(ctx.g.floats(`${layer.name}_bias`, ctx.weight(layer, 'bias').values, [dims[0]!]));
  const y = channelsFirst(ctx, inputs[0]!, (x) =>
    ctx.g.op('Conv', [x, ...weights], { kernel_shape: dims.slice(2), strides: nums(layer, 'strides', [1, 1]), group: groups, auto_pad: autoPad(layer) }),
  );
  return [{ name: activation(ctx.g, str(layer, 'activation', 'linear'), y), rank: 4 }];
};

/** Keras SeparableConv2D: the depthwise convolution (strides, padding, dilation), a 1 × 1 pointwise one, bias, activation. */
const separableConvolution: LayerConverter = (layer, inputs, ctx) => {
  if (str(layer, 'data_format', 'channels_last') !== 'channels_last') throw new Error('data_format channels_first is not converted');
  const { w, dims, groups } = depthwiseWeights(ctx.weight(layer, 'depthwise_kernel'));
  const pointwise = ctx.weight(layer, 'pointwise_kernel'); // [1, 1, in · multiplier, out]
  const [, , mid, out] = pointwise.shape as [number, number, number, number];
  const p = new Float32Array(pointwise.values.length);
  for (let i = 0; i < mid; i++) for (let o = 0; o < out; o++) p[o * mid + i] = pointwise.values[i * out + o]!;
  const pointwiseWeights = [ctx.g.floats(`${layer.name}_pointwise`, p, [out, mid, 1, 1])];
  if (layer.config.use_bias !== false && ctx.hasWeight(layer, 'bias')) pointwiseWeights.push(ctx.g.floats(`${layer.name}_bias`, ctx.weight(layer, 'bias').values, [out]));
  const y = channelsFirst(ctx, inputs[0]!, (x) => {
    const [strides, dilations] = [nums(layer, 'strides', [1, 1]), nums(layer, 'dilation_rate', [1, 1])];
    const depthwise = ctx.g.op('Conv', [x, ctx.g.floats(`${layer.name}_depthwise`, w, dims)], {
      kernel_shape: dims.slice(2),
      strides,
      dilations,
      group: groups,
      ...convPadding(autoPad(layer) === 'SAME_UPPER', dims.slice(2), strides, dilations),
    });
    return ctx.g.op('Conv', [depthwise, ...pointwiseWeights], { kernel_shape: [1, 1] });
  });
  return [{ name: activation(ctx.g, str(layer, 'activation', 'linear'), y), rank: 4 }];
};

/**
 * Keras `padding` of ZeroPadding / Cropping layers as [before, after] per spatial axis: an integer
 * (the same everywhere), one integer per axis (both sides), or [before, after] pairs.
 */
function sidePairs(value: unknown, spatial: number, fallback: number): Array<[number, number]> {
  if (value == null) return Array.from({ length: spatial }, () => [fallback, fallback]);
  if (typeof value === 'number') return Array.from({ length: spatial }, () => [value, value]);
  const list = value as unknown[];
  if (spatial === 1 && list.length === 2 && list.every((v) => typeof v === 'number')) return [[Number(list[0]), Number(list[1])]];
  if (list.length !== spatial) throw new Error(`padding ${JSON.stringify(value)} does not have ${spatial} entries`);
  return list.map((v): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)]));
}

/** ZeroPadding1D/2D: zeros before and after each spatial axis of a channels-last tensor. */
function zeroPadding(spatial: number): LayerConverter {
  return (layer, inputs, ctx) => {
    if (str(layer, 'data_format', 'channels_last') !== 'channels_last') throw new Error('data_format channels_first is not converted');
    const pairs = sidePairs(layer.config.padding, spatial, 1);
    const pads = [0, ...pairs.map((p) => p[0]), 0, 0, ...pairs.map((p) => p[1]), 0];
    return [{ name: ctx.g.op('Pad', [inputs[0]!, ctx.g.int64s('pads', pads)], { mode: 'constant' }), rank: spatial + 2 }];
  };
}

/** Cropping2D: rows and columns cut from each side of a channels-last tensor. */
const cropping2d: LayerConverter = (layer, inputs, ctx) => {
  if (str(layer, 'data_format', 'channels_last') !== 'channels_last') throw new Error('data_format channels_first is not converted');
  const [[top, bottom], [left, right]] = sidePairs(layer.config.cropping, 2, 0) as [[number, number], [number, number]];
  // An end of -n drops the last n; 0 would drop everything, so "to the end" is the largest int64 ONNX takes.
  const end = (n: number) => (n > 0 ? -n : Number.MAX_SAFE_INTEGER);
  const y = ctx.g.op('Slice', [inputs[0]!, ctx.g.int64s('starts', [top, left]), ctx.g.int64s('ends', [end(bottom), end(right)]), ctx.g.int64s('axes', [1, 2])]);
  return [{ name: y, rank: 4 }];
};

export const CONVERTERS: Record<string, LayerConverter> = {
  Dense(layer, inputs, ctx) {
    const kernel = ctx.weight(layer, 'kernel');
    let y = ctx.g.op('MatMul', [inputs[0]!, ctx.g.floats(`${layer.name}_kernel`, kernel.values, kernel.shape)]);
    if (layer.config.use_bias !== false) y = ctx.g.op('Add', [y, ctx.g.floats(`${layer.name}_bias`, ctx.weight(layer, 'bias').values, [kernel.shape[1]!])]);
    return [{ name: activation(ctx.g, str(layer, 'activation', 'linear'), y), rank: ctx.rank(inputs[0]!) }];
  },
  Activation: (layer, inputs, ctx) => [{ name: activation(ctx.g, str(layer, 'activation', 'linear'), inputs[0]!), rank: ctx.rank(inputs[0]!) }],
  ReLU(layer, inputs, ctx) {
    // Keras: max_value above it, x from threshold up, negative_slope · (x − threshold) below.
    // TensorFlow.js (which trains and predicts with the version) reads max_value only and computes
    // min(max(x, 0), max_value): with a slope or threshold the two disagree, so none is exported.
    const slope = Number(layer.config.negative_slope ?? 0);
    const threshold = Number(layer.config.threshold ?? 0);
    if (slope !== 0 || threshold !== 0) {
      throw new Error(`negative_slope ${slope} / threshold ${threshold} are applied by Keras but ignored by TensorFlow.js, which computes this version's predictions, so no single conversion matches both`);
    }
    if (layer.config.max_value != null) {
      const y = ctx.g.op('Clip', [inputs[0]!, ctx.g.floats('zero', [0], []), ctx.g.floats('max', [Number(layer.config.max_value)], [])]);
      return [{ name: y, rank: ctx.rank(inputs[0]!) }];
    }
    return [{ name: ctx.g.op('Relu', [inputs[0]!]), rank: ctx.rank(inputs[0]!) }];
  },
  LeakyReLU: (layer, inputs, ctx) => [{ name: ctx.g.op('LeakyRelu', [inputs[0]!], { alpha: { float: Number(layer.config.alpha ?? 0.3) } }), rank: ctx.rank(inputs[0]!) }],
  Softmax: (layer, inputs, ctx) => [{ name: ctx.g.op('Softmax', [inputs[0]!], { axis: Number(layer.config.axis ?? -1) }), rank: ctx.rank(inputs[0]!) }],
  Add: elementwise('Add'),
  Multiply: elementwise('Mul'),
  Subtract: elementwise('Sub'),
  Maximum: elementwise('Max'),
  Minimum: elementwise('Min'),
  Average(layer, inputs, ctx) {
    const [sum] = elementwise('Add')(layer, inputs, ctx);
    return [{ name: ctx.g.op('Div', [sum!.name, ctx.g.floats('count', [inputs.length], [])]), rank: sum!.rank }];
  },
  Concatenate: (layer, inputs, ctx) => [{ name: ctx.g.op('Concat', inputs, { axis: Number(layer.config.axis ?? -1) }), rank: ctx.rank(inputs[0]!) }],
  // Inference-time no-ops.
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  Flatten: (_layer, inputs, ctx) => [{ name: ctx.g.op('Flatten', [inputs[0]!], { axis: 1 }), rank: 2 }],
  Reshape(layer, inputs, ctx) {
    const target = nums(layer, 'target_shape', []);
    // 0 keeps the batch dimension as it is.
    return [{ name: ctx.g.op('Reshape', [inputs[0]!, ctx.g.int64s('shape', [0, ...target])]), rank: target.length + 1 }];
  },
  Conv1D: convolution(1),
  Conv2D: convolution(2),
  DepthwiseConv2D: depthwiseConvolution,
  SeparableConv2D: separableConvolution,
  ZeroPadding1D: zeroPadding(1),
  ZeroPadding2D: zeroPadding(2),
  Cropping2D: cropping2d,
  GraphBackbone: convertGraphBackbone,
  MaxPooling1D: pooling('MaxPool', 1),
  MaxPooling2D: pooling('MaxPool', 2),
  AveragePooling1D: pooling('AveragePool', 1),
  AveragePooling2D: pooling('AveragePool', 2),
  GlobalAveragePooling1D: globalPooling('ReduceMean', 1),
  GlobalAveragePooling2D: globalPooling('ReduceMean', 2),
  GlobalMaxPooling1D: globalPooling('ReduceMax', 1),
  GlobalMaxPooling2D: globalPooling('ReduceMax', 2),
  BatchNormalization(layer, inputs, ctx) {
    const axis = Number(layer.config.axis ?? -1);
    const rank = ctx.rank(inputs[0]!);
    if (axis !== -1 && axis !== rank - 1) throw new Error(`BatchNormalization over axis ${axis} is not converted (only the last axis)`);
    // Folded to y = x·scale + shift, computed in float64 from the moving statistics.
    const mean = ctx.weight(layer, 'moving_mean').values;
    const variance = ctx.weight(layer, 'moving_variance').values;
    const gamma = ctx.hasWeight(layer, 'gamma') ? ctx.weight(layer, 'gamma').values : null;
    const beta = ctx.hasWeight(layer, 'beta') ? ctx.weight(layer, 'beta').values : null;
    const epsilon = Number(layer.config.epsilon ?? 1e-3);
    const scale = Float32Array.from(mean, (_, i) => (gamma?.[i] ?? 1) / Math.sqrt(variance[i]! + epsilon));
    const shift = Float32Array.from(mean, (m, i) => (beta?.[i] ?? 0) - m * scale[i]!);
    const y = ctx.g.op('Add', [ctx.g.op('Mul', [inputs[0]!, ctx.g.floats(`${layer.name}_scale`, scale, [scale.length])]), ctx.g.floats(`${layer.name}_shift`, shift, [shift.length])]);
    return [{ name: y, rank }];
  },
  Embedding(layer, inputs, ctx) {
    const table = ctx.weight(layer, 'embeddings');
    const ids = ctx.g.op('Cast', [inputs[0]!], { to: 7 /* INT64 */ });
    return [{ name: ctx.g.op('Gather', [ctx.g.floats(`${layer.name}_embeddings`, table.values, table.shape), ids], { axis: 0 }), rank: ctx.rank(inputs[0]!) + 1 }];
  },
};
