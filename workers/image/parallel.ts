/**
 * Data-parallel training steps on two cores: tfjs-backend-wasm runs single-threaded in Node, so a
 * second worker thread with its own wasm backend and `WasmCnn` computes the gradients of the second
 * half of every batch while this thread computes the first half's. The two gradients are added
 * (the loss is Σ wᵢ·CEᵢ / wSum over the whole batch, so the halves' gradients sum to the batch's)
 * and one Adam step is taken here. The result equals one-thread training on the same batches to
 * float rounding, and is the same for the same seed on every run (the sum is always taken in the
 * same order).
 *
 * Everything crosses in SharedArrayBuffers (the weights, the half batch, the gradients back); the
 * two sides hand over with Atomics (`ctrl[0]`: the request number, `ctrl[1]`: the last one done).
 * The thread entry is the bundled `image-thread.js` (build/build.mjs); without it, or on one core,
 * training stays on one thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { adamStep } from '../trainer/adam.js';
import type { StepResult, WasmCnn } from './cnn-wasm.js';
import type { CnnSpec } from './model.js';

/** What the thread is given at start (`workerData`). */
export interface ThreadSetup {
  spec: CnnSpec;
  maxBatch: number;
  sizes: number[];
  buffers: SharedBuffers;
}

/** The shared memory of one helper thread. */
export interface SharedBuffers {
  /** [request, done, batch, flags (1: a dropout mask, −1: quit, −2: failed)]. */
  ctrl: SharedArrayBuffer;
  /** [wSum, loss]. */
  scalars: SharedArrayBuffer;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  x: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  weights: SharedArrayBuffer;
  mask: SharedArrayBuffer;
  predicted: SharedArrayBuffer;
}

/** The thread entry file, if this build has one: `PILOT_IMAGE_THREAD`, or `image-thread.(m)js` beside this module (or its parent folder). */
export function findImageThreadEntry(): string | null {
  const fromEnv = process.env.PILOT_IMAGE_THREAD;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  let here: string;
  try {
    here = dirname(fileURLToPath(import.meta.url));
  } catch {
    return null;
  }
  for (const folder of [here, join(here, '..')]) {
    for (const name of ['image-thread.js', 'image-thread.mjs']) {
      const candidate = join(folder, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

/** How many threads train: 2 when asked for (or `auto`) on a machine with ≥ 2 cores and a thread entry, else 1; with the reason. */
export function trainingThreads(requested: 'auto' | 1 | 2, entry: string | null): { threads: 1 | 2; reason: string } {
  if (requested === 1) return { threads: 1, reason: 'one thread (chosen)' };
  const cores = availableParallelism();
  if (cores < 2) return { threads: 1, reason: 'one thread: this machine has one core' };
  if (!entry) return { threads: 1, reason: 'one thread: this build has no image-thread entry' };
  return { threads: 2, reason: `two data-parallel threads (${cores} cores)` };
}

/** The helper thread seen from the training loop. */
export class GradientHelper {
  private readonly ctrl: Int32Array;
  private readonly scalars: Float64Array;
  private readonly params: Float32Array[];
  private readonly grads: Float32Array[];
  private readonly x: Float32Array;
  private readonly labels: Int32Array;
  private readonly weights: Float32Array;
  private readonly mask: Float32Array;
  private readonly predicted: Int32Array;
  private request = 0;
  private failure: Error | null = null;
  /** Milliseconds this thread spent in each part of the parallel steps (for the step bench). */
  readonly phases = new StepPhases();

  private constructor(
    private readonly worker: Worker,
    buffers: SharedBuffers,
    sizes: number[],
  ) {
    this.ctrl = new Int32Array(buffers.ctrl);
    this.scalars = new Float64Array(buffers.scalars);
    this.params = views(buffers.params, sizes);
    this.grads = views(buffers.grads, sizes);
    this.x = new Float32Array(buffers.x);
    this.labels = new Int32Array(buffers.labels);
    this.weights = new Float32Array(buffers.weights);
    this.mask = new Float32Array(buffers.mask);
    this.predicted = new Int32Array(buffers.predicted);
    worker.on('error', (error) => (this.failure = error));
  }

  /** Starts the thread and waits until its backend is up; null (with the reason) when it cannot start. */
  static async start(entry: string, spec: CnnSpec, maxBatch: number, sizes: number[]): Promise<GradientHelper | { error: string }> {
    const half = Math.ceil(maxBatch / 2);
    const total = sizes.reduce((s, n) => s + n, 0);
    const size = spec.side * spec.side * spec.channels;
    const buffers: SharedBuffers = {
      ctrl: new SharedArrayBuffer(16),
      scalars: new SharedArrayBuffer(16),
      params: new SharedArrayBuffer(4 * total),
      grads: new SharedArrayBuffer(4 * total),
      x: new SharedArrayBuffer(4 * half * size),
      labels: new SharedArrayBuffer(4 * half),
      weights: new SharedArrayBuffer(4 * half),
      mask: new SharedArrayBuffer(4 * half * spec.dense),
      predicted: new SharedArrayBuffer(4 * half),
    };
    const setup: ThreadSetup = { spec, maxBatch: half, sizes, buffers };
    const worker = new Worker(entry, { workerData: setup });
    const ready = await new Promise<string | null>((resolve) => {
      worker.once('message', (m: { type: string; message?: string }) => resolve(m.type === 'ready' ? null : (m.message ?? 'the thread did not start')));
      worker.once('error', (error) => resolve(error.message));
      worker.once('exit', (code) => resolve(`the thread stopped (exit code ${code})`));
    });
    if (ready !== null) {
      void worker.terminate();
      return { error: ready };
    }
    return new GradientHelper(worker, buffers, sizes);
  }

  /** Hands the thread the second part of a batch (pictures `x`, `b` of them) and the current weights. */
  begin(params: Float32Array[], x: Float32Array, b: number, labels: Int32Array, weights: Float32Array, wSum: number, mask: Float32Array | null): void {
    params.forEach((p, i) => this.params[i]!.set(p));
    this.x.set(x);
    this.labels.set(labels);
    this.weights.set(weights);
    if (mask) this.mask.set(mask);
    this.scalars[0] = wSum;
    Atomics.store(this.ctrl, 2, b);
    Atomics.store(this.ctrl, 3, mask ? 1 : 0);
    this.request++;
    Atomics.store(this.ctrl, 0, this.request);
    Atomics.notify(this.ctrl, 0);
  }

  /** Waits for the thread's gradients and adds them to `into`; returns its loss part and predictions. */
  finish(into: Float32Array[]): StepResult {
    const waitStart = performance.now();
    while (Atomics.load(this.ctrl, 1) !== this.request) {
      if (this.failure) throw this.failure;
      if (Atomics.load(this.ctrl, 3) === -2) throw new Error('The second training thread failed.');
      // Woken by the thread's notify; the timeout only lets a dead thread be noticed.
      Atomics.wait(this.ctrl, 1, this.request - 1, 1000);
    }
    this.phases.wait += performance.now() - waitStart;
    this.grads.forEach((g, i) => {
      const target = into[i]!;
      for (let j = 0; j < g.length; j++) target[j]! += g[j]!;
    });
    const b = Atomics.load(this.ctrl, 2);
    return { loss: this.scalars[1]!, predicted: this.predicted.slice(0, b) };
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    Atomics.store(this.ctrl, 3, -1);
    Atomics.store(this.ctrl, 0, this.request + 1);
    Atomics.notify(this.ctrl, 0);
    await this.worker.terminate();
  }
}

/** Where the main thread's time of the parallel steps goes, in milliseconds (summed over steps). */
export class StepPhases {
  handOver = 0;
  own = 0;
  wait = 0;
  /** Waiting plus adding the helper's gradients. */
  finish = 0;
  adam = 0;

  add(handOver: number, own: number, finish: number, adam: number): void {
    this.handOver += handOver;
    this.own += own;
    this.finish += finish;
    this.adam += adam;
  }

  reset(): void {
    this.handOver = this.own = this.wait = this.finish = this.adam = 0;
  }

  /** Each part per step. */
  perStep(steps: number): Record<string, number> {
    const n = Math.max(steps, 1);
    return { handOver: this.handOver / n, own: this.own / n, wait: this.wait / n, sum: (this.finish - this.wait) / n, adam: this.adam / n };
  }
}

/** Float32Array views, one per parameter array, over one shared buffer. */
export function views(buffer: SharedArrayBuffer, sizes: number[]): Float32Array[] {
  let offset = 0;
  return sizes.map((n) => {
    const v = new Float32Array(buffer, offset * 4, n);
    offset += n;
    return v;
  });
}

/**
 * One Adam step on `b` pictures, the first ⌈b/2⌉ here and the rest on the helper; the same
 * arguments as `WasmCnn.step` (`size` floats a picture, `dense` mask values a picture).
 */
export function parallelStep(
  cnn: WasmCnn,
  helper: GradientHelper,
  size: number,
  dense: number,
  x: Float32Array,
  b: number,
  labels: Int32Array,
  weights: Float32Array,
  wSum: number,
  mask: Float32Array | null,
  learningRate: number,
): StepResult {
  const b1 = Math.ceil(b / 2);
  if (b1 === b) return cnn.step(x, b, labels, weights, wSum, mask, learningRate);
  const ph = helper.phases;
  const t0 = performance.now();
  helper.begin(
    cnn.state.params,
    x.subarray(b1 * size, b * size),
    b - b1,
    labels.subarray(b1, b),
    weights.subarray(b1, b),
    wSum,
    mask ? mask.subarray(b1 * dense, b * dense) : null,
  );
  const t1 = performance.now();
  const mine = cnn.gradients(x.subarray(0, b1 * size), b1, labels.subarray(0, b1), weights.subarray(0, b1), wSum, mask ? mask.subarray(0, b1 * dense) : null);
  const t2 = performance.now();
  const theirs = helper.finish(cnn.grads);
  const t3 = performance.now();
  adamStep(cnn.state, cnn.grads, learningRate);
  const t4 = performance.now();
  ph.add(t1 - t0, t2 - t1, t3 - t2, t4 - t3);
  const predicted = new Int32Array(b);
  predicted.set(mine.predicted);
  predicted.set(theirs.predicted, b1);
  return { loss: mine.loss + theirs.loss, predicted };
}
