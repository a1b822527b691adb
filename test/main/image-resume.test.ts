/**
 * An image run resumed for real: the training worker process is killed (SIGKILL) after its second
 * epoch was checkpointed, the run is then failed but resumable, `image:resume` continues it from
 * that checkpoint with the settings it started with, and it finishes: every epoch once in the
 * run's history, one version registered. Real SQLite, real worker processes, the Fashion-MNIST fixture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../main/contract/index.js';
import { fixture, tempDir, workerEntry } from '../helpers.js';

let app: App;
const { dir, cleanup } = tempDir();
beforeAll(() => {
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'cli', version: 'test' });
});
afterAll(async () => {
  await app.close();
  cleanup();
});

async function ok<K extends ChannelName>(name: K, input: ChannelInput<K>): Promise<ChannelOutput<K>> {
  const result = await invoke(app, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as ChannelOutput<K>;
}

describe('image:resume', () => {
  it('a killed image training worker leaves a resumable run, which resumes from its last epoch and finishes', async () => {
    const project = await ok('pilots:create', { name: 'garments', kind: 'image' });
    const started = await ok('image:train', { projectId: project.id, source: fixture('fashion-mnist-small'), epochs: 5, patience: 50, seed: 7, backend: 'wasm' });
    // Nothing to resume while it runs.
    const early = await invoke(app, 'image:resume', { runId: started.run.id });
    expect(early).toMatchObject({ ok: false, error: { code: 'conflict' } });
    let epochs = 0;
    // At each epoch the job's ETA (its card's) is the epoch record's (the live epoch line's): one estimate, the epochs left at this epoch's pace.
    const etas: { job: number | null; epoch: number; left: number; seconds: number }[] = [];
    await new Promise<void>((done) => {
      app.jobs.on('job', function kill({ job, detail }) {
        if (job.id !== started.job.id || typeof (detail as { epoch?: unknown } | undefined)?.epoch !== 'number') return;
        const record = detail as { epoch: number; seconds: number; etaSeconds: number };
        etas.push({ job: job.etaSeconds, epoch: record.epoch, left: record.etaSeconds, seconds: record.seconds });
        if (++epochs < 2) return;
        app.jobs.off('job', kill);
        const { worker_pid: pid } = app.store.read.prepare('SELECT worker_pid FROM jobs WHERE id = ?').get(job.id) as { worker_pid: number };
        process.kill(pid, 'SIGKILL');
        done();
      });
    });
    expect(etas).toHaveLength(2);
    for (const eta of etas) {
      expect(eta.job).toBe(eta.left);
      // This epoch's pace counts its validation too, so it is at least the training seconds of the epochs left.
      expect(eta.left).toBeGreaterThanOrEqual((5 - eta.epoch) * eta.seconds);
    }
    const killed = await app.jobs.wait(started.job.id);
    expect(killed.status).toBe('failed');
    const detail = await ok('pilots:get', { id: project.id });
    const run = detail.runs.find((r) => r.id === started.run.id)!;
    expect(run).toMatchObject({ status: 'failed', resumable: true });
    expect(detail.versions).toEqual([]);

    // A tabular run's channel refuses it; the image channel continues it.
    const resumed = await ok('image:resume', { runId: started.run.id });
    expect(resumed.run.status).toBe('running');
    const done = await app.jobs.wait(resumed.job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const outcome = done.result as { resumedFromEpoch: number | null; version: number; runId: number; epochs: { epoch: number }[] };
    // The checkpoint of the second epoch (or a later one written before the kill landed) was the start.
    expect(outcome.resumedFromEpoch).toBeGreaterThanOrEqual(2);
    expect(outcome.resumedFromEpoch).toBeLessThan(5);
    expect(outcome.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(outcome).toMatchObject({ version: 1, runId: started.run.id });
    const after = await ok('pilots:get', { id: project.id });
    expect(after.runs.find((r) => r.id === started.run.id)).toMatchObject({ status: 'succeeded', resumable: false });
    // A finished run cannot be resumed again.
    expect(await invoke(app, 'image:resume', { runId: started.run.id })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/it finished/) } });
    expect(await invoke(app, 'image:resume', { runId: 9999 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  }, 600_000);
});
