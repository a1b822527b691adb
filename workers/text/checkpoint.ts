/**
 * Per-epoch checkpoints of a text run: the network's weights and Adam moments (a binary file, as
 * the tables are megabytes) and the loop state (JSON), tied to the data and settings by a
 * fingerprint. Written atomically: a crash mid-write leaves the previous checkpoint.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserInputError } from '../protocol.js';
import type { TextLoopState } from './fit.js';
import type { BagState } from './network.js';

const ARRAYS = ['e', 'w', 'b', 'mE', 'vE', 'mW', 'vW', 'mB', 'vB'] as const;

interface Stored {
  version: 1;
  fingerprint: string;
  step: number;
  lengths: number[];
  loop: Omit<TextLoopState, 'best'> & { hasBest: boolean };
}

export async function saveTextCheckpoint(runDir: string, fingerprint: string, net: BagState, loop: TextLoopState): Promise<void> {
  await mkdir(runDir, { recursive: true });
  const arrays: Array<Float32Array | Int32Array> = [...ARRAYS.map((k) => net[k]), net.lastStep];
  if (loop.best) arrays.push(loop.best.e, loop.best.w, loop.best.b);
  const { best: _best, ...rest } = loop;
  const stored: Stored = { version: 1, fingerprint, step: net.step, lengths: arrays.map((a) => a.length), loop: { ...rest, hasBest: loop.best !== null } };
  const bin = Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  await writeFile(join(runDir, 'checkpoint.bin.tmp'), bin);
  await writeFile(join(runDir, 'checkpoint.json.tmp'), JSON.stringify(stored));
  await rename(join(runDir, 'checkpoint.bin.tmp'), join(runDir, 'checkpoint.bin'));
  await rename(join(runDir, 'checkpoint.json.tmp'), join(runDir, 'checkpoint.json'));
}

export async function loadTextCheckpoint(runDir: string, fingerprint: string): Promise<{ net: BagState; loop: TextLoopState }> {
  let stored: Stored;
  let bin: Buffer;
  try {
    stored = JSON.parse(await readFile(join(runDir, 'checkpoint.json'), 'utf8')) as Stored;
    bin = await readFile(join(runDir, 'checkpoint.bin'));
  } catch {
    throw new UserInputError(`There is no checkpoint to resume from in ${runDir}. Start the training again without resuming.`);
  }
  if (stored.fingerprint !== fingerprint) {
    throw new UserInputError('The checkpoint was made with different data or settings, so the run cannot resume from it. Use the same data and settings, or start a new run.');
  }
  let at = 0;
  const take = (length: number, int: boolean): Float32Array | Int32Array => {
    const bytes = bin.buffer.slice(bin.byteOffset + at, bin.byteOffset + at + length * 4);
    at += length * 4;
    return int ? new Int32Array(bytes) : new Float32Array(bytes);
  };
  const [le, lw, lb, lmE, lvE, lmW, lvW, lmB, lvB, lLast] = stored.lengths as [number, number, number, number, number, number, number, number, number, number];
  const f = (n: number) => take(n, false) as Float32Array;
  const net: BagState = { e: f(le), w: f(lw), b: f(lb), mE: f(lmE), vE: f(lvE), mW: f(lmW), vW: f(lvW), mB: f(lmB), vB: f(lvB), lastStep: take(lLast, true) as Int32Array, step: stored.step };
  const { hasBest, ...loop } = stored.loop;
  const best = hasBest ? { e: f(stored.lengths[10]!), w: f(stored.lengths[11]!), b: f(stored.lengths[12]!) } : null;
  return { net, loop: { ...loop, best } };
}

export async function removeTextCheckpoint(runDir: string): Promise<void> {
  await rm(join(runDir, 'checkpoint.json'), { force: true });
  await rm(join(runDir, 'checkpoint.bin'), { force: true });
}
