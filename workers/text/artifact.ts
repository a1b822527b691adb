/**
 * The text model version on disk, in the same layout and checksum conventions as the tabular one
 * (`trainer/artifact.ts`): `model.json` + `weights.bin` (a tfjs layers model), `preprocessing.json`
 * (tokenizer and hashing settings, classes), `metadata.json` (`kind: 'text'`), `checksums.json`.
 *
 * The layers model takes a document's bag as a dense vector over the hash buckets (the feature
 * weights, summing to 1): a bias-free dense layer of buckets × dim is exactly the embedding table,
 * so `Dense(dim, no bias) → Dense(outputs)` computes the same mean-of-embeddings network.
 */
import { mkdir } from 'node:fs/promises';
import type * as tfjs from '@tensorflow/tfjs';
import { loadModelFiles, writeModelFiles, type Checksums, type WriteOptions } from '../trainer/artifact.js';
import type { BagSpec, BagWeights } from './network.js';
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

/**
 * Writes the text model with the shared writer (trainer/artifact.ts `writeModelFiles`), so its
 * weights are encrypted at rest like every other kind's when that is on.
 */
export async function writeTextArtifact(
  tf: Tf,
  dir: string,
  spec: BagSpec,
  params: { e: Float32Array; w: Float32Array; b: Float32Array },
  pipeline: TextPipeline,
  metadata: Record<string, unknown>,
  options: WriteOptions = {},
): Promise<Checksums> {
  await mkdir(dir, { recursive: true });
  const model = buildModel(tf, spec, pipeline.task);
  const tensors = [tf.tensor2d(params.e, [spec.buckets, spec.dim]), tf.tensor2d(params.w, [spec.dim, spec.outputs]), tf.tensor1d(params.b)];
  model.layers[1]!.setWeights([tensors[0]!]);
  model.layers[2]!.setWeights([tensors[1]!, tensors[2]!]);
  for (const t of tensors) t.dispose();
  try {
    return await writeModelFiles(tf, dir, model, pipeline, { kind: 'text', ...metadata }, options);
  } finally {
    model.dispose();
  }
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
  // Verified, and decrypted when encrypted at rest, by the shared reader.
  const { model, preprocessing, metadata } = await loadModelFiles(tf, dir);
  return { model, pipeline: preprocessing as TextPipeline, metadata };
}

/**
 * The saved network's weights as the explainers read them (`explain.ts` `highlight`): the
 * embedding table is the bias-free dense layer, the head the output layer (see `buildModel`).
 */
export function savedBag(model: tfjs.LayersModel, pipeline: TextPipeline): BagWeights {
  const [table] = model.getLayer('embedding_bag').getWeights();
  const [kernel, bias] = model.getLayer('output').getWeights();
  if (!table || !kernel || !bias) throw new Error('The text model has no embedding or output weights.');
  return {
    spec: pipeline.spec,
    state: { e: Float32Array.from(table.dataSync()), w: Float32Array.from(kernel.dataSync()), b: Float32Array.from(bias.dataSync()) },
  };
}
