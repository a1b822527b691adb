/** train.anomaly in a real worker process (dist/worker.js): a run killed with SIGKILL mid-training resumes from its checkpoint. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/store.js';
import { JobSupervisor, type JobEvent } from '../../../main/jobs/supervisor.js';
import { verifyArtifact } from '../../../workers/trainer/artifact.js';
import { fixture, tempDir, workerEntry } from '../../helpers.js';

const teardown: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

describe('train.anomaly in a worker process', () => {
  it('survives a killed worker: the checkpoint resumes the run, which then completes', async () => {
    const { dir, cleanup } = tempDir();
    const store = openStore(join(dir, 'workbench.db'));
    const jobs = new JobSupervisor({ store, dataDir: dir, workerPath: workerEntry, cpuSlots: 1, graceMs: 3000 });
    // The worker side only: the result is kept as it came back (registration is main/api/anomaly.ts's, tested through the CLI).
    jobs.define('train.anomaly', { resource: 'gpu', onResult: (value) => ({ ...value, runId: 0, runKey: value.runId, modelVersionId: 0, version: 0, projectId: 0 }) });
    teardown.push(cleanup, () => store.close(), () => jobs.shutdown());
    const input = { file: fixture('anomaly/breast_cancer_anomaly.csv'), label: 'diagnosis', epochs: 40, patience: 100, backend: 'wasm' as const, runId: 'killed' };
    const victim = jobs.submit({ kind: 'train.anomaly', title: 'Anomaly', input });
    // Wait for a few epochs' checkpoints, then kill the process outright.
    await new Promise<void>((done) => {
      const listener = (event: JobEvent) => {
        if (event.job.id === victim.id && /^Epoch ([3-9]|\d\d)\//.test(event.job.stage ?? '')) {
          jobs.off('job', listener);
          done();
        }
      };
      jobs.on('job', listener);
    });
    const { worker_pid: pid } = store.read.prepare('SELECT worker_pid FROM jobs WHERE id = ?').get(victim.id) as { worker_pid: number };
    process.kill(pid, 'SIGKILL');
    expect((await jobs.wait(victim.id)).status).toBe('failed');
    expect(existsSync(join(dir, 'runs', 'killed', 'checkpoint.json'))).toBe(true);

    const resumed = await jobs.wait(jobs.submit({ kind: 'train.anomaly', title: 'Anomaly (resumed)', input: { ...input, runId: undefined, resumeFrom: 'killed' } }).id);
    expect(resumed.status).toBe('succeeded');
    const result = resumed.result;
    if (!result || !('topAnomalies' in result)) throw new Error(`not an anomaly result: ${JSON.stringify(result)}`);
    expect(result.kind).toBe('anomaly');
    expect(result.resumedFromEpoch).toBeGreaterThanOrEqual(2);
    expect(result.epochs).toHaveLength(40);
    expect(result.summary.metric).toBe('prAuc');
    await expect(verifyArtifact(result.artifactDir)).resolves.toEqual(result.checksums);
  });
});
