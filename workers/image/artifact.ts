/**
 * The image model version on disk, in the same layout as tabular ones (workers/trainer/artifact.ts,
 * whose checksum and verification code is reused): model.json + weights.bin (a tf.layers model,
 * input side × side × channels, output class probabilities), preprocessing.json (size, channels,
 * normalisation, classes), metadata.json (`kind: 'image'`), checksums.json.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { loadModelFiles, MODEL_FILES, sha256File, type Checksums } from '../trainer/artifact.js';
import type { Normalisation } from './data.js';

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
export async function writeImageArtifact(tf: Tf, dir: string, model: tfjs.LayersModel, preprocessing: ImagePreprocessing, metadata: Record<string, unknown>): Promise<Checksums> {
  await mkdir(dir, { recursive: true });
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
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(buffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  await writeFile(join(dir, 'preprocessing.json'), JSON.stringify(preprocessing, null, 1));
  await writeFile(join(dir, 'metadata.json'), JSON.stringify({ kind: 'image', ...metadata }, null, 1));
  const checksums: Checksums = { algorithm: 'sha256', files: {} };
  for (const file of MODEL_FILES) checksums.files[file] = await sha256File(join(dir, file));
  await writeFile(join(dir, 'checksums.json.tmp'), JSON.stringify(checksums, null, 1));
  await rename(join(dir, 'checksums.json.tmp'), join(dir, 'checksums.json'));
  return checksums;
}

/** Loads a verified image artifact (throws `UserInputError` when a file is missing or changed). */
export async function loadImageArtifact(tf: Tf, dir: string): Promise<{ model: tfjs.LayersModel; preprocessing: ImagePreprocessing; metadata: Record<string, unknown> }> {
  const { model, preprocessing, metadata } = await loadModelFiles(tf, dir);
  return { model, preprocessing: preprocessing as ImagePreprocessing, metadata };
}
