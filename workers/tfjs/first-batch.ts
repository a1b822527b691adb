/**
 * The first training batch, watched: its time measured apart from the others, the progress kept
 * alive while it runs, and — on tfjs-node-gpu — a check afterwards that the work really is on the
 * GPU (workers/tfjs/gpu-confirm.ts).
 *
 * Why the first batch: on a GPU newer than CUDA 11's built-in kernels (Hopper and later), the
 * driver compiles libtensorflow's PTX for it when the kernels are first used, which can take
 * minutes. That happens inside a synchronous libtensorflow call, so the worker's event loop is
 * blocked and a timer on it would never fire: the progress timer runs in a worker thread of its
 * own and writes to the side channel the supervisor gives every worker (workers/progress-channel.ts,
 * main/jobs/worker-process.ts). Run in-process (tests, benchmarks) without that
 * channel, the timer falls back to the event loop and fires only if the batch yields.
 *
 * The driver keeps what it compiled in its JIT cache (CUDA_CACHE_PATH, CUDA_CACHE_MAXSIZE, which
 * the supervisor sets for workers: main/jobs/worker-env.ts), so only the first run pays.
 */
import { Worker } from 'node:worker_threads';
import type * as tfjs from '@tensorflow/tfjs';
import { progressChannel } from '../progress-channel.js';
import type { JobContext } from '../protocol.js';
import { tensorflowInfo } from './backend.js';
import { confirmGpu, firstGpuName, queryComputeApps, type GpuConfirmation } from './gpu-confirm.js';

/** After this long without the first batch returning, the progress says what is going on. */
export const PREPARING_AFTER_MS = 2000;
/** Then it is refreshed this often, with the seconds so far. */
const REFRESH_MS = 1000;

/** What the first batch cost and where it ran (`firstBatch` in every training result). */
export interface FirstBatchReport {
  /** The backend that ran it (`tensorflow`, `wasm`, `cpu`). */
  backend: string;
  /** Wall-clock seconds of the first training batch alone (kernel compilation on first use included). */
  seconds: number;
  /** True when it outlasted PREPARING_AFTER_MS, so the progress showed the preparing stage. */
  slow: boolean;
  /** tfjs-node-gpu only: whether nvidia-smi shows this worker on the GPU; null on other backends. */
  gpu: GpuConfirmation | null;
}

/** What a training loop calls around its first batch. */
export interface FirstBatchHook {
  /** Right before the first batch's step. */
  begin(): void;
  /** Right after it returned. */
  end(): Promise<void>;
}

/** Runs in the timer thread: writes a progress line to the side channel until told to stop. */
const TIMER_THREAD = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { fd, delayMs, everyMs, stage, fraction, flag } = workerData;
const stopped = new Int32Array(flag);
const started = Date.now();
const tick = () => {
  if (Atomics.load(stopped, 0) !== 0) return;
  const seconds = Math.round((Date.now() - started) / 1000);
  const line = JSON.stringify({ type: 'progress', fraction, stage: stage + ' (' + seconds + ' s so far)', etaSeconds: null });
  try { writeSync(fd, line + '\\n'); } catch { /* the supervisor went away */ }
};
setTimeout(() => { tick(); setInterval(tick, everyMs); }, delayMs);
`;

/**
 * Watches one run's first batch. Create it after the backend is loaded, pass it to the training
 * loop (`firstBatch` option), then read `report` and `warning` for the result.
 */
export class FirstBatchWatch implements FirstBatchHook {
  readonly #tf: typeof tfjs;
  readonly #progress: (stage: string) => void;
  readonly #fraction: number;
  readonly #stage: string;
  #begun = false;
  #startedAt = 0;
  #thread: Worker | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped: Int32Array | null = null;
  #report: FirstBatchReport | null = null;

  private constructor(tf: typeof tfjs, stage: string, fraction: number, progress: (stage: string) => void) {
    this.#tf = tf;
    this.#stage = stage;
    this.#fraction = fraction;
    this.#progress = progress;
  }

  /**
   * Stage lines go to the job's progress at `fraction`. On tfjs-node-gpu the GPU's name is asked
   * now, for the preparing stage.
   */
  static async create(tf: typeof tfjs, ctx: Pick<JobContext<never>, 'progress'>, fraction: number): Promise<FirstBatchWatch> {
    const native = tensorflowInfo();
    const backend = tf.getBackend();
    let stage: string;
    if (native?.gpu) {
      const name = (await firstGpuName()) ?? 'the GPU';
      stage = `Preparing the GPU (compiling kernels for ${name}, first use only; cached afterwards)`;
    } else stage = `Running the first batch on ${backend} (setting up its kernels and buffers)`;
    return new FirstBatchWatch(tf, stage, fraction, (line) => ctx.progress({ fraction, stage: line }));
  }

  /** The stage line shown while a slow first batch runs (without the seconds). */
  get stage(): string {
    return this.#stage;
  }

  begin(): void {
    if (this.#begun) return;
    this.#begun = true;
    const fd = progressChannel();
    if (fd !== null) {
      const flag = new SharedArrayBuffer(4);
      this.#stopped = new Int32Array(flag);
      try {
        this.#thread = new Worker(TIMER_THREAD, { eval: true, workerData: { fd, delayMs: PREPARING_AFTER_MS, everyMs: REFRESH_MS, stage: this.#stage, fraction: this.#fraction, flag } });
        this.#thread.unref();
        this.#thread.on('error', () => undefined);
      } catch {
        this.#thread = null;
      }
    }
    // Timed from here: starting the timer thread (a few ms) is not the batch's.
    this.#startedAt = performance.now();
    if (!this.#thread) {
      const tick = () => this.#progress(`${this.#stage} (${Math.round((performance.now() - this.#startedAt) / 1000)} s so far)`);
      // Unreferenced: a first batch that throws never reaches end(), and must not keep a process alive.
      this.#timer = setTimeout(() => {
        tick();
        this.#timer = setInterval(tick, REFRESH_MS).unref();
      }, PREPARING_AFTER_MS).unref();
    }
    simulatedCompile();
  }

  async end(): Promise<void> {
    if (!this.#begun || this.#report) return;
    const seconds = (performance.now() - this.#startedAt) / 1000;
    if (this.#stopped) Atomics.store(this.#stopped, 0, 1);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    void this.#thread?.terminate();
    this.#thread = null;
    const native = tensorflowInfo();
    const gpu = native ? confirmGpu(native, await queryComputeApps(), process.pid) : null;
    this.#report = { backend: this.#tf.getBackend(), seconds, slow: seconds * 1000 >= PREPARING_AFTER_MS, gpu };
    if (gpu) this.#progress(gpu.message);
  }

  /** The first batch's report, once it ran (null when training never reached a batch). */
  get report(): FirstBatchReport | null {
    return this.#report;
  }

  /** The GPU warning for the result's `warnings`, when tfjs-node-gpu loaded but the GPU is not confirmed. */
  get warning(): string | null {
    return this.#report?.gpu && !this.#report.gpu.confirmed ? this.#report.gpu.message : null;
  }
}

/**
 * PILOT_FIRST_BATCH_DELAY_MS (tests only): blocks the thread that long at the first batch, as a
 * kernel compilation inside libtensorflow does, so the progress timer can be tested without a GPU.
 */
function simulatedCompile(): void {
  const ms = Number.parseInt(process.env['PILOT_FIRST_BATCH_DELAY_MS'] ?? '', 10);
  if (!Number.isFinite(ms) || ms <= 0) return;
  const until = performance.now() + Math.min(ms, 60_000);
  while (performance.now() < until) {
    // a synchronous wait, on purpose
  }
}
