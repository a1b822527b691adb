/**
 * TensorFlow graphs as ONNX: the frozen GraphDef a graph-model backbone carries inside a version
 * (workers/image/backbone-graph.ts: the `GraphBackbone` layer holds the converter's model.json
 * topology hex-encoded in its config, and the graph's constants as its weights c0, c1, … in the
 * order of the payload's `weights`). The nodes the feature node depends on — and only those — are
 * converted one by one from the graph's input; a graph using an op outside `OPS` is refused with
 * the ops named, before anything is written. Tensors stay NHWC as in TensorFlow: convolutions and
 * pooling transpose to ONNX's NCHW and back, so elementwise ops broadcast exactly as in TensorFlow.
 *
 * Padding: TensorFlow's SAME puts the odd cell of padding after (at the bottom / right), which is
 * ONNX's SAME_UPPER; VALID pads nothing; EXPLICIT gives the pads per side (`explicit_paddings`).
 * Static shapes are tracked beside the tensors (the batch unknown) to resolve what TensorFlow
 * leaves implicit — a squeeze without axes, a reshape's -1 — and to check the result's shape.
 */
import { UserInputError } from '../../protocol.js';
import type { GraphBuilder } from './graph.js';
import type { LayerConverter } from './layers.js';
import { convPadding } from './padding.js';
import type { Weight } from './tfjs-model.js';

/** A GraphDef attribute as the TensorFlow.js converter writes it (strings base64, integers as strings). */
interface AttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: Array<string | number>; f?: number[] };
}

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
}

/** What the `GraphBackbone` layer's config carries (backbone-graph.ts `Payload`). */
interface Payload {
  topology: { node?: GraphNode[] };
  weights: Array<{ name: string; shape: number[]; dtype: string }>;
  inputNode: string;
  outputNode: string;
  featureShape: Array<number | null>;
}

type Dim = number | null;

/** A converted tensor: its ONNX name (made on first use for constants), static shape, and a constant's values. */
interface Value {
  onnx?: string;
  shape: Dim[];
  constant?: { values: Float32Array; ints?: Int32Array };
}

const textOf = (a: AttrValue | undefined) => (a?.s === undefined ? undefined : Buffer.from(a.s, 'base64').toString('utf8'));
const intsOf = (a: AttrValue | undefined) => (a?.list?.i ?? []).map(Number);

/** Elementwise binary ops: TensorFlow → ONNX (both broadcast the same way). */
const BINARY: Record<string, string> = { Add: 'Add', AddV2: 'Add', BiasAdd: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div', Div: 'Div', Maximum: 'Max', Minimum: 'Min', Pow: 'Pow' };
/** One-input ops that are one ONNX op with the same meaning. */
const UNARY: Record<string, string> = { Relu: 'Relu', Sigmoid: 'Sigmoid', Tanh: 'Tanh', Elu: 'Elu', Selu: 'Selu', Softplus: 'Softplus', Sqrt: 'Sqrt', Exp: 'Exp', Log: 'Log', Neg: 'Neg', Abs: 'Abs', Floor: 'Floor', Ceil: 'Ceil', Reciprocal: 'Reciprocal' };
const REDUCE: Record<string, string> = { Mean: 'ReduceMean', Max: 'ReduceMax', Min: 'ReduceMin', Sum: 'ReduceSum', Prod: 'ReduceProd' };
const PASS = new Set(['Identity', 'IdentityN', 'Snapshot', 'StopGradient', 'PlaceholderWithDefault', 'EnsureShape']);

/** Every op the converter takes. */
export const OPS = [
  'Placeholder',
  'Const',
  ...PASS,
  'Conv2D',
  '_FusedConv2D',
  'DepthwiseConv2dNative',
  'DepthwiseConv2d',
  'FusedDepthwiseConv2dNative',
  'MatMul',
  '_FusedMatMul',
  ...Object.keys(BINARY),
  'AddN',
  'SquaredDifference',
  ...Object.keys(UNARY),
  'Relu6',
  'LeakyRelu',
  'Rsqrt',
  'Square',
  'Softmax',
  'FusedBatchNorm',
  'FusedBatchNormV2',
  'FusedBatchNormV3',
  ...Object.keys(REDUCE),
  'AvgPool',
  'MaxPool',
  'Pad',
  'PadV2',
  'MirrorPad',
  'Reshape',
  'Squeeze',
  'ExpandDims',
  'ConcatV2',
];
const SUPPORTED = new Set(OPS);

/** `name:k` → [name, k]; control inputs (`^name`) are not data. */
function parseRef(ref: string): [string, number] {
  const at = ref.lastIndexOf(':');
  return at > 0 && /^\d+$/.test(ref.slice(at + 1)) ? [ref.slice(0, at), Number(ref.slice(at + 1))] : [ref, 0];
}

/** Converts the graph held by a `GraphBackbone` layer, from its input tensor to its feature node. */
export const convertGraphBackbone: LayerConverter = (layer, inputs, ctx) => {
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(String(layer.config.graph ?? ''), 'hex').toString('utf8')) as Payload;
  } catch {
    throw new Error('its embedded graph cannot be read (the version is damaged)');
  }
  const constants = new Map<string, Weight>();
  payload.weights.forEach((w, i) => constants.set(w.name, ctx.weight(layer, `c${i}`)));
  const converter = new TfGraph(ctx.g, payload, constants, layer.name);
  const output = converter.convert(inputs[0]!, ctx.rank(inputs[0]!));
  return [{ name: output.name, rank: output.rank }];
};

class TfGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly values = new Map<string, Value>();

  constructor(
    private readonly g: GraphBuilder,
    private readonly payload: Payload,
    private readonly constants: Map<string, Weight>,
    private readonly layerName: string,
  ) {
    for (const node of payload.topology.node ?? []) this.nodes.set(node.name, node);
  }

  /** The nodes `output` depends on, inputs first. */
  private needed(output: string): GraphNode[] {
    const order: GraphNode[] = [];
    const seen = new Set<string>();
    const stack: Array<{ name: string; expanded: boolean }> = [{ name: output, expanded: false }];
    while (stack.length) {
      const top = stack.pop()!;
      const node = this.nodes.get(top.name);
      if (!node) throw new UserInputError(`The graph-model backbone "${this.layerName}" refers to a node "${top.name}" its graph does not have: the version is damaged. Train it again.`);
      if (top.expanded) {
        order.push(node);
        continue;
      }
      if (seen.has(top.name)) continue;
      seen.add(top.name);
      stack.push({ name: top.name, expanded: true });
      if (top.name === parseRef(this.payload.inputNode)[0]) continue;
      for (const ref of node.input ?? []) if (!ref.startsWith('^') && !seen.has(parseRef(ref)[0])) stack.push({ name: parseRef(ref)[0], expanded: false });
    }
    return order;
  }

  convert(input: string, rank: number): { name: string; rank: number } {
    const [outputNode, outputIndex] = parseRef(this.payload.outputNode);
    const order = this.needed(outputNode);
    const unsupported = [...new Set(order.map((n) => n.op).filter((op) => !SUPPORTED.has(op)))];
    if (unsupported.length) {
      throw new UserInputError(
        `The graph-model backbone uses TensorFlow operation(s) ${unsupported.join(', ')} (in ${order.filter((n) => unsupported.includes(n.op)).slice(0, 3).map((n) => `"${n.name}"`).join(', ')}), which the ONNX exporter does not convert (it converts ${OPS.join(', ')}). Export the version in the TensorFlow.js format instead (--format tfjs).`,
      );
    }
    const inputName = parseRef(this.payload.inputNode)[0];
    for (const node of order) {
      try {
        if (node.name === inputName) this.values.set(node.name, { onnx: input, shape: this.placeholderShape(node, rank) });
        else this.values.set(node.name, this.node(node));
      } catch (error) {
        if (error instanceof UserInputError) throw error;
        throw new UserInputError(`The graph-model backbone's node "${node.name}" (${node.op}) cannot be exported to ONNX: ${(error as Error).message}. Export the version in the TensorFlow.js format instead (--format tfjs).`);
      }
    }
    if (outputIndex !== 0) throw new UserInputError(`The backbone's feature node "${this.payload.outputNode}" is a secondary output, which the ONNX exporter does not convert. Export the version in the TensorFlow.js format instead (--format tfjs).`);
    const out = this.values.get(outputNode)!;
    const expected = [null, ...this.payload.featureShape];
    const agrees = out.shape.length === expected.length && out.shape.every((d, i) => d === null || expected[i] === null || d === expected[i]);
    if (!agrees) throw new Error(`the converted graph gives values of shape [${out.shape.map((d) => d ?? '?').join(', ')}] where the version recorded [${expected.map((d) => d ?? '?').join(', ')}]; this is a bug in the exporter`);
    return { name: this.tensor(out, 'feature'), rank: out.shape.length };
  }

  private placeholderShape(node: GraphNode, rank: number): Dim[] {
    const dims = (node.attr?.shape as { shape?: { dim?: Array<{ size?: string | number }> } } | undefined)?.shape?.dim;
    if (!dims || dims.length !== rank) return Array.from({ length: rank }, () => null);
    return dims.map((d, i) => (i === 0 || Number(d.size ?? -1) < 0 ? null : Number(d.size)));
  }

  /** The value of input `k` of `node`. */
  private arg(node: GraphNode, k: number): Value {
    const refs = (node.input ?? []).filter((r) => !r.startsWith('^'));
    const ref = refs[k];
    if (ref === undefined) throw new Error(`it has no input ${k}`);
    const [name, index] = parseRef(ref);
    if (index !== 0) {
      const from = this.nodes.get(name);
      // FusedBatchNorm's other outputs are the batch statistics, unused at inference.
      throw new Error(`it reads output ${index} of "${name}" (${from?.op}), which is not converted`);
    }
    return this.values.get(name)!;
  }

  private args(node: GraphNode): Value[] {
    return (node.input ?? []).filter((r) => !r.startsWith('^')).map((_, k) => this.arg(node, k));
  }

  /** A value's ONNX tensor; a constant becomes a float initializer the first time it is used as a tensor. */
  private tensor(v: Value, prefix = 'const'): string {
    if (v.onnx) return v.onnx;
    v.onnx = this.g.floats(prefix, v.constant!.values, v.shape as number[]);
    return v.onnx;
  }

  /** A constant input's integers (axes, paddings, shapes). */
  private ints(node: GraphNode, k: number, what: string): number[] {
    const v = this.arg(node, k);
    if (!v.constant) throw new Error(`its ${what} is computed in the graph, not a constant`);
    return Array.from(v.constant.ints ?? v.constant.values);
  }

  /** A constant input's float values with its shape. */
  private floats(node: GraphNode, k: number, what: string): { values: Float32Array; shape: number[] } {
    const v = this.arg(node, k);
    if (!v.constant) throw new Error(`its ${what} is computed in the graph, not a constant`);
    return { values: v.constant.values, shape: v.shape as number[] };
  }

  private op(type: string, inputs: string[], attributes: Parameters<GraphBuilder['op']>[2] = {}): string {
    return this.g.op(type, inputs, attributes);
  }

  private node(node: GraphNode): Value {
    const a = node.attr ?? {};
    const format = textOf(a.data_format);
    if (format && format !== 'NHWC' && format !== 'NWC') throw new Error(`data_format ${format} is not converted (only NHWC)`);
    const op = node.op;
    if (op === 'Const') {
      const weight = this.constants.get(node.name);
      if (!weight) throw new Error('the constant has no value among the version weights');
      return { shape: weight.shape, constant: { values: weight.values, ...(weight.ints ? { ints: weight.ints } : {}) } };
    }
    if (op === 'Placeholder') throw new Error(`it is an input other than the backbone's own ("${this.payload.inputNode}")`);
    if (PASS.has(op)) return this.arg(node, 0);
    if (op in BINARY) {
      const [x, y] = [this.arg(node, 0), this.arg(node, 1)];
      return { onnx: this.op(BINARY[op]!, [this.tensor(x), this.tensor(y)]), shape: broadcast(x.shape, y.shape) };
    }
    if (op === 'SquaredDifference') {
      const [x, y] = [this.arg(node, 0), this.arg(node, 1)];
      const d = this.op('Sub', [this.tensor(x), this.tensor(y)]);
      return { onnx: this.op('Mul', [d, d]), shape: broadcast(x.shape, y.shape) };
    }
    if (op === 'AddN') {
      const all = this.args(node);
      return { onnx: all.length === 1 ? this.tensor(all[0]!) : this.op('Sum', all.map((v) => this.tensor(v))), shape: all.map((v) => v.shape).reduce(broadcast) };
    }
    if (op in UNARY) {
      const x = this.arg(node, 0);
      return { onnx: this.op(UNARY[op]!, [this.tensor(x)], op === 'Elu' ? { alpha: { float: 1 } } : {}), shape: x.shape };
    }
    if (op === 'Relu6' || op === 'LeakyRelu' || op === 'Rsqrt' || op === 'Square' || op === 'Softmax') {
      const x = this.arg(node, 0);
      const t = this.tensor(x);
      const alpha = a.alpha?.f ?? 0.2;
      const y =
        op === 'Relu6'
          ? this.relu6(t)
          : op === 'LeakyRelu'
            ? this.op('LeakyRelu', [t], { alpha: { float: alpha } })
            : op === 'Rsqrt'
              ? this.op('Reciprocal', [this.op('Sqrt', [t])])
              : op === 'Square'
                ? this.op('Mul', [t, t])
                : this.op('Softmax', [t], { axis: -1 });
      return { onnx: y, shape: x.shape };
    }
    if (op === 'Conv2D' || op === '_FusedConv2D' || op === 'DepthwiseConv2dNative' || op === 'DepthwiseConv2d' || op === 'FusedDepthwiseConv2dNative') return this.convolution(node);
    if (op === 'MatMul' || op === '_FusedMatMul') return this.matmul(node);
    if (op.startsWith('FusedBatchNorm')) {
      if (a.is_training?.b) throw new Error('it normalises with the batch statistics (is_training), not converted');
      const x = this.arg(node, 0);
      const [scale, offset, mean, variance] = [1, 2, 3, 4].map((k) => this.floats(node, k, 'statistics').values) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const epsilon = a.epsilon?.f ?? 0.001;
      const mul = Float32Array.from(scale, (s, i) => s / Math.sqrt(variance[i]! + epsilon));
      const add = Float32Array.from(offset, (o, i) => o - mean[i]! * mul[i]!);
      const y = this.op('Add', [this.op('Mul', [this.tensor(x), this.g.floats(`${node.name}_scale`, mul, [mul.length])]), this.g.floats(`${node.name}_shift`, add, [add.length])]);
      return { onnx: y, shape: x.shape };
    }
    if (op in REDUCE) {
      const x = this.arg(node, 0);
      const rank = x.shape.length;
      const axes = [...new Set(this.ints(node, 1, 'axes').map((d) => (d < 0 ? d + rank : d)))].sort((p, q) => p - q);
      const keep = a.keep_dims?.b === true;
      // Opset 17: ReduceSum takes its axes as an input, the others as an attribute.
      const y = op === 'Sum' ? this.op('ReduceSum', [this.tensor(x), this.g.int64s('axes', axes)], { keepdims: keep ? 1 : 0 }) : this.op(REDUCE[op]!, [this.tensor(x)], { axes, keepdims: keep ? 1 : 0 });
      const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
      return { onnx: y, shape };
    }
    if (op === 'AvgPool' || op === 'MaxPool') {
      const x = this.arg(node, 0);
      const k = intsOf(a.ksize);
      const s = intsOf(a.strides);
      if (k.length !== 4 || k[0] !== 1 || k[3] !== 1 || s[0] !== 1 || s[3] !== 1) throw new Error(`pooling over the batch or channels (ksize [${k}], strides [${s}]) is not converted`);
      const padding = this.padding(node);
      const y = this.nchw(this.tensor(x), (t) => this.op(op === 'AvgPool' ? 'AveragePool' : 'MaxPool', [t], { kernel_shape: [k[1]!, k[2]!], strides: [s[1]!, s[2]!], ...padding.attribute }));
      return { onnx: y, shape: [x.shape[0]!, ...spatialOut(x.shape, [k[1]!, k[2]!], [s[1]!, s[2]!], [1, 1], padding), x.shape[3]!] };
    }
    if (op === 'Pad' || op === 'PadV2' || op === 'MirrorPad') {
      const x = this.arg(node, 0);
      const p = this.ints(node, 1, 'paddings');
      const rank = x.shape.length;
      const pads = [...Array.from({ length: rank }, (_, i) => p[2 * i]!), ...Array.from({ length: rank }, (_, i) => p[2 * i + 1]!)];
      const inputs = [this.tensor(x), this.g.int64s('pads', pads)];
      let mode = 'constant';
      if (op === 'PadV2') inputs.push(this.g.floats('pad_value', [this.floats(node, 2, 'constant value').values[0]!], []));
      if (op === 'MirrorPad') {
        // ONNX's reflect mirrors without repeating the edge: TensorFlow's REFLECT. SYMMETRIC has no ONNX mode.
        if (textOf(a.mode) !== 'REFLECT') throw new Error(`mirror padding mode ${textOf(a.mode)} has no ONNX equivalent (only REFLECT)`);
        mode = 'reflect';
      }
      return { onnx: this.op('Pad', inputs, { mode }), shape: x.shape.map((d, i) => (d === null ? null : d + p[2 * i]! + p[2 * i + 1]!)) };
    }
    if (op === 'Reshape') {
      const x = this.arg(node, 0);
      const target = this.ints(node, 1, 'shape');
      if (target.filter((d) => d === -1).length > 1) throw new Error('its shape has more than one -1');
      // TensorFlow's 0 is a zero-size axis; ONNX's 0 copies the input's unless allowzero.
      const y = this.op('Reshape', [this.tensor(x), this.g.int64s('shape', target)], target.includes(0) ? { allowzero: 1 } : {});
      const total = x.shape.every((d) => d !== null) ? (x.shape as number[]).reduce((p, q) => p * q, 1) : null;
      const known = target.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
      return { onnx: y, shape: target.map((d) => (d !== -1 ? d : total === null || known === 0 ? null : total / known)) };
    }
    if (op === 'Squeeze') {
      const x = this.arg(node, 0);
      const rank = x.shape.length;
      let axes = intsOf(a.squeeze_dims ?? a.axis).map((d) => (d < 0 ? d + rank : d));
      if (!axes.length) {
        // Every axis of size 1; one of unknown size (the batch) is kept rather than guessed.
        axes = x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
      }
      if (!axes.length) return x;
      return { onnx: this.op('Squeeze', [this.tensor(x), this.g.int64s('axes', axes)]), shape: x.shape.filter((_, i) => !axes.includes(i)) };
    }
    if (op === 'ExpandDims') {
      const x = this.arg(node, 0);
      let axis = this.ints(node, 1, 'axis')[0]!;
      if (axis < 0) axis += x.shape.length + 1;
      const shape = [...x.shape];
      shape.splice(axis, 0, 1);
      return { onnx: this.op('Unsqueeze', [this.tensor(x), this.g.int64s('axes', [axis])]), shape };
    }
    if (op === 'ConcatV2') {
      const all = this.args(node);
      const parts = all.slice(0, -1);
      const rank = parts[0]!.shape.length;
      let axis = this.ints(node, all.length - 1, 'axis')[0]!;
      if (axis < 0) axis += rank;
      const shape = parts[0]!.shape.map((d, i) => (i !== axis ? d : parts.some((v) => v.shape[i] === null) ? null : parts.reduce((s, v) => s + (v.shape[i] as number), 0)));
      return { onnx: this.op('Concat', parts.map((v) => this.tensor(v)), { axis }), shape };
    }
    throw new Error('the op is not converted');
  }

  private relu6(t: string): string {
    return this.op('Clip', [t, this.g.floats('zero', [0], []), this.g.floats('six', [6], [])]);
  }

  /** NHWC → NCHW, `run`, → NHWC. */
  private nchw(x: string, run: (nchw: string) => string): string {
    return this.op('Transpose', [run(this.op('Transpose', [x], { perm: [0, 3, 1, 2] }))], { perm: [0, 2, 3, 1] });
  }

  /** A convolution's or pooling's padding as ONNX attributes, and the pads for the output shape. */
  private padding(node: GraphNode): { attribute: { auto_pad: string } | { pads: number[] }; kind: 'SAME' | 'VALID' | 'EXPLICIT'; pads: number[] } {
    const kind = textOf(node.attr?.padding) ?? 'VALID';
    if (kind === 'SAME') return { attribute: { auto_pad: 'SAME_UPPER' }, kind, pads: [] };
    if (kind === 'VALID') return { attribute: { auto_pad: 'VALID' }, kind, pads: [] };
    if (kind === 'EXPLICIT') {
      const e = intsOf(node.attr?.explicit_paddings);
      if (e.length !== 8 || e[0] || e[1] || e[6] || e[7]) throw new Error(`explicit paddings [${e}] pad the batch or channels`);
      // ONNX pads: [top, left, bottom, right].
      return { attribute: { pads: [e[2]!, e[4]!, e[3]!, e[5]!] }, kind, pads: [e[2]!, e[4]!, e[3]!, e[5]!] };
    }
    throw new Error(`padding ${kind} is not converted`);
  }

  /** Fused ops after a convolution or product: [BiasAdd?, activation?] as TensorFlow.js reads them. */
  private fused(node: GraphNode): { bias: boolean; activation: string | null; args: number } {
    const ops = (node.attr?.fused_ops?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
    if (!ops.length) return { bias: false, activation: null, args: 0 };
    // TensorFlow.js reads fused_ops as [extra op, activation]: the first must be BiasAdd.
    if (ops[0] !== 'BiasAdd') throw new Error(`fused ops ${ops.join(' + ')} are not converted (only BiasAdd, then an activation)`);
    if (ops.length > 2) throw new Error(`fused ops ${ops.join(' + ')} are not converted`);
    const activation = ops[1] ?? null;
    if (activation && !['Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Sigmoid', 'Prelu', 'Tanh'].includes(activation)) throw new Error(`fused activation ${activation} is not converted`);
    return { bias: true, activation, args: activation === 'Prelu' ? 2 : 1 };
  }

  private activate(node: GraphNode, y: string, activation: string | null, channels: number): string {
    switch (activation) {
      case null:
        return y;
      case 'Relu':
        return this.op('Relu', [y]);
      case 'Relu6':
        return this.relu6(y);
      case 'Elu':
        return this.op('Elu', [y], { alpha: { float: 1 } });
      case 'Sigmoid':
        return this.op('Sigmoid', [y]);
      case 'Tanh':
        return this.op('Tanh', [y]);
      case 'LeakyRelu':
        return this.op('LeakyRelu', [y], { alpha: { float: node.attr?.leakyrelu_alpha?.f ?? 0.2 } });
      case 'Prelu': {
        const alpha = this.floats(node, 3, 'PReLU slopes').values;
        return this.op('PRelu', [y, this.g.floats(`${node.name}_alpha`, alpha, alpha.length === channels ? [channels] : [alpha.length])]);
      }
      default:
        throw new Error(`activation ${activation} is not converted`);
    }
  }

  private convolution(node: GraphNode): Value {
    const a = node.attr ?? {};
    const depthwise = node.op.includes('Depthwise');
    const x = this.arg(node, 0);
    if (x.shape.length !== 4) throw new Error(`its input has rank ${x.shape.length}, not 4`);
    const filter = this.floats(node, 1, 'filter');
    const [kh, kw, inChannels, last] = filter.shape as [number, number, number, number];
    const s = intsOf(a.strides);
    const d = intsOf(a.dilations);
    const strides = s.length === 4 ? [s[1]!, s[2]!] : [1, 1];
    const dilations = d.length === 4 ? [d[1]!, d[2]!] : [1, 1];
    const out = depthwise ? inChannels * last : last;
    // ONNX weights: [out, in / group, kh, kw]; TensorFlow's are [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier]).
    const w = new Float32Array(filter.values.length);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++)
        for (let i = 0; i < inChannels; i++)
          for (let o = 0; o < last; o++) {
            const from = ((y * kw + xx) * inChannels + i) * last + o;
            const to = depthwise ? ((i * last + o) * kh + y) * kw + xx : ((o * inChannels + i) * kh + y) * kw + xx;
            w[to] = filter.values[from]!;
          }
    const inputs = [this.g.floats(`${node.name}_filter`, w, depthwise ? [out, 1, kh, kw] : [out, inChannels, kh, kw])];
    const fused = node.op.startsWith('Fused') || node.op.startsWith('_Fused') ? this.fused(node) : { bias: false, activation: null, args: 0 };
    if (fused.bias) inputs.push(this.g.floats(`${node.name}_bias`, this.floats(node, 2, 'bias').values, [out]));
    const padding = this.padding(node);
    // ONNX Runtime takes no SAME with dilations: explicit pads then (padding.ts).
    const attribute = padding.kind === 'SAME' ? convPadding(true, [kh, kw], strides, dilations) : padding.attribute;
    const y = this.nchw(this.tensor(x), (t) => this.op('Conv', [t, ...inputs], { kernel_shape: [kh, kw], strides, dilations, ...(depthwise ? { group: inChannels } : {}), ...attribute }));
    const shape: Dim[] = [x.shape[0]!, ...spatialOut(x.shape, [kh, kw], strides, dilations, padding), out];
    return { onnx: this.activate(node, y, fused.activation, out), shape };
  }

  private matmul(node: GraphNode): Value {
    const a = node.attr ?? {};
    const [x, w] = [this.arg(node, 0), this.arg(node, 1)];
    if (x.shape.length !== 2 || w.shape.length !== 2) throw new Error('only products of matrices (rank 2) are converted');
    const left = a.transpose_a?.b ? this.op('Transpose', [this.tensor(x)], { perm: [1, 0] }) : this.tensor(x);
    const right = a.transpose_b?.b ? this.op('Transpose', [this.tensor(w)], { perm: [1, 0] }) : this.tensor(w);
    const n = (a.transpose_b?.b ? w.shape[0] : w.shape[1]) ?? null;
    let y = this.op('MatMul', [left, right]);
    const fused = node.op === '_FusedMatMul' ? this.fused(node) : { bias: false, activation: null, args: 0 };
    if (fused.bias) y = this.op('Add', [y, this.tensor(this.arg(node, 2))]);
    return { onnx: this.activate(node, y, fused.activation, n ?? 0), shape: [a.transpose_a?.b ? x.shape[1]! : x.shape[0]!, n] };
  }
}

/** NumPy broadcasting of two static shapes (null: unknown size). */
function broadcast(p: Dim[], q: Dim[]): Dim[] {
  const rank = Math.max(p.length, q.length);
  return Array.from({ length: rank }, (_, i) => {
    const a = i < rank - p.length ? 1 : p[i - (rank - p.length)]!;
    const b = i < rank - q.length ? 1 : q[i - (rank - q.length)]!;
    if (a === 1) return b;
    if (b === 1) return a;
    return a ?? b;
  });
}

/** Output height and width of a convolution or pooling on an NHWC shape (TensorFlow's rules). */
function spatialOut(shape: Dim[], kernel: number[], strides: number[], dilations: number[], padding: { kind: string; pads: number[] }): Dim[] {
  return [1, 2].map((axis, i) => {
    const size = shape[axis];
    if (size === null || size === undefined) return null;
    const extent = (kernel[i]! - 1) * dilations[i]! + 1;
    if (padding.kind === 'SAME') return Math.ceil(size / strides[i]!);
    const padded = padding.kind === 'EXPLICIT' ? size + padding.pads[i]! + padding.pads[i + 2]! : size;
    return Math.floor((padded - extent) / strides[i]!) + 1;
  });
}
