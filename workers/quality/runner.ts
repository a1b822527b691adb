/**
 * Runs range scans: on worker threads when the bundled thread entry is present, otherwise
 * in-process one after the other. Either way the caller gets the same plain results.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CancelledError, throwIfCancelled } from '../protocol.js';
import { scanRange, type RangeTask, type ScanPlan, type ScanResult } from './scan.js';

/** The thread entry file, if this build has one: `PILOT_QUALITY_THREAD`, or `quality-thread.(m)js` beside this module (or its parent folder). */
export function findThreadEntry(): string | null {
  const fromEnv = process.env.PILOT_QUALITY_THREAD;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  let here: string;
  try {
    here = dirname(fileURLToPath(import.meta.url));
  } catch {
    return null;
  }
  // Beside this module, or one level up when a bundler put this module in a chunks/ folder.
  for (const folder of [here, join(here, '..')]) {
    for (const name of ['quality-thread.js', 'quality-thread.mjs']) {
      const candidate = join(folder, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

export interface RunOptions {
  threads: number;
  entry: string | null;
  signal: AbortSignal;
  /** Called with the total bytes read so far across all ranges of this call. */
  onBytes(bytes: number): void;
}

export async function runRanges(plan: ScanPlan, tasks: RangeTask[], options: RunOptions): Promise<ScanResult[]> {
  const done = new Map<number, number>();
  const report = (index: number, bytes: number) => {
    done.set(index, bytes);
    let total = 0;
    for (const b of done.values()) total += b;
    options.onBytes(total);
  };
  if (!options.entry || options.threads <= 1 || tasks.length <= 1) {
    const results: ScanResult[] = [];
    for (const task of tasks) {
      results.push(
        await scanRange(plan, task, (bytes) => {
          throwIfCancelled(options.signal);
          report(task.index, bytes);
        }),
      );
    }
    return results;
  }
  const entry = options.entry;
  const results: ScanResult[] = [];
  const queue = tasks.slice();
  const live = new Set<Worker>();
  const onAbort = () => {
    for (const w of live) void w.terminate();
  };
  options.signal.addEventListener('abort', onAbort);
  try {
    const lane = async (): Promise<void> => {
      for (let task = queue.shift(); task; task = queue.shift()) {
        throwIfCancelled(options.signal);
        results.push(await runOnThread(entry, plan, task, live, options.signal, (bytes) => report(task!.index, bytes)));
        report(task.index, task.end - task.start);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.threads, tasks.length) }, lane));
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    for (const w of live) void w.terminate();
  }
  return results.sort((a, b) => a.start - b.start);
}

function runOnThread(entry: string, plan: ScanPlan, task: RangeTask, live: Set<Worker>, signal: AbortSignal, onBytes: (bytes: number) => void): Promise<ScanResult> {
  return new Promise((resolve, reject) => {
    // A small young generation and a bounded old one make V8 collect early instead of growing the
    // heap: the scan allocates fast but keeps little, and peak memory is what users notice.
    const stateMb = Math.ceil((plan.columns.length * plan.distinctLimit * 160 + plan.sampleRows * plan.sampleColumns.length * 64) / 2 ** 20);
    const worker = new Worker(entry, {
      workerData: { plan, task },
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: Math.max(128, 96 + 2 * stateMb) },
    });
    live.add(worker);
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      live.delete(worker);
      f();
      void worker.terminate();
    };
    worker.on('message', (m: { type: string; bytes?: number; result?: ScanResult; message?: string; stack?: string }) => {
      if (m.type === 'progress') onBytes(m.bytes!);
      else if (m.type === 'result') finish(() => resolve(m.result!));
      else if (m.type === 'error') finish(() => reject(Object.assign(new Error(m.message), { stack: m.stack })));
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => finish(() => reject(signal.aborted ? new CancelledError() : new Error(`A quality scan thread stopped unexpectedly (exit code ${code}).`))));
  });
}
