/**
 * Per-epoch checkpoints, so a run whose worker died (or was cancelled) resumes at its last
 * completed epoch instead of starting over. A checkpoint holds the weights, Adam's moments, the
 * random generator's state and the early-stopping state: resuming gives the same result as not
 * stopping. It is tied to the data and settings by a fingerprint and refused if they changed.
 * While encryption at rest is on it is encrypted like the model's weights (it holds them too).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserInputError } from '../protocol.js';
import { readSealedFile, sealBytes, type ArtifactKey } from './encryption.js';
import type { LoopState } from './fit.js';
import type { MlpState } from './mlp.js';

export interface Checkpoint {
  version: 1;
  /** Hash of the dataset and every setting that shapes training; a resume must match it. */
  fingerprint: string;
  mlp: MlpState;
  loop: LoopState;
}

interface Stored {
  version: 1;
  fingerprint: string;
  mlp: { params: string[]; m: string[]; v: string[]; step: number };
  loop: Omit<LoopState, 'best'> & { best: { valLoss: number; epoch: number; params: string[] } | null };
}

const encode = (arrays: Float32Array[]) => arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'));
const decode = (texts: string[]) =>
  texts.map((text) => {
    const bytes = Buffer.from(text, 'base64');
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });

export function checkpointPath(runDir: string): string {
  return join(runDir, 'checkpoint.json');
}

/** Writes atomically (temp file + rename): a crash mid-write leaves the previous checkpoint intact. Encrypted with `key` when given. */
export async function saveCheckpoint(runDir: string, checkpoint: Checkpoint, key?: ArtifactKey | null): Promise<void> {
  await mkdir(runDir, { recursive: true });
  const { mlp, loop } = checkpoint;
  const stored: Stored = {
    version: 1,
    fingerprint: checkpoint.fingerprint,
    mlp: { params: encode(mlp.params), m: encode(mlp.m), v: encode(mlp.v), step: mlp.step },
    loop: { ...loop, best: loop.best ? { ...loop.best, params: encode(loop.best.params) } : null },
  };
  const path = checkpointPath(runDir);
  await writeFile(`${path}.tmp`, sealBytes(Buffer.from(JSON.stringify(stored)), key, 'checkpoint.json'));
  await rename(`${path}.tmp`, path);
}

/** Reads the checkpoint of `runDir`; throws `UserInputError` when there is none or it belongs to other data or settings. */
export async function loadCheckpoint(runDir: string, fingerprint: string): Promise<Checkpoint> {
  const bytes = await readSealedFile(runDir, 'checkpoint.json');
  let stored: Stored;
  try {
    if (!bytes) throw new Error('none');
    stored = JSON.parse(bytes.toString('utf8')) as Stored;
  } catch {
    throw new UserInputError(`There is no checkpoint to resume from in ${runDir}. Start the training again without resuming.`);
  }
  if (stored.fingerprint !== fingerprint) {
    throw new UserInputError(
      'The checkpoint was made with different data or settings, so the run cannot resume from it. Use the same file and settings, or start a new run.',
    );
  }
  return {
    version: 1,
    fingerprint,
    mlp: { params: decode(stored.mlp.params), m: decode(stored.mlp.m), v: decode(stored.mlp.v), step: stored.mlp.step },
    loop: { ...stored.loop, best: stored.loop.best ? { ...stored.loop.best, params: decode(stored.loop.best.params) } : null },
  };
}

export async function removeCheckpoint(runDir: string): Promise<void> {
  await rm(checkpointPath(runDir), { force: true });
}
