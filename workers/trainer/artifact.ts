/**
 * The model version on disk: a standard TensorFlow.js layers model (`model.json` + `weights.bin`),
 * the preprocessing and target encoding (`preprocessing.json`), what the run was
 * (`metadata.json`), and `checksums.json` with the SHA-256 of every file, so a directory edited
 * by hand is refused before it is used.
 *
 * Files are written through a custom IOHandler: tfjs's `file://` handler exists only in tfjs-node.
 * With encryption at rest on (`encryption.ts`), weights.bin is AES-GCM encrypted with the
 * installation's key and metadata.json says so; `loadModelFiles` decrypts it transparently.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { ensureFreeSpace } from '../disk.js';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { UserInputError } from '../protocol.js';
import type { Preprocessing } from './preprocess.js';
import type { TargetSpec } from './task.js';
import type { MlpSpec } from './mlp.js';
import { encryptBytes, readArtifactFile, type ArtifactKey } from './encryption.js';

type Tf = typeof tfjs;

/** `preprocessing.json`: everything needed to turn raw rows into inputs and outputs back into answers. */
export interface SavedPipeline {
  preprocessing: Preprocessing;
  target: TargetSpec;
}

/** `checksums.json`. */
export interface Checksums {
  algorithm: 'sha256';
  /** File name → hex digest, for every file of the artifact except this one. */
  files: Record<string, string>;
}

export const MODEL_FILES = ['model.json', 'weights.bin', 'preprocessing.json', 'metadata.json'] as const;

/** The output layer's activation for a task: probabilities for classification, the value for regression. */
export function outputActivation(task: TargetSpec['task']): 'sigmoid' | 'softmax' | 'linear' {
  return task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear';
}

/**
 * Writes the artifact to `dir` (created) and returns its checksums. A pipeline without a target
 * (an autoencoder's, which reconstructs its inputs) gets a linear output layer.
 */
export async function writeArtifact(
  tf: Tf,
  dir: string,
  spec: MlpSpec,
  params: Float32Array[],
  pipeline: { preprocessing: Preprocessing; target?: TargetSpec },
  metadata: Record<string, unknown>,
  options: WriteOptions = {},
): Promise<Checksums> {
  // Weights are 4 bytes a parameter; the JSON files are small beside them, a few MB at most.
  ensureFreeSpace(dir, params.reduce((sum, p) => sum + p.length * 4, 0) + 4 * 1024 * 1024, 'the model files');
  await mkdir(dir, { recursive: true });
  const model = buildLayersModel(tf, spec, params, pipeline.target ? outputActivation(pipeline.target.task) : 'linear');
  try {
    return await writeModelFiles(tf, dir, model, pipeline, metadata, options);
  } finally {
    model.dispose();
  }
}

/**
 * Writes any pilot kind's artifact files into `dir` (which exists): the tfjs layers model
 * (model.json + weights.bin), preprocessing.json and metadata.json as given, then checksums.json.
 * The caller keeps and disposes the model.
 */
/** How the model files are written. */
export interface WriteOptions {
  /** Encrypt weights.bin with this installation key (encryption at rest); plain when absent. */
  encryptWith?: ArtifactKey | null;
}

export async function writeModelFiles(tf: Tf, dir: string, model: tfjs.LayersModel, preprocessing: unknown, metadata: Record<string, unknown>, options: WriteOptions = {}): Promise<Checksums> {
  const key = options.encryptWith ?? null;
  await model.save({
    save: async (artifacts) => {
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
      const data = artifacts.weightData;
      const buffer = data === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(data);
      const weights = Buffer.from(buffer);
      await writeFile(join(dir, 'weights.bin'), key ? encryptBytes(weights, key, 'weights.bin') : weights);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  await writeFile(join(dir, 'preprocessing.json'), JSON.stringify(preprocessing, null, 1));
  const recorded = key ? { ...metadata, encryption: { algorithm: 'aes-256-gcm', files: ['weights.bin'], keyFingerprint: key.fingerprint } } : metadata;
  await writeFile(join(dir, 'metadata.json'), JSON.stringify(recorded, null, 1));
  const checksums: Checksums = { algorithm: 'sha256', files: {} };
  for (const file of MODEL_FILES) checksums.files[file] = await sha256File(join(dir, file));
  // Written last and atomically: a directory with a complete checksums.json is a complete artifact.
  await writeFile(join(dir, 'checksums.json.tmp'), JSON.stringify(checksums, null, 1));
  await rename(join(dir, 'checksums.json.tmp'), join(dir, 'checksums.json'));
  return checksums;
}

/** The tfjs layers model of an Mlp with the given weights (dense ReLU layers, an optional linear skip path, then `activation`). */
export function buildLayersModel(tf: Tf, spec: MlpSpec, params: Float32Array[], activation: 'sigmoid' | 'softmax' | 'linear'): tfjs.LayersModel {
  const input = tf.input({ shape: [spec.inputs], name: 'features' });
  const units = [...spec.hidden, spec.outputs];
  const sizes = [spec.inputs, ...units];
  const dense: tfjs.layers.Layer[] = [];
  let x = input as tfjs.SymbolicTensor;
  units.forEach((n, l) => {
    const last = l === units.length - 1;
    const layer = tf.layers.dense({ units: n, activation: last && !spec.skip ? activation : last ? 'linear' : 'relu', name: `dense_${l + 1}` });
    dense.push(layer);
    x = layer.apply(x) as tfjs.SymbolicTensor;
  });
  let skipLayer: tfjs.layers.Layer | null = null;
  if (spec.skip) {
    // Wide & deep: the linear path is added to the network's logits before the output activation.
    skipLayer = tf.layers.dense({ units: spec.outputs, useBias: false, name: 'linear_skip' });
    const summed = tf.layers.add({ name: 'logits' }).apply([x, skipLayer.apply(input) as tfjs.SymbolicTensor]) as tfjs.SymbolicTensor;
    x = tf.layers.activation({ activation, name: 'output' }).apply(summed) as tfjs.SymbolicTensor;
  }
  const model = tf.model({ inputs: input, outputs: x });
  dense.forEach((layer, l) => {
    const w = tf.tensor2d(params[2 * l]!, [sizes[l]!, sizes[l + 1]!]);
    const b = tf.tensor1d(params[2 * l + 1]!);
    layer.setWeights([w, b]);
    w.dispose();
    b.dispose();
  });
  if (skipLayer) {
    const w = tf.tensor2d(params[params.length - 1]!, [spec.inputs, spec.outputs]);
    skipLayer.setWeights([w]);
    w.dispose();
  }
  return model;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/**
 * Checks every file against `checksums.json`. Throws `UserInputError` naming the first file that
 * is missing or differs, so a hand-edited or half-copied model is never used.
 */
export async function verifyArtifact(dir: string): Promise<Checksums> {
  let checksums: Checksums;
  try {
    checksums = JSON.parse(await readFile(join(dir, 'checksums.json'), 'utf8')) as Checksums;
  } catch {
    throw new UserInputError(`${dir} is not a complete model directory (checksums.json is missing or unreadable). Pick the model's folder, or train the model again.`);
  }
  for (const file of MODEL_FILES) {
    const expected = checksums.files?.[file];
    if (!expected) throw new UserInputError(`${dir}/checksums.json does not list ${file}: the model directory was edited by hand. Restore it from a backup, or train again.`);
    let actual: string;
    try {
      actual = await sha256File(join(dir, file));
    } catch {
      throw new UserInputError(`${dir} is missing ${file}. Restore the model directory from a backup, or train again.`);
    }
    if (actual !== expected) {
      throw new UserInputError(
        `${file} in ${dir} does not match its checksum: the model was changed after training (edited by hand or damaged). Restore it from a backup, or train again.`,
      );
    }
  }
  return checksums;
}

/** Loads a verified artifact: the tfjs model and its pipeline. */
export async function loadArtifact(tf: Tf, dir: string): Promise<{ model: tfjs.LayersModel; pipeline: SavedPipeline; metadata: Record<string, unknown> }> {
  const { model, preprocessing, metadata } = await loadModelFiles(tf, dir);
  return { model, pipeline: preprocessing as SavedPipeline, metadata };
}

/**
 * Any pilot kind's verified artifact: the tfjs model, and its preprocessing.json and metadata.json
 * as read (each kind knows its own preprocessing shape). Throws `UserInputError` when a file is
 * missing or changed.
 */
export async function loadModelFiles(tf: Tf, dir: string): Promise<{ model: tfjs.LayersModel; preprocessing: unknown; metadata: Record<string, unknown> }> {
  await verifyArtifact(dir);
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tfjs.io.ModelJSON;
  // Decrypted here when encrypted at rest (after the checksums of the bytes on disk were verified).
  const weights = await readArtifactFile(dir, 'weights.bin');
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      format: modelJson.format,
    }),
  });
  const preprocessing: unknown = JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8'));
  const metadata = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
  return { model, preprocessing, metadata };
}

/**
 * The artifact's files (MODEL_FILES and checksums.json) as a plain, verifiable copy for handing a
 * model out (TensorFlow.js export, Kubernetes package): encrypted weights are decrypted, the
 * metadata loses its `encryption` note and the checksums are those of the copy. As stored when the
 * model is not encrypted.
 */
export async function plainArtifactFiles(dir: string): Promise<Array<{ path: string; content: Uint8Array }>> {
  await verifyArtifact(dir);
  const files = new Map<string, Buffer>();
  for (const file of MODEL_FILES) files.set(file, file === 'weights.bin' ? await readArtifactFile(dir, file) : await readFile(join(dir, file)));
  const stored = await readFile(join(dir, 'weights.bin'));
  let checksums = await readFile(join(dir, 'checksums.json'));
  if (!stored.equals(files.get('weights.bin')!)) {
    const { encryption: _encryption, ...metadata } = JSON.parse(files.get('metadata.json')!.toString('utf8')) as Record<string, unknown>;
    files.set('metadata.json', Buffer.from(JSON.stringify(metadata, null, 1)));
    const sums: Checksums = { algorithm: 'sha256', files: {} };
    for (const [file, content] of files) sums.files[file] = createHash('sha256').update(content).digest('hex');
    checksums = Buffer.from(JSON.stringify(sums, null, 1));
  }
  return [...[...files].map(([path, content]) => ({ path, content: new Uint8Array(content) })), { path: 'checksums.json', content: new Uint8Array(checksums) }];
}
