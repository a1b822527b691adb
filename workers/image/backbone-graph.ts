/**
 * TensorFlow.js *graph* models as backbones (model.json with `format: "graph-model"` and a
 * GraphDef as `modelTopology`: what TF Hub and Kaggle offer for MobileNet and most image models).
 * A graph is a frozen computation, not layers: it cannot be cut at a layer or fine-tuned, but it can
 * be run up to any of its nodes. So the graph is loaded with tf.loadGraphModel from the files
 * backbone.ts read and checksummed, the node the head reads is found (or named by the user), and
 * the graph runs inside one tf.layers layer (`GraphBackbone`) whose weights are the graph's
 * constants. The version is then an ordinary layers model: its model.json carries the GraphDef in
 * that layer's config and weights.bin the constants, so predict, evaluate, drift and bundles load it
 * on a machine that never saw the backbone's folder (`registerGraphBackbone` first).
 *
 * Which node: `output` when given; else the graph's single output, walked back past the
 * classifier at its end — Softmax / Sigmoid / Identity / Reshape / Squeeze / BiasAdd / Add, then a
 * MatMul (a dense classifier) or a Conv2D followed by a squeeze or softmax (MobileNet's 1 × 1
 * "Logits" convolution) — to that classifier's input. A graph without a classifier at its end (a
 * "feature vector" model) is used whole.
 *
 * The GraphDef travels hex-encoded: tf.layers rewrites every string in a layer's config between
 * camelCase and snake_case when saving and loading, which would corrupt node and attribute names.
 */
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../protocol.js';

type Tf = typeof tf;
/** A loaded graph (async or sync loading: only `execute`, `weights` and `dispose` are used). */
type Graph = Pick<tf.GraphModel, 'execute' | 'dispose' | 'weights' | 'inputs' | 'inputNodes' | 'outputNodes'>;

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
}

/** A weight of the graph, dequantised. */
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
}

/** What the layer needs to rebuild the graph. */
interface Payload {
  topology: { node?: GraphNode[] } & Record<string, unknown>;
  weights: WeightSpec[];
  inputNode: string;
  outputNode: string;
  featureShape: (number | null)[];
}

const hex = (payload: Payload) => Buffer.from(JSON.stringify(payload), 'utf8').toString('hex');
const unhex = (text: string) => JSON.parse(Buffer.from(text, 'hex').toString('utf8')) as Payload;

/** Runs a frozen graph from its input node to `outputNode`; its constants are the layer's (frozen) weights. */
class GraphBackbone extends tf.layers.Layer {
  static className = 'GraphBackbone';
  private readonly payload: Payload;
  private readonly encoded: string;
  private graph: Graph | null = null;

  constructor(config: { graph: string; name?: string; trainable?: boolean; graphModel?: Graph }) {
    super({ name: config.name ?? 'graph_backbone', trainable: false });
    this.encoded = config.graph;
    this.payload = unhex(config.graph);
    this.graph = config.graphModel ?? null;
  }

  override build(): void {
    this.payload.weights.forEach((w, i) => this.addWeight(`c${i}`, w.shape, w.dtype === 'bool' ? 'int32' : w.dtype, tf.initializers.zeros(), undefined, false));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] ?? null, ...this.payload.featureShape];
  }

  /** The graph, built from the layer's weights on first use (after a saved version's weights were loaded). */
  private model(): Graph {
    if (this.graph) return this.graph;
    const parts = this.weights.map((w, i) => {
      const values = w.read().dataSync();
      return this.payload.weights[i]!.dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values);
    });
    const data = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
    let offset = 0;
    for (const p of parts) {
      data.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), offset);
      offset += p.byteLength;
    }
    const specs = this.payload.weights.map((w) => ({ ...w, dtype: w.dtype === 'bool' ? ('int32' as const) : w.dtype }));
    const graph = tf.loadGraphModelSync({ modelTopology: this.payload.topology, weightSpecs: specs, weightData: data.buffer });
    // First use is usually inside a tf.tidy (predict): the graph's constants must outlive it.
    for (const tensors of Object.values(graph.weights)) for (const t of tensors) tf.keep(t);
    this.graph = graph;
    return graph;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const out = this.model().execute({ [this.payload.inputNode]: x }, this.payload.outputNode);
    return Array.isArray(out) ? out[0]! : out;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), graph: this.encoded };
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    this.graph?.dispose();
    this.graph = null;
    return super.dispose();
  }
}

let registered = false;
/** Makes saved versions with a graph backbone loadable (idempotent). */
export function registerGraphBackbone(): void {
  if (registered) return;
  tf.serialization.registerClass(GraphBackbone);
  registered = true;
}

const TAIL = new Set(['Identity', 'Softmax', 'Sigmoid', 'Reshape', 'Squeeze', 'BiasAdd', 'Add', 'AddV2']);

/** The node the head reads (see the file's comment), or a clear refusal. */
function featureNode(nodes: GraphNode[], outputs: string[], named: string | undefined, dir: string): string {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  if (named) {
    if (!byName.has(named.split(':')[0]!)) throw new UserInputError(`The graph model in ${dir} has no node "${named}". Its outputs: ${outputs.join(', ')}; name the node whose output the head should read (tools such as Netron show the node names).`);
    return named;
  }
  if (outputs.length !== 1) {
    throw new UserInputError(`The graph model in ${dir} has ${outputs.length} outputs (${outputs.join(', ')}): name the one with the picture features with --backbone-output NODE.`);
  }
  const inputOf = (n: GraphNode) => (n.input ?? []).find((i) => !i.startsWith('^'))?.split(':')[0];
  let node = byName.get(outputs[0]!.split(':')[0]!);
  let squeezed = false;
  for (let steps = 0; node && steps < 12; steps++) {
    if (node.op === 'MatMul' || node.op === '_FusedMatMul' || ((node.op === 'Conv2D' || node.op === '_FusedConv2D') && squeezed)) {
      const feature = inputOf(node);
      if (feature) return feature;
    }
    if (!TAIL.has(node.op)) break;
    if (node.op === 'Squeeze' || node.op === 'Reshape' || node.op === 'Softmax' || node.op === 'Sigmoid') squeezed = true;
    const previous = inputOf(node);
    node = previous ? byName.get(previous) : undefined;
  }
  return outputs[0]!;
}

/** What backbone.ts gets back: a frozen layers model around the graph, and what to record. */
export interface GraphBackboneParts {
  model: tf.LayersModel;
  inputShape: [number | null, number | null, number];
  featureNode: string;
  featureShape: (number | null)[];
  parameters: number;
}

/** Builds the backbone from a graph model's files (read and checked by backbone.ts). */
export async function loadGraphBackbone(
  tfjs: Tf,
  dir: string,
  json: { modelTopology?: unknown; weightsManifest?: { weights: unknown[] }[] },
  weights: ArrayBuffer,
  output: string | undefined,
  fineTune: boolean,
): Promise<GraphBackboneParts> {
  if (fineTune) {
    throw new UserInputError(
      `${dir} holds a TensorFlow.js graph model: its weights are frozen constants of a computation graph, so it cannot be fine-tuned. Train without --fine-tune (the head then learns on its features), or use a layers model (tensorflowjs_converter --output_format=tfjs_layers_model) to fine-tune its last block.`,
    );
  }
  registerGraphBackbone();
  const topology = json.modelTopology as Payload['topology'];
  let graph: tf.GraphModel;
  try {
    graph = await tfjs.loadGraphModel(tfjs.io.fromMemory({ modelTopology: topology, weightSpecs: (json.weightsManifest ?? []).flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[], weightData: weights }));
  } catch (error) {
    throw new UserInputError(`${dir}/model.json could not be loaded as a TensorFlow.js graph model (${(error as Error).message.split('\n')[0]}): it may be damaged or use an operation TensorFlow.js does not have.`);
  }
  const fail = (message: string): never => {
    graph.dispose();
    throw new UserInputError(message);
  };
  const input = graph.inputs;
  const shape = input[0]?.shape ?? [];
  if (input.length !== 1 || shape.length !== 4) fail(`The graph model in ${dir} takes ${input.length === 1 ? `an input of shape [${shape.join(', ')}]` : `${input.length} inputs`}; a picture backbone takes one input of batch × height × width × channels.`);
  if (input[0]!.dtype !== 'float32') fail(`The graph model in ${dir} takes ${input[0]!.dtype} input; a backbone here takes float pictures (a model that expects bytes has its own decoding inside; use its float version).`);
  const dim = (d: number | undefined) => (d === undefined || d < 0 ? null : d);
  const [h, w, c] = [dim(shape[1]), dim(shape[2]), dim(shape[3])];
  if (c !== 1 && c !== 3) fail(`The graph model in ${dir} expects pictures with ${c ?? 'an unknown number of'} channels; only 1 (grey) or 3 (colour) can be fed.`);
  if (h !== null && w !== null && h !== w) fail(`The graph model in ${dir} expects ${w} × ${h} pictures; pictures are resized to a square here, so use a backbone with a square input.`);
  const nodes = topology.node ?? [];
  const node = featureNode(nodes, graph.outputNodes, output, dir);
  // One picture through the graph gives the feature shape (and proves the graph runs here).
  const probeSide = h ?? 32;
  let probed: number[];
  try {
    probed = tfjs.tidy(() => {
      const out = graph.execute({ [graph.inputNodes[0]!]: tfjs.zeros([1, probeSide, probeSide, c!]) }, node);
      return (Array.isArray(out) ? out[0]! : out).shape;
    });
  } catch (error) {
    return fail(`The graph model in ${dir} could not be run up to "${node}" (${(error as Error).message.split('\n')[0]}). Name another node with --backbone-output, or check that the model is complete.`);
  }
  const featureShape = probed.slice(1).map((d, i) => (h === null && probed.length === 4 && i < 2 ? null : d));
  if (featureShape.length !== 1 && featureShape.length !== 3) fail(`The node "${node}" of the graph model in ${dir} gives values of shape [${probed.join(', ')}]: the head reads feature maps (height × width × channels) or a feature vector. Name another node with --backbone-output.`);
  const named = graph.weights;
  const specs: WeightSpec[] = [];
  const values: tf.Tensor[] = [];
  for (const [name, tensors] of Object.entries(named)) {
    const t = tensors[0]!;
    specs.push({ name, shape: t.shape, dtype: t.dtype === 'float32' ? 'float32' : t.dtype === 'bool' ? 'bool' : 'int32' });
    values.push(t.dtype === 'float32' || t.dtype === 'int32' ? t : tfjs.cast(t, 'int32'));
  }
  const layer = new GraphBackbone({ graph: hex({ topology, weights: specs, inputNode: graph.inputNodes[0]!, outputNode: node, featureShape }), graphModel: graph });
  const x = tfjs.input({ shape: [h, w, c!] });
  const model = tfjs.model({ inputs: x, outputs: layer.apply(x) as tf.SymbolicTensor, name: 'backbone' });
  layer.setWeights(values);
  model.trainable = false;
  const parameters = specs.reduce((s, sp) => s + sp.shape.reduce((a, b) => a * b, 1), 0);
  return { model, inputShape: [h, w, c!], featureNode: node, featureShape, parameters };
}
