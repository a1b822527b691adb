/**
 * Reads a saved TensorFlow.js layers model (`model.json` + `weights.bin`) as plain data, without
 * TensorFlow.js: the layers in topological order with the tensors each one consumes, and the
 * weights by name. The ONNX converter walks this; nothing here knows a layer's meaning.
 */
import { readArtifactFile } from '../../trainer/encryption.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserInputError } from '../../protocol.js';

/** One layer of the topology: Keras's `class_name` and `config`, and the layers feeding it. */
export interface LayerNode {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the tensors it consumes: `layer` or `layer:k` for a layer's k-th output. */
  inputs: string[];
}

/** A weight tensor: float32 values in row-major order, with its shape. */
export interface Weight {
  values: Float32Array;
  shape: number[];
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

const tensorName = (layer: string, index: number) => (index === 0 ? layer : `${layer}:${index}`);

function refuse(dir: string, what: string): never {
  throw new UserInputError(`${dir}/model.json cannot be exported: ${what}. Export it in the TensorFlow.js format instead (--format tfjs).`);
}

/** Reads `dir/model.json` and its weight files. */
export async function readLayersModel(dir: string): Promise<LayersGraph> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as ModelJsonFile;
  const topology = json.modelTopology;
  if (!topology?.class_name || !topology.config) refuse(dir, 'it has no layers-model topology');
  const graph = topology.class_name === 'Sequential' ? sequential(dir, topology.config) : functional(dir, topology.config);
  graph.weights = await readWeights(dir, json.weightsManifest ?? []);
  return graph;
}

function sequential(dir: string, config: unknown): LayersGraph {
  const raw = (Array.isArray(config) ? config : (config as { layers?: unknown }).layers) as RawLayer[] | undefined;
  if (!raw?.length) refuse(dir, 'its Sequential model has no layers');
  const first = raw[0]!.config;
  const shape = first.batch_input_shape as Array<number | null> | undefined;
  if (!shape) refuse(dir, 'its first layer does not declare batch_input_shape');
  const layers: LayerNode[] = [];
  let previous = 'input';
  for (const layer of raw) {
    const name = String(layer.config.name ?? layer.name);
    if (layer.class_name === 'InputLayer') continue;
    layers.push({ name, className: layer.class_name, config: layer.config, inputs: [previous] });
    previous = name;
  }
  return { layers, inputs: ['input'], outputs: [previous], inputShapes: { input: { shape: shape.slice(1), dtype: String(first.dtype ?? 'float32') } }, weights: new Map() };
}

function functional(dir: string, config: unknown): LayersGraph {
  const c = config as { layers?: RawLayer[]; input_layers?: Array<[string, number, number]>; output_layers?: Array<[string, number, number]> };
  if (!c.layers?.length || !c.input_layers || !c.output_layers) refuse(dir, 'its functional model lacks layers, inputs or outputs');
  const inputShapes: LayersGraph['inputShapes'] = {};
  const layers: LayerNode[] = [];
  for (const layer of c.layers) {
    const name = String(layer.name ?? layer.config.name);
    if (layer.class_name === 'InputLayer') {
      const shape = layer.config.batch_input_shape as Array<number | null>;
      inputShapes[name] = { shape: shape.slice(1), dtype: String(layer.config.dtype ?? 'float32') };
      continue;
    }
    const calls = (layer.inbound_nodes ?? []) as Array<Array<[string, number, number, unknown]>>;
    if (calls.length !== 1) refuse(dir, `layer "${name}" is applied ${calls.length} times (shared layers are not supported)`);
    layers.push({ name, className: layer.class_name, config: layer.config, inputs: calls[0]!.map(([from, , index]) => tensorName(from, index)) });
  }
  return {
    layers,
    inputs: c.input_layers.map(([name, , index]) => tensorName(name, index)),
    outputs: c.output_layers.map(([name, , index]) => tensorName(name, index)),
    inputShapes,
    weights: new Map(),
  };
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
      if (spec.dtype !== 'float32') refuse(dir, `weight "${spec.name}" is ${spec.dtype} (only float32 weights are converted)`);
      if (offset + count * 4 > data.byteLength) refuse(dir, `weights.bin is shorter than its manifest says (at "${spec.name}")`);
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = data.readFloatLE(offset + 4 * i);
      weights.set(spec.name, { values, shape: spec.shape });
      offset += count * 4;
    }
  }
  return weights;
}
