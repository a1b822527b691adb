/**
 * The image model version on disk, in the same layout as tabular ones (workers/trainer/artifact.ts,
 * whose checksum and verification code is reused): model.json + weights.bin (a tf.layers model,
 * input side × side × channels, output class probabilities), preprocessing.json (size, channels,
 * normalisation, classes), metadata.json (`kind: 'image'`), checksums.json.
 */
import { mkdir } from 'node:fs/promises';
import type * as tfjs from '@tensorflow/tfjs';
import { loadModelFiles, writeModelFiles, type Checksums, type WriteOptions } from '../trainer/artifact.js';
import type { Normalisation } from './data.js';
import { registerGraphBackbone } from './backbone-graph.js';

type Tf = typeof tfjs;

/** `preprocessing.json` of an image model: how a file becomes the network's input. */
export interface ImagePreprocessing {
  kind: 'image';
  side: number;
  channels: 1 | 3;
  /** Resize mode: the whole picture squeezed to side × side (no crop). */
  resize: 'fill';
  /** Alpha is flattened onto this colour before resizing. */
  background: '#ffffff';
  normalisation: Normalisation;
  classes: string[];
}

/** Writes the artifact to `dir` and returns its checksums (checksums.json written last, atomically). */
export async function writeImageArtifact(tf: Tf, dir: string, model: tfjs.LayersModel, preprocessing: ImagePreprocessing, metadata: Record<string, unknown>, options: WriteOptions = {}): Promise<Checksums> {
  await mkdir(dir, { recursive: true });
  return writeModelFiles(tf, dir, model, preprocessing, { kind: 'image', ...metadata }, options);
}

/** Loads a verified image artifact (throws `UserInputError` when a file is missing or changed). */
export async function loadImageArtifact(tf: Tf, dir: string): Promise<{ model: tfjs.LayersModel; preprocessing: ImagePreprocessing; metadata: Record<string, unknown> }> {
  // A transfer version may embed a graph-model backbone (a custom layer).
  registerGraphBackbone();
  const { model, preprocessing, metadata } = await loadModelFiles(tf, dir);
  return { model, preprocessing: preprocessing as ImagePreprocessing, metadata };
}
