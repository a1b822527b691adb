/**
 * A small builder for ONNX graphs over `onnx-proto` (the protobufjs classes generated from
 * onnx.proto): nodes, initialisers and typed inputs/outputs, with fresh names, encoded to the
 * bytes of a `ModelProto`. Every exporter (tabular, and the layer converters other pilot kinds
 * reuse) writes through it, so the protobuf details live in one file.
 */
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

// onnx-proto is CommonJS: its namespace comes through the default import at run time.
const { onnx } = onnxProto;

/** The ONNX operator set the exporters target: 17 has every operator used here (LayerNormalization included). */
export const OPSET = 17;
/** IR version 8 is the newest the bundled onnx.proto describes; it carries opset 17. */
export const IR_VERSION = 8;

/** Element types used by the exporters (ONNX `TensorProto.DataType`). */
export const DataType = {
  float: onnx.TensorProto.DataType.FLOAT,
  double: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  string: onnx.TensorProto.DataType.STRING,
  bool: onnx.TensorProto.DataType.BOOL,
} as const;

export type ElementType = keyof typeof DataType;

/** A dimension: a fixed size, or a symbolic one such as the batch (`"N"`). */
export type Dim = number | string;

/** An attribute value: numbers are INT unless listed in `floats`, arrays are INTS/FLOATS, strings STRING. */
export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

const Attr = onnx.AttributeProto.AttributeType;

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  if (typeof value === 'number') return { name, type: Attr.INT, i: value };
  if (typeof value === 'string') return { name, type: Attr.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: Attr.INTS, ints: value };
  if ('float' in value) return { name, type: Attr.FLOAT, f: value.float };
  return { name, type: Attr.FLOATS, floats: value.floats };
}

function valueInfo(name: string, type: ElementType, dims: Dim[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: DataType[type], shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** Builds one graph. Names given by callers are kept; `fresh(prefix)` makes unique ones. */
export class GraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly inputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly outputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A name not used yet in this graph, starting with `prefix`. */
  fresh(prefix: string): string {
    let name = prefix.replace(/[^A-Za-z0-9_.:/-]/g, '_');
    while (this.used.has(name)) name = `${prefix}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  input(name: string, type: ElementType, dims: Dim[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: ElementType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** A float32 constant (weights). */
  floats(prefix: string, values: Float32Array | number[], dims: number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dataType: DataType.float, dims, floatData: Array.from(values) });
    return name;
  }

  /** A float64 constant (preprocessing statistics, kept at the precision they were computed in). */
  doubles(prefix: string, values: Float64Array | number[], dims: number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dataType: DataType.double, dims, doubleData: Array.from(values) });
    return name;
  }

  /** An int64 constant (shapes, axes, indices). */
  int64s(prefix: string, values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dataType: DataType.int64, dims, int64Data: values });
    return name;
  }

  strings(prefix: string, values: string[]): string {
    const name = this.fresh(prefix);
    const encoder = new TextEncoder();
    this.initializers.push({ name, dataType: DataType.string, dims: [values.length], stringData: values.map((v) => encoder.encode(v)) });
    return name;
  }

  /**
   * Adds a node and returns its output names (one per `outputs` count, or the names given).
   * `outputs` may name the results (graph outputs must keep their names).
   */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputs: number | string[] = 1): string[] {
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    for (const name of names) this.used.add(name);
    this.nodes.push({
      opType,
      name: this.fresh(`${opType}_node`),
      input: inputs,
      output: names,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return names;
  }

  /** One-output shorthand for `node`. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    return this.node(opType, inputs, attributes, output === undefined ? 1 : [output])[0]!;
  }

  /** Encodes the model. `metadata` becomes `metadata_props` (readable with ONNX Runtime's `modelMetadata`). */
  encode(options: { producerVersion: string; docString: string; metadata: Record<string, string> }): Uint8Array {
    const model: OnnxTypes.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'Pilot Workbench',
      producerVersion: options.producerVersion,
      docString: options.docString,
      metadataProps: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    };
    const problem = onnx.ModelProto.verify(model);
    if (problem) throw new Error(`The ONNX model is malformed (${problem}); this is a bug in the exporter.`);
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}
