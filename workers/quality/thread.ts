/**
 * Worker-thread entry: scans one byte range and posts the plain-data result. Bundled as
 * `quality-thread.js` next to the engine (see `runner.ts`); without it the engine reads ranges
 * in-process, one after the other — same results, one core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scanRange, type RangeTask, type ScanPlan } from './scan.js';

const { plan, task } = workerData as { plan: ScanPlan; task: RangeTask };
let last = 0;
scanRange(plan, task, (bytes) => {
  // Progress every 8 MB is plenty for a progress bar and keeps messages few.
  if (bytes - last >= 8 << 20) {
    last = bytes;
    parentPort!.postMessage({ type: 'progress', bytes });
  }
}).then(
  (result) => parentPort!.postMessage({ type: 'result', result }),
  (error: unknown) => parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined }),
);
