/**
 * Per-epoch checkpoints of a text run: the network's weights and Adam moments (a binary file, as
 * the tables are megabytes) and the loop state (JSON), tied to the data and settings by a
 * fingerprint. Written atomically: a crash mid-write leaves the previous checkpoint. While
 * encryption at rest is on, both files are encrypted like the model's weights (they hold them).
 */
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserInputError } from '../protocol.js';
import { readSealedFile, sealBytes, type ArtifactKey } from '../trainer/encryption.js';
import type { TextLoopState } from './fit.js';
import type { BagState } from './network.js';

const ARRAYS = ['e', 'w', 'b', 'vE', 'mW', 'vW', 'mB', 'vB'] as const;

interface Stored {
  version: 2;
  fingerprint: string;
  step: number;
  lengths: number[];
  loop: Omit<TextLoopState, 'best'> & { hasBest: boolean };
}

export async function saveTextCheckpoint(runDir: string, fingerprint: string, net: BagState, loop: TextLoopState, key?: ArtifactKey | null): Promise<void> {
  await mkdir(runDir, { recursive: true });
  const arrays: Float32Array[] = ARRAYS.map((k) => net[k]);
  if (loop.best) arrays.push(loop.best.e, loop.best.w, loop.best.b);
  const { best: _best, ...rest } = loop;
  const stored: Stored = { version: 2, fingerprint, step: net.step, lengths: arrays.map((a) => a.length), loop: { ...rest, hasBest: loop.best !== null } };
  const views = arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  if (key) {
    // Encrypted as one piece (bound to its name), as the model's weights are.
    await writeFile(join(runDir, 'checkpoint.bin.tmp'), sealBytes(Buffer.concat(views), key, 'checkpoint.bin'));
  } else {
    // Array by array: no copy of tens of megabytes into one buffer each epoch.
    const file = await open(join(runDir, 'checkpoint.bin.tmp'), 'w');
    try {
      for (const view of views) await file.write(view);
    } finally {
      await file.close();
    }
  }
  await writeFile(join(runDir, 'checkpoint.json.tmp'), sealBytes(Buffer.from(JSON.stringify(stored)), key, 'checkpoint.json'));
  await rename(join(runDir, 'checkpoint.bin.tmp'), join(runDir, 'checkpoint.bin'));
  await rename(join(runDir, 'checkpoint.json.tmp'), join(runDir, 'checkpoint.json'));
}

export async function loadTextCheckpoint(runDir: string, fingerprint: string): Promise<{ net: BagState; loop: TextLoopState }> {
  const json = await readSealedFile(runDir, 'checkpoint.json');
  const sealed = json ? await readSealedFile(runDir, 'checkpoint.bin') : null;
  let stored: Stored;
  let bin: Buffer;
  try {
    if (!json || !sealed) throw new Error('none');
    stored = JSON.parse(json.toString('utf8')) as Stored;
    bin = sealed;
  } catch {
    throw new UserInputError(`There is no checkpoint to resume from in ${runDir}. Start the training again without resuming.`);
  }
  if (stored.version !== 2) {
    throw new UserInputError('The checkpoint was written by an older version of the workbench, whose text network kept other optimiser state. Start the training again without resuming.');
  }
  if (stored.fingerprint !== fingerprint) {
    throw new UserInputError('The checkpoint was made with different data or settings, so the run cannot resume from it. Use the same data and settings, or start a new run.');
  }
  let at = 0;
  const f = (length: number): Float32Array => {
    const bytes = bin.buffer.slice(bin.byteOffset + at, bin.byteOffset + at + length * 4);
    at += length * 4;
    return new Float32Array(bytes);
  };
  const [le, lw, lb, lvE, lmW, lvW, lmB, lvB] = stored.lengths as [number, number, number, number, number, number, number, number];
  const net: BagState = { e: f(le), w: f(lw), b: f(lb), vE: f(lvE), mW: f(lmW), vW: f(lvW), mB: f(lmB), vB: f(lvB), step: stored.step };
  const { hasBest, ...loop } = stored.loop;
  const best = hasBest ? { e: f(stored.lengths[8]!), w: f(stored.lengths[9]!), b: f(stored.lengths[10]!) } : null;
  return { net, loop: { ...loop, best } };
}

export async function removeTextCheckpoint(runDir: string): Promise<void> {
  await rm(join(runDir, 'checkpoint.json'), { force: true });
  await rm(join(runDir, 'checkpoint.bin'), { force: true });
}
