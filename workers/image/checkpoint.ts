/**
 * Per-epoch checkpoints of an image run: weights (with batch-norm statistics), Adam's state, the
 * loop's generator and early-stopping state. Tied to the data and settings by a fingerprint;
 * written atomically (temp file + rename) so a crash mid-write keeps the previous one.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { UserInputError } from '../protocol.js';
import { readSealedFile, sealBytes, type ArtifactKey } from '../trainer/encryption.js';
import { restore, snapshot } from './model.js';
import type { LoopState } from './train.js';

type Tf = typeof tfjs;

interface Stored {
  version: 1;
  fingerprint: string;
  weights: string[];
  optimizer: { name: string; shape: number[]; values: string }[];
  loop: Omit<LoopState, 'best'> & { best: { valLoss: number; epoch: number; weights: string[] } | null };
}

const enc = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const dec = (t: string) => {
  const b = Buffer.from(t, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** Saves the state after an epoch; encrypted with `key` when given (encryption at rest: it holds the weights). */
export async function saveImageCheckpoint(tf: Tf, runDir: string, fingerprint: string, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, loop: LoopState, key?: ArtifactKey | null): Promise<void> {
  await mkdir(runDir, { recursive: true });
  const named = await optimizer.getWeights();
  const stored: Stored = {
    version: 1,
    fingerprint,
    weights: snapshot(model).map(enc),
    optimizer: named.map((n) => ({ name: n.name, shape: n.tensor.shape, values: enc(Float32Array.from(n.tensor.dataSync())) })),
    loop: { ...loop, best: loop.best ? { ...loop.best, weights: loop.best.weights.map(enc) } : null },
  };
  void tf;
  const path = join(runDir, 'checkpoint.json');
  await writeFile(`${path}.tmp`, sealBytes(Buffer.from(JSON.stringify(stored)), key, 'checkpoint.json'));
  await rename(`${path}.tmp`, path);
}

/** Restores a checkpoint into `model` and `optimizer`; returns the loop state. */
export async function loadImageCheckpoint(tf: Tf, runDir: string, fingerprint: string, model: tfjs.LayersModel, optimizer: tfjs.Optimizer): Promise<LoopState> {
  const bytes = await readSealedFile(runDir, 'checkpoint.json');
  let stored: Stored;
  try {
    if (!bytes) throw new Error('none');
    stored = JSON.parse(bytes.toString('utf8')) as Stored;
  } catch {
    throw new UserInputError(`There is no checkpoint to resume in ${runDir}: the run finished, or never completed an epoch. Start it again without resuming.`);
  }
  if (stored.fingerprint !== fingerprint) {
    throw new UserInputError('The checkpoint belongs to other data or settings (the pictures or a setting changed since). Start a new run instead of resuming.');
  }
  restore(tf, model, stored.weights.map(dec));
  await optimizer.setWeights(stored.optimizer.map((o) => ({ name: o.name, tensor: tf.tensor(dec(o.values), o.shape) })));
  return { ...stored.loop, best: stored.loop.best ? { ...stored.loop.best, weights: stored.loop.best.weights.map(dec) } : null };
}

/** Deletes the run's checkpoint once its artifact is complete. */
export async function removeImageCheckpoint(runDir: string): Promise<void> {
  await rm(runDir, { recursive: true, force: true });
}
