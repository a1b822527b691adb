/**
 * A backbone the user imports for transfer learning: a TensorFlow.js layers model folder
 * (model.json + the weight files its manifest names), for example a MobileNet converted once on a
 * connected machine, or another image pilot's model folder. It is checked before anything trains:
 * the folder holds a model, every weight file is there with the size the manifest promises (a
 * truncated download is caught here, not as a shape error later), the input is a picture
 * (side × side × 1 or 3). The model is then cut at its last feature-map layer: what comes after
 * (a flatten, a classifier) belonged to the old task and is replaced by the new head.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { UserInputError } from '../protocol.js';
import { verifyArtifact } from '../trainer/artifact.js';
import type { Normalisation } from './data.js';
import { loadGraphBackbone, registerGraphBackbone } from './backbone-graph.js';

type Tf = typeof tfjs;

/** What is recorded with the version about the backbone. */
export interface BackboneInfo {
  /** The folder's name (or the model's own name when the folder is just "model"). */
  name: string;
  /** The folder it was read from when the pilot was trained. */
  source: string;
  /** SHA-256 over model.json and the weight files, in manifest order: identifies the exact weights. */
  sha256: string;
  /** A layers model (cut at a layer, fine-tunable) or a graph model (run up to a node, frozen: backbone-graph.ts). */
  format: 'layers-model' | 'graph-model';
  /** The backbone's input: [height, width, channels], null where it takes any size. */
  inputShape: [number | null, number | null, number];
  /** The layer (graph models: the node) whose output the head reads, and that output's shape (without the batch). */
  featureLayer: string;
  featureShape: (number | null)[];
  /** Parameters in the part of the backbone kept. */
  parameters: number;
  /** Layers trained with the head (the last block, with fine-tuning), else none. */
  fineTuned: string[];
}

/** A loaded and cut backbone. */
export interface LoadedBackbone {
  /** The kept part, as one model (named "backbone"), frozen except `info.fineTuned`. */
  model: tfjs.LayersModel;
  info: BackboneInfo;
  /** When the folder is an image pilot's model: the normalisation its weights were trained with. */
  normalisation: Normalisation | null;
}

interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string } }[] }[];
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, int8: 1 };

/** Bytes the manifest's weights take in the weight files (quantised weights count at their stored width). */
function expectedBytes(manifest: NonNullable<ModelJson['weightsManifest']>): number {
  let total = 0;
  for (const group of manifest) {
    for (const w of group.weights) {
      const dtype = w.quantization?.dtype ?? w.dtype;
      total += w.shape.reduce((a, b) => a * b, 1) * (BYTES[dtype] ?? 4);
    }
  }
  return total;
}

const HOW = 'A backbone is a TensorFlow.js model folder: model.json and the weight files it names — a layers model (tensorflowjs_converter --output_format=tfjs_layers_model), a graph model (as TF Hub and Kaggle offer them), or the folder of another image pilot under models/.';

/** Reads and checks the folder; returns the parsed model.json, the weights as one buffer and their hash. */
async function readFolder(path: string): Promise<{ dir: string; json: ModelJson; weights: ArrayBuffer; sha256: string }> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new UserInputError(`The backbone ${path} does not exist. ${HOW}`);
  const dir = info.isDirectory() ? path : dirname(path);
  const modelFile = info.isDirectory() ? join(dir, 'model.json') : path;
  if (!existsSync(modelFile)) throw new UserInputError(`${dir} is not a model folder: it has no model.json. ${HOW}`);
  const text = await readFile(modelFile);
  let json: ModelJson;
  try {
    json = JSON.parse(text.toString('utf8')) as ModelJson;
  } catch {
    throw new UserInputError(`${modelFile} is not valid JSON, so it is not a TensorFlow.js model (it may be truncated). Copy the model folder again. ${HOW}`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new UserInputError(`${modelFile} has no modelTopology or weightsManifest: it is not a TensorFlow.js model. ${HOW}`);
  // Our own model folders carry checksums: a damaged one is named precisely.
  if (existsSync(join(dir, 'checksums.json'))) await verifyArtifact(dir);
  const metadata = await readFile(join(dir, 'metadata.json'), 'utf8').then((t) => JSON.parse(t) as { encryption?: unknown }, () => null);
  if (metadata?.encryption) throw new UserInputError(`${dir} is encrypted at rest, so its weights cannot be read as a backbone. Export a plain copy first (pilot models export VERSION) and use that folder.`);
  const hash = createHash('sha256').update(text);
  const parts: Buffer[] = [];
  for (const group of json.weightsManifest) {
    for (const rel of group.paths) {
      const file = resolve(dir, rel);
      if (dirname(file) !== resolve(dir) && !file.startsWith(resolve(dir) + '/')) throw new UserInputError(`${modelFile} names a weight file outside its folder (${rel}); it is refused.`);
      const bytes = await readFile(file).catch(() => null);
      if (!bytes) throw new UserInputError(`The backbone's weight file ${rel} is missing from ${dir}. Copy the whole model folder (model.json and every file it names).`);
      hash.update(bytes);
      parts.push(bytes);
    }
  }
  const weights = Buffer.concat(parts);
  const expected = expectedBytes(json.weightsManifest);
  if (weights.length !== expected) {
    throw new UserInputError(
      `The backbone's weight files in ${dir} hold ${weights.length} bytes but model.json describes ${expected}: a weight file is truncated or damaged (an interrupted download?). Copy the model folder again.`,
    );
  }
  return { dir, json, weights: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength), sha256: hash.digest('hex') };
}

function shapeOf(layer: tfjs.layers.Layer): (number | null)[] {
  const shape = layer.outputShape;
  return (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
}

/**
 * The layer the head reads: the last one with feature maps (rank 4): what comes after it (pooling,
 * flatten, a classifier) was fitted to the old task. A backbone without feature maps (a feature
 * vector model) is cut before its classifier (a dense layer with softmax, or one followed by a
 * softmax layer), else used whole.
 */
function featureLayerOf(model: tfjs.LayersModel): tfjs.layers.Layer | null {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const maps = layers.filter((l) => shapeOf(l).length === 4);
  if (maps.length > 0) return maps.at(-1)!;
  const activation = (l: tfjs.layers.Layer | undefined) => (l?.getConfig() as { activation?: string } | undefined)?.activation;
  let end = layers.length;
  if (layers[end - 1]?.getClassName() === 'Softmax') end--;
  const classifier = layers[end - 1];
  const isClassifier = classifier?.getClassName() === 'Dense' && (end < layers.length || activation(classifier) === 'softmax');
  if (isClassifier) return end >= 2 ? layers[end - 2]! : null;
  return layers.at(-1) ?? null;
}

/** The last block: the layers from the last convolution up to the feature layer. */
function lastBlock(model: tfjs.LayersModel): string[] {
  const names = model.layers.map((l) => l.getClassName());
  const lastConv = names.map((n, i) => (/Conv2D$/.test(n) ? i : -1)).filter((i) => i >= 0).at(-1);
  // `weights`, not `trainableWeights`: the model may be frozen already.
  if (lastConv === undefined) return model.layers.filter((l) => l.weights.length > 0).slice(-1).map((l) => l.name);
  return model.layers.slice(lastConv).filter((l) => l.weights.length > 0).map((l) => l.name);
}

/** A graph model's model.json: says so, or holds a GraphDef (nodes) rather than a Keras topology. */
function isGraphModel(json: ModelJson): boolean {
  return json.format === 'graph-model' || (typeof json.modelTopology === 'object' && json.modelTopology !== null && 'node' in json.modelTopology);
}

/** Where a graph model's folder is named: the folder's name, or the model.json's parent for a folder called "model". */
function nameOf(dir: string, fallback: string): string {
  return basename(dir) === 'model' || basename(dir) === '' ? fallback : basename(dir);
}

/**
 * Loads the backbone at `path`, cuts it at its feature layer and freezes it (but its last block when
 * `fineTune`). A graph model is run up to its feature node (`output`, else found: backbone-graph.ts)
 * and is always frozen.
 */
export async function loadBackbone(tf: Tf, path: string, fineTune: boolean, output?: string): Promise<LoadedBackbone> {
  registerGraphBackbone();
  const { dir, json, weights, sha256 } = await readFolder(resolve(path));
  if (isGraphModel(json)) {
    const graph = await loadGraphBackbone(tf, dir, json, weights, output, fineTune);
    return {
      model: graph.model,
      normalisation: null,
      info: { name: nameOf(dir, 'graph-model'), source: dir, sha256, format: 'graph-model', inputShape: graph.inputShape, featureLayer: graph.featureNode, featureShape: graph.featureShape, parameters: graph.parameters, fineTuned: [] },
    };
  }
  let full: tfjs.LayersModel;
  try {
    full = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs: json.weightsManifest!.flatMap((g) => g.weights) as tfjs.io.WeightsManifestEntry[], weightData: weights }),
    );
  } catch (error) {
    throw new UserInputError(`${dir}/model.json could not be built as a TensorFlow.js layers model (${(error as Error).message.split('\n')[0]}). It may use a layer TensorFlow.js does not have, or be damaged. ${HOW}`);
  }
  const input = full.inputs[0]?.shape ?? [];
  if (full.inputs.length !== 1 || input.length !== 4) {
    full.dispose();
    throw new UserInputError(`The backbone in ${dir} takes ${full.inputs.length === 1 ? `inputs of shape [${input.map((d) => d ?? 'any').join(', ')}]` : `${full.inputs.length} inputs`}; a picture backbone takes one input of height × width × channels.`);
  }
  const [, h, w, c] = input as [null, number | null, number | null, number | null];
  if (c !== 1 && c !== 3) {
    full.dispose();
    throw new UserInputError(`The backbone in ${dir} expects pictures with ${c ?? 'an unknown number of'} channels; only 1 (grey) or 3 (colour) channels can be fed. Use a backbone made for grey or RGB pictures.`);
  }
  if (h !== null && w !== null && h !== w) {
    full.dispose();
    throw new UserInputError(`The backbone in ${dir} expects ${w} × ${h} pictures; pictures are resized to a square here, so use a backbone with a square input (most take 224 × 224 or any size).`);
  }
  const feature = featureLayerOf(full);
  if (!feature) {
    full.dispose();
    throw new UserInputError(`The backbone in ${dir} has no layer with picture features to build on (no convolutional feature maps, no feature vector before a classifier).`);
  }
  const model = tf.model({ inputs: full.inputs, outputs: feature.output as tfjs.SymbolicTensor, name: 'backbone' });
  model.trainable = false;
  let fineTuned: string[] = [];
  if (fineTune) {
    fineTuned = lastBlock(model);
    model.trainable = true;
    for (const layer of model.layers) layer.trainable = fineTuned.includes(layer.name);
  }
  const preprocessing = await readFile(join(dir, 'preprocessing.json'), 'utf8').then((t) => JSON.parse(t) as { kind?: string; normalisation?: Normalisation; channels?: number }, () => null);
  const normalisation = preprocessing?.kind === 'image' && preprocessing.normalisation?.mean.length === c ? preprocessing.normalisation : null;
  const name = basename(dir) === 'model' || basename(dir) === '' ? full.name : basename(dir);
  return {
    model,
    normalisation,
    info: {
      name,
      source: dir,
      sha256,
      format: 'layers-model',
      inputShape: [h, w, c],
      featureLayer: feature.name,
      featureShape: shapeOf(feature).slice(1),
      parameters: model.countParams(),
      fineTuned,
    },
  };
}
