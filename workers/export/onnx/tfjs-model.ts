/**
 * Reads a saved TensorFlow.js layers model (`model.json` + `weights.bin`) as plain data, without
 * TensorFlow.js: the layers in topological order with the tensors each one consumes, and the
 * weights by name. The ONNX converter walks this; nothing here knows a layer's meaning.
 *
 * A model nested in another (a transfer version: a Sequential whose first layer is the backbone
 * model) is flattened: its layers join the outer list under ids prefixed with the nested model's
 * name, its inputs read what feeds the nested model, and what reads the nested model reads its
 * outputs. Weights keep their names (TensorFlow.js names a weight by its own layer, nested or not).
 */
import { readArtifactFile } from '../../trainer/encryption.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserInputError } from '../../protocol.js';

/** One layer of the topology: Keras's `class_name` and `config`, and the layers feeding it. */
export interface LayerNode {
  /** The layer's own name: its weights are `name/…`. */
  name: string;
  /** Unique name of its output tensor: `name`, or `outer/name` inside a nested model (`id:k` for its k-th output). */
  id: string;
  className: string;
  config: Record<string, unknown>;
  /** Ids of the tensors it consumes: `layer` or `layer:k` for a layer's k-th output. */
  inputs: string[];
}

/** A weight tensor: float32 values in row-major order, with its shape (int32 weights: `ints` too). */
export interface Weight {
  values: Float32Array;
  shape: number[];
  /** The exact values of an int32 weight (a graph model's shapes, axes, paddings). */
  ints?: Int32Array;
}

/** A parsed layers model. */
export interface LayersGraph {
  layers: LayerNode[];
  /** Tensor names of the model's inputs and outputs, in order. */
  inputs: string[];
  outputs: string[];
  /** Per input: its shape without the batch dimension (null = any size), and dtype. */
  inputShapes: Record<string, { shape: Array<number | null>; dtype: string }>;
  weights: Map<string, Weight>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

interface ModelJsonFile {
  modelTopology?: { class_name?: string; config?: unknown };
  weightsManifest?: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

type RawLayer = { class_name: string; name?: string; config: Record<string, unknown>; inbound_nodes?: unknown[] };
type FunctionalConfig = { name?: string; layers?: RawLayer[]; input_layers?: Array<[string, number, number]>; output_layers?: Array<[string, number, number]> };

/** Layer classes that are models themselves. */
const NESTED = new Set(['Sequential', 'Model', 'Functional']);

const tensorName = (layer: string, index: number) => (index === 0 ? layer : `${layer}:${index}`);

function refuse(dir: string, what: string): never {
  throw new UserInputError(`${dir}/model.json cannot be exported: ${what}. Export it in the TensorFlow.js format instead (--format tfjs).`);
}

/** Reads `dir/model.json` and its weight files. */
export async function readLayersModel(dir: string): Promise<LayersGraph> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as ModelJsonFile;
  const topology = json.modelTopology;
  if (!topology?.class_name || !topology.config) refuse(dir, 'it has no layers-model topology');
  const graph = new Flattener(dir).model(topology.class_name, topology.config);
  graph.weights = await readWeights(dir, json.weightsManifest ?? []);
  return graph;
}

/** Walks a model config, nested models included, into one flat list of layers. */
class Flattener {
  private readonly layers: LayerNode[] = [];
  private readonly inputShapes: LayersGraph['inputShapes'] = {};
  /** Tensor id → the id it stands for (a nested model's outputs and inputs). */
  private readonly aliases = new Map<string, string>();

  constructor(private readonly dir: string) {}

  model(className: string, config: unknown): LayersGraph {
    const { inputs, outputs } = this.walk(className, config, '', null);
    const resolve = (id: string) => {
      for (let seen = 0; this.aliases.has(id) && seen < 10_000; seen++) id = this.aliases.get(id)!;
      return id;
    };
    for (const layer of this.layers) layer.inputs = layer.inputs.map(resolve);
    return { layers: this.layers, inputs, outputs: outputs.map(resolve), inputShapes: this.inputShapes, weights: new Map() };
  }

  /** Adds the layers of one model. `feeds`: the tensors feeding a nested model's inputs (null: the graph's own inputs). */
  private walk(className: string, config: unknown, prefix: string, feeds: string[] | null): { inputs: string[]; outputs: string[] } {
    return className === 'Sequential' ? this.sequential(config, prefix, feeds) : this.functional(config, prefix, feeds);
  }

  private graphInput(id: string, batchShape: unknown, dtype: unknown): string {
    if (!Array.isArray(batchShape)) refuse(this.dir, 'its first layer does not declare batch_input_shape');
    this.inputShapes[id] = { shape: (batchShape as Array<number | null>).slice(1), dtype: String(dtype ?? 'float32') };
    return id;
  }

  /** The batch input shape and dtype a model declares (its first layer's, or its nested first model's). */
  private declaredInput(raw: RawLayer): { shape: unknown; dtype: unknown } {
    if (NESTED.has(raw.class_name)) {
      const inner = raw.config as FunctionalConfig & { layers?: RawLayer[] };
      const first = raw.class_name === 'Sequential' ? (Array.isArray(raw.config) ? (raw.config as RawLayer[]) : inner.layers)?.[0] : inner.layers?.find((l) => l.class_name === 'InputLayer');
      if (!first) refuse(this.dir, `the nested model "${String(raw.config.name)}" has no input`);
      return this.declaredInput(first);
    }
    return { shape: raw.config.batch_input_shape, dtype: raw.config.dtype };
  }

  private sequential(config: unknown, prefix: string, feeds: string[] | null): { inputs: string[]; outputs: string[] } {
    const raw = (Array.isArray(config) ? config : (config as { layers?: unknown }).layers) as RawLayer[] | undefined;
    if (!raw?.length) refuse(this.dir, 'its Sequential model has no layers');
    let previous: string;
    if (feeds) previous = feeds[0]!;
    else {
      const declared = this.declaredInput(raw[0]!);
      previous = this.graphInput(`${prefix}input`, declared.shape, declared.dtype);
    }
    const inputs = [previous];
    for (const layer of raw) {
      const name = String(layer.config.name ?? layer.name);
      if (layer.class_name === 'InputLayer') continue;
      if (NESTED.has(layer.class_name)) {
        previous = this.walk(layer.class_name, layer.config, `${prefix}${name}/`, [previous]).outputs[0]!;
        continue;
      }
      const id = `${prefix}${name}`;
      this.layers.push({ name, id, className: layer.class_name, config: layer.config, inputs: [previous] });
      previous = id;
    }
    return { inputs, outputs: [previous] };
  }

  private functional(config: unknown, prefix: string, feeds: string[] | null): { inputs: string[]; outputs: string[] } {
    const c = config as FunctionalConfig;
    if (!c.layers?.length || !c.input_layers || !c.output_layers) refuse(this.dir, 'its functional model lacks layers, inputs or outputs');
    const ref = (name: string, index: number) => `${prefix}${tensorName(name, index)}`;
    const inputs = c.input_layers.map(([name, , index]) => ref(name, index));
    if (feeds && feeds.length !== inputs.length) refuse(this.dir, `the nested model "${String(c.name)}" takes ${inputs.length} inputs but is given ${feeds.length}`);
    for (const layer of c.layers) {
      const name = String(layer.name ?? layer.config.name);
      const calls = (layer.inbound_nodes ?? []) as Array<Array<[string, number, number, unknown]>>;
      if (layer.class_name === 'InputLayer') {
        const id = ref(name, 0);
        const at = inputs.indexOf(id);
        if (feeds) this.aliases.set(id, feeds[at]!);
        else this.graphInput(id, layer.config.batch_input_shape, layer.config.dtype);
        continue;
      }
      if (calls.length !== 1) refuse(this.dir, `layer "${name}" is applied ${calls.length} times (shared layers are not supported)`);
      const consumed = calls[0]!.map(([from, , index]) => ref(from, index));
      if (NESTED.has(layer.class_name)) {
        const inner = this.walk(layer.class_name, layer.config, `${prefix}${name}/`, consumed);
        inner.outputs.forEach((output, k) => this.aliases.set(ref(name, k), output));
        continue;
      }
      this.layers.push({ name, id: ref(name, 0), className: layer.class_name, config: layer.config, inputs: consumed });
    }
    return { inputs: feeds ?? inputs, outputs: c.output_layers.map(([name, , index]) => ref(name, index)) };
  }
}

async function readWeights(dir: string, manifest: Array<{ paths: string[]; weights: WeightSpec[] }>): Promise<Map<string, Weight>> {
  const weights = new Map<string, Weight>();
  for (const group of manifest) {
    // A group's files are one buffer split in shards; the specs index into it back to back.
    const buffers = await Promise.all(group.paths.map((path) => readArtifactFile(dir, path)));
    const data = Buffer.concat(buffers);
    let offset = 0;
    for (const spec of group.weights) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      if (spec.dtype !== 'float32' && spec.dtype !== 'int32') refuse(dir, `weight "${spec.name}" is ${spec.dtype} (only float32 and int32 weights are converted)`);
      if (offset + count * 4 > data.byteLength) refuse(dir, `weights.bin is shorter than its manifest says (at "${spec.name}")`);
      const values = new Float32Array(count);
      if (spec.dtype === 'int32') {
        const ints = new Int32Array(count);
        for (let i = 0; i < count; i++) values[i] = ints[i] = data.readInt32LE(offset + 4 * i);
        weights.set(spec.name, { values, shape: spec.shape, ints });
      } else {
        for (let i = 0; i < count; i++) values[i] = data.readFloatLE(offset + 4 * i);
        weights.set(spec.name, { values, shape: spec.shape });
      }
      offset += count * 4;
    }
  }
  return weights;
}
