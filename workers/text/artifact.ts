/**
 * The text model version on disk, in the same layout and checksum conventions as the tabular one
 * (`trainer/artifact.ts`): `model.json` + `weights.bin` (a tfjs layers model), `preprocessing.json`
 * (tokenizer and hashing settings, classes), `metadata.json` (`kind: 'text'`), `checksums.json`.
 *
 * The layers model takes a document's bag as a dense vector over the hash buckets (the feature
 * weights, summing to 1): a bias-free dense layer of buckets × dim is exactly the embedding table,
 * so `Dense(dim, no bias) → Dense(outputs)` computes the same mean-of-embeddings network.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { MODEL_FILES, sha256File, verifyArtifact, type Checksums } from '../trainer/artifact.js';
import type { BagSpec } from './network.js';
import type { TokenizerSettings } from './tokenize.js';

type Tf = typeof tfjs;

/** `preprocessing.json` of a text model. */
export interface TextPipeline {
  kind: 'text';
  tokenizer: TokenizerSettings;
  /** The normalisations the tokenizer applies, in words (for people reading the file). */
  normalisation: string;
  maskPii: boolean;
  maxChars: number;
  task: 'binary' | 'multiclass';
  /** Class labels; output k is `classes[k]` (binary: `classes[1]` is the positive class, the sigmoid's). */
  classes: string[];
  textColumn: string;
  target: string;
  spec: BagSpec;
}

export async function writeTextArtifact(tf: Tf, dir: string, spec: BagSpec, params: { e: Float32Array; w: Float32Array; b: Float32Array }, pipeline: TextPipeline, metadata: Record<string, unknown>): Promise<Checksums> {
  await mkdir(dir, { recursive: true });
  const model = buildModel(tf, spec, pipeline.task);
  const tensors = [tf.tensor2d(params.e, [spec.buckets, spec.dim]), tf.tensor2d(params.w, [spec.dim, spec.outputs]), tf.tensor1d(params.b)];
  model.layers[1]!.setWeights([tensors[0]!]);
  model.layers[2]!.setWeights([tensors[1]!, tensors[2]!]);
  for (const t of tensors) t.dispose();
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
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(data === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(data)));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  model.dispose();
  await writeFile(join(dir, 'preprocessing.json'), JSON.stringify(pipeline, null, 1));
  await writeFile(join(dir, 'metadata.json'), JSON.stringify({ kind: 'text', ...metadata }, null, 1));
  const checksums: Checksums = { algorithm: 'sha256', files: {} };
  for (const file of MODEL_FILES) checksums.files[file] = await sha256File(join(dir, file));
  await writeFile(join(dir, 'checksums.json.tmp'), JSON.stringify(checksums, null, 1));
  await rename(join(dir, 'checksums.json.tmp'), join(dir, 'checksums.json'));
  return checksums;
}

/** The layers model; its weights are set from the trained state (the table starts at zeros: drawing millions of random numbers only to overwrite them cost a quarter of a second). */
function buildModel(tf: Tf, spec: BagSpec, task: 'binary' | 'multiclass'): tfjs.LayersModel {
  const input = tf.input({ shape: [spec.buckets], name: 'bag' });
  const bag = tf.layers.dense({ units: spec.dim, useBias: false, name: 'embedding_bag', kernelInitializer: 'zeros' }).apply(input) as tfjs.SymbolicTensor;
  const out = tf.layers.dense({ units: spec.outputs, activation: task === 'binary' ? 'sigmoid' : 'softmax', name: 'output' }).apply(bag) as tfjs.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Loads a verified text artifact: the tfjs model and its pipeline. */
export async function loadTextArtifact(tf: Tf, dir: string): Promise<{ model: tfjs.LayersModel; pipeline: TextPipeline; metadata: Record<string, unknown> }> {
  await verifyArtifact(dir);
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tfjs.io.ModelJSON;
  const weights = await readFile(join(dir, 'weights.bin'));
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      format: modelJson.format,
    }),
  });
  const pipeline = JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8')) as TextPipeline;
  const metadata = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
  return { model, pipeline, metadata };
}
