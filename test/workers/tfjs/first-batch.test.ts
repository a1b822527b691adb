/**
 * The first training batch in a real worker process (dist/worker.js): measured apart, and a
 * progress line kept alive while it runs even though the worker's event loop is blocked.
 *
 * There is no GPU here, so a kernel compilation is stood in for by PILOT_FIRST_BATCH_DELAY_MS: the
 * worker blocks its main thread that long at the first batch (a synchronous wait, as inside
 * libtensorflow), on the wasm backend. A timer on the worker's event loop could not fire then;
 * the stage lines must come from the timer thread through the supervisor's side channel.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/store.js';
import { JobSupervisor, type JobEvent } from '../../../main/jobs/supervisor.js';
import { CUDA_CACHE_MAXSIZE, cudaCacheEnv, workerEnv } from '../../../main/jobs/worker-env.js';
import { parseSideProgress } from '../../../main/jobs/worker-process.js';
import { PREPARING_AFTER_MS } from '../../../workers/tfjs/first-batch.js';
import { fixture, tempDir, workerEntry } from '../../helpers.js';

const teardown: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

function setup() {
  const { dir, cleanup } = tempDir();
  const store = openStore(join(dir, 'workbench.db'));
  const jobs = new JobSupervisor({ store, dataDir: dir, workerPath: workerEntry, cpuSlots: 1, graceMs: 3000 });
  // The worker side only: the result is kept as it came back (registration is tested elsewhere).
  jobs.define('train.anomaly', { resource: 'gpu', onResult: (value) => ({ ...value, runId: 0, runKey: value.runId, modelVersionId: 0, version: 0, projectId: 0 }) });
  jobs.define('test.sleep', { resource: 'cpu' });
  teardown.push(cleanup, () => store.close(), () => jobs.shutdown());
  return { dir, jobs };
}

describe('the first training batch in a worker', () => {
  it('shows a refreshed stage while a blocking first batch runs, then records its seconds apart', { timeout: 240_000 }, async () => {
    const { jobs } = setup();
    const delayMs = 6000;
    const before = process.env['PILOT_FIRST_BATCH_DELAY_MS'];
    process.env['PILOT_FIRST_BATCH_DELAY_MS'] = String(delayMs);
    teardown.push(() => {
      if (before === undefined) delete process.env['PILOT_FIRST_BATCH_DELAY_MS'];
      else process.env['PILOT_FIRST_BATCH_DELAY_MS'] = before;
    });
    const stages: string[] = [];
    jobs.on('job', (event: JobEvent) => stages.push(event.job.stage ?? ''));
    const input = { file: fixture('anomaly/breast_cancer_anomaly.csv'), label: 'diagnosis', epochs: 2, patience: 100, backend: 'wasm' as const };
    const job = await jobs.wait(jobs.submit({ kind: 'train.anomaly', title: 'Slow first batch', input }));
    expect(job.status).toBe('succeeded');
    const preparing = stages.filter((stage) => stage.startsWith('Running the first batch on wasm'));
    expect(preparing.length).toBeGreaterThanOrEqual(1);
    for (const stage of preparing) expect(stage).toMatch(/^Running the first batch on wasm \(setting up its kernels and buffers\) \((\d+) s so far\)$/u);
    // Shown only once the batch outlasted the threshold, with the seconds counted from its start.
    const seconds = preparing.map((stage) => Number(/\((\d+) s so far\)$/u.exec(stage)?.[1]));
    expect(Math.min(...seconds)).toBeGreaterThanOrEqual(Math.floor(PREPARING_AFTER_MS / 1000));
    expect(Math.max(...seconds)).toBeLessThanOrEqual(Math.ceil(delayMs / 1000) + 1);
    // Training went on afterwards: epochs were reported after the preparing stage.
    expect(stages.lastIndexOf('Epoch 2/2')).toBeGreaterThan(stages.indexOf(preparing[0]!));
    const result = job.result;
    if (!result || !('firstBatch' in result)) throw new Error(`no firstBatch in ${JSON.stringify(result)}`);
    expect(result.firstBatch).toMatchObject({ backend: 'wasm', slow: true, gpu: null });
    expect(result.firstBatch?.seconds).toBeGreaterThanOrEqual(delayMs / 1000);
    // Only the first batch waited: the second epoch (all its batches) took less than that one batch.
    expect(result.epochs[1]!.seconds).toBeLessThan(result.firstBatch!.seconds);
  });

  it('records a quick first batch as not slow, without a preparing stage', { timeout: 240_000 }, async () => {
    const { jobs } = setup();
    const stages: string[] = [];
    jobs.on('job', (event: JobEvent) => stages.push(event.job.stage ?? ''));
    const input = { file: fixture('anomaly/breast_cancer_anomaly.csv'), label: 'diagnosis', epochs: 1, patience: 100, backend: 'wasm' as const };
    const job = await jobs.wait(jobs.submit({ kind: 'train.anomaly', title: 'Quick first batch', input }));
    const result = job.result;
    if (!result || !('firstBatch' in result)) throw new Error(`no firstBatch in ${JSON.stringify(result)}`);
    expect(result.firstBatch?.backend).toBe('wasm');
    expect(result.firstBatch?.seconds).toBeGreaterThan(0);
    // A batch of a few hundred rows on wasm takes milliseconds; only a machine stalled for seconds would show the stage.
    if (result.firstBatch!.seconds * 1000 < PREPARING_AFTER_MS) {
      expect(result.firstBatch?.slow).toBe(false);
      expect(stages.some((stage) => stage.startsWith('Running the first batch'))).toBe(false);
    }
  });
});

describe('the environment GPU workers start with', () => {
  it('gives every worker a CUDA JIT cache of 4 GiB in the data folder', { timeout: 120_000 }, async () => {
    const { dir, jobs } = setup();
    const job = await jobs.wait(jobs.submit({ kind: 'test.sleep', title: 'Environment', input: { steps: 1, stepMs: 0 } }));
    expect(job.status).toBe('succeeded');
    expect(job.result?.cudaCache).toEqual({ path: join(dir, 'cuda-cache'), maxSize: '4294967296' });
    expect(existsSync(join(dir, 'cuda-cache'))).toBe(true);
  });

  it('keeps the cache settings a user made', () => {
    const { dir, cleanup } = tempDir();
    teardown.push(cleanup);
    expect(cudaCacheEnv(dir, { CUDA_CACHE_PATH: '/fast/cache', CUDA_CACHE_MAXSIZE: '1073741824' })).toEqual({});
    expect(CUDA_CACHE_MAXSIZE).toBe(String(2 ** 32));
    const env = workerEnv(dir, [], { PATH: '/bin', CUDA_CACHE_MAXSIZE: '1000' }, 'linux');
    expect(env).toMatchObject({ PATH: '/bin', CUDA_CACHE_MAXSIZE: '1000', CUDA_CACHE_PATH: join(dir, 'cuda-cache'), ELECTRON_RUN_AS_NODE: '1' });
  });

  it('takes only well-formed progress lines from the side channel', () => {
    expect(parseSideProgress('{"type":"progress","fraction":0.1,"stage":"Preparing the GPU (3 s so far)","etaSeconds":null}')).toEqual({ type: 'progress', fraction: 0.1, stage: 'Preparing the GPU (3 s so far)', etaSeconds: null });
    expect(parseSideProgress('{"type":"result","value":1}')).toBeNull();
    expect(parseSideProgress('{"type":"progress","fraction":"x","stage":"s"}')).toBeNull();
    expect(parseSideProgress('not json')).toBeNull();
    expect(parseSideProgress('{"type":"progress","fraction":7,"stage":"s"}')?.fraction).toBe(1);
  });
});
