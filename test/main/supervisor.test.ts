/** The job supervisor with real worker processes (dist/worker.js, built by the global setup). */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJob, insertJob } from '../../db/jobs.js';
import { openStore, type Store } from '../../db/store.js';
import { JobSupervisor, type JobEvent } from '../../main/jobs/supervisor.js';
import { tempDir, workerEntry } from '../helpers.js';

const teardown: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

function setup(options: { cpuSlots?: number; graceMs?: number } = {}): { store: Store; jobs: JobSupervisor; events: JobEvent[]; dataDir: string } {
  const { dir, cleanup } = tempDir();
  const store = openStore(join(dir, 'workbench.db'));
  const jobs = new JobSupervisor({ store, dataDir: dir, workerPath: workerEntry, cpuSlots: options.cpuSlots ?? 2, graceMs: options.graceMs ?? 3000, gpuAvailable: () => true });
  jobs.define('test.sleep', { resource: 'cpu' }).define('test.crash', { resource: 'cpu' });
  const events: JobEvent[] = [];
  jobs.on('job', (event) => events.push(event));
  teardown.push(async () => cleanup(), async () => store.close(), () => jobs.shutdown());
  return { store, jobs, events, dataDir: dir };
}

const untilRunning = (jobs: JobSupervisor, id: number, minFraction = 0) =>
  new Promise<void>((done) => {
    const listener = (event: JobEvent) => {
      if (event.job.id === id && event.job.status === 'running' && event.job.progress > minFraction) {
        jobs.off('job', listener);
        done();
      }
    };
    jobs.on('job', listener);
  });

describe('JobSupervisor', () => {
  it('runs a job in another process, streams increasing progress with an ETA, and stores the result', async () => {
    const { jobs, events, store } = setup();
    const job = jobs.submit({ kind: 'test.sleep', title: 'Sleep', input: { steps: 8, stepMs: 120 } });
    expect(['queued', 'running']).toContain(job.status); // it starts at once when a slot is free
    const final = await jobs.wait(job.id);
    expect(final.status).toBe('succeeded');
    expect(final.result).toMatchObject({ steps: 8 });
    expect(final.progress).toBe(1);
    const mine = events.filter((e) => e.job.id === job.id && e.job.status === 'running');
    const fractions = mine.map((e) => e.job.progress);
    expect(fractions.length).toBeGreaterThanOrEqual(3);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(mine.some((e) => e.job.etaSeconds !== null && e.job.etaSeconds > 0)).toBe(true);
    expect(mine.at(-1)?.job.stage).toMatch(/Step \d+\/8/);
    expect(getJob(store.read, job.id)?.startedAt).toBeGreaterThanOrEqual(job.createdAt);
  });

  it('cancels a running job with a message; the worker stops at its next step', async () => {
    const { jobs } = setup();
    const job = jobs.submit({ kind: 'test.sleep', title: 'Long', input: { steps: 1000, stepMs: 50 } });
    await untilRunning(jobs, job.id, 0.001);
    const asked = Date.now();
    jobs.cancel(job.id);
    const final = await jobs.wait(job.id);
    expect(final.status).toBe('cancelled');
    expect(Date.now() - asked).toBeLessThan(2500); // well inside the grace period: it stopped itself
    expect(final.progress).toBeLessThan(0.5);
  });

  it('kills a worker that ignores the cancel message after the grace period', async () => {
    const { jobs } = setup({ graceMs: 400 });
    const job = jobs.submit({ kind: 'test.sleep', title: 'Stubborn', input: { steps: 1000, stepMs: 50, ignoreCancel: true } });
    await untilRunning(jobs, job.id, 0.001);
    jobs.cancel(job.id);
    const final = await jobs.wait(job.id);
    expect(final.status).toBe('cancelled');
  });

  it('cancels a queued job without starting it', async () => {
    const { jobs } = setup({ cpuSlots: 1 });
    const first = jobs.submit({ kind: 'test.sleep', title: 'First', input: { steps: 3, stepMs: 100 } });
    const second = jobs.submit({ kind: 'test.sleep', title: 'Second', input: { steps: 3, stepMs: 100 } });
    expect(jobs.cancel(second.id).status).toBe('cancelled');
    expect((await jobs.wait(first.id)).status).toBe('succeeded');
    const final = await jobs.wait(second.id);
    expect(final.status).toBe('cancelled');
    expect(final.startedAt).toBeNull();
  });

  it('marks a job whose worker exits as failed, with the worker’s last stderr lines', async () => {
    const { jobs } = setup();
    const job = jobs.submit({ kind: 'test.crash', title: 'Crash', input: { how: 'exit' } });
    const final = await jobs.wait(job.id);
    expect(final.status).toBe('failed');
    expect(final.error?.message).toMatch(/stopped unexpectedly: it exited with code 3\. Its last words: "diagnostics: simulated failure/);
    expect(final.error?.lastStderr?.join('\n')).toMatch(/simulated failure/);
  });

  it('marks a job whose worker is killed with SIGKILL mid-job as failed, and keeps running others', async () => {
    const { jobs, store } = setup();
    const victim = jobs.submit({ kind: 'test.sleep', title: 'Victim', input: { steps: 1000, stepMs: 50 } });
    const bystander = jobs.submit({ kind: 'test.sleep', title: 'Bystander', input: { steps: 4, stepMs: 100 } });
    await untilRunning(jobs, victim.id, 0.001);
    const { worker_pid: pid } = store.read.prepare('SELECT worker_pid FROM jobs WHERE id = ?').get(victim.id) as { worker_pid: number };
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const final = await jobs.wait(victim.id);
    expect(final.status).toBe('failed');
    expect(final.error?.message).toMatch(/was killed \(SIGKILL\)/);
    expect((await jobs.wait(bystander.id)).status).toBe('succeeded');
  });

  it('reports an uncaught exception in the engine as a failed job', async () => {
    const { jobs } = setup();
    const final = await jobs.wait(jobs.submit({ kind: 'test.crash', title: 'Throw', input: { how: 'throw' } }).id);
    expect(final.status).toBe('failed');
    expect(final.error?.message).toMatch(/simulated uncaught exception/);
  });

  it('runs at most cpuSlots CPU jobs at once', async () => {
    const { jobs } = setup({ cpuSlots: 1 });
    const a = jobs.submit({ kind: 'test.sleep', title: 'A', input: { steps: 3, stepMs: 100 } });
    const b = jobs.submit({ kind: 'test.sleep', title: 'B', input: { steps: 3, stepMs: 100 } });
    expect(jobs.active()).toEqual({ running: [a.id], queued: [b.id] });
    const [fa, fb] = await Promise.all([jobs.wait(a.id), jobs.wait(b.id)]);
    expect(fb.startedAt!).toBeGreaterThanOrEqual(fa.finishedAt!);
  });

  it('runs at most one GPU job at a time, next to CPU jobs', async () => {
    const { jobs } = setup({ cpuSlots: 2 });
    jobs.define('test.sleep', { resource: 'gpu' });
    const a = jobs.submit({ kind: 'test.sleep', title: 'GPU A', input: { steps: 2, stepMs: 100 } });
    const b = jobs.submit({ kind: 'test.sleep', title: 'GPU B', input: { steps: 2, stepMs: 100 } });
    jobs.define('test.crash', { resource: 'cpu' });
    const c = jobs.submit({ kind: 'test.crash', title: 'CPU C', input: { how: 'exit', afterMs: 300 } });
    expect(jobs.active().running.sort()).toEqual([a.id, c.id].sort());
    expect(jobs.active().queued).toEqual([b.id]);
    await Promise.all([a, b, c].map((job) => jobs.wait(job.id)));
  });

  it('fails the job, not the app, when storing the result throws; earlier rows survive', async () => {
    const { jobs, store } = setup();
    const ok = await jobs.wait(jobs.submit({ kind: 'test.sleep', title: 'Fine', input: { steps: 1, stepMs: 0 } }).id);
    jobs.define('test.sleep', {
      resource: 'cpu',
      onResult() {
        store.write.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('half-written', '1', 0)`).run();
        throw new Error('disk I/O error');
      },
    });
    const final = await jobs.wait(jobs.submit({ kind: 'test.sleep', title: 'Store fails', input: { steps: 1, stepMs: 0 } }).id);
    expect(final.status).toBe('failed');
    expect(final.error?.message).toBe('disk I/O error');
    expect(store.read.prepare(`SELECT count(*) AS n FROM settings WHERE key = 'half-written'`).get()).toEqual({ n: 0 }); // rolled back
    expect(getJob(store.read, ok.id)?.status).toBe('succeeded');
  });

  it('marks jobs left running by a process that is gone as interrupted at the next start', () => {
    const { store, jobs } = setup();
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max default: never alive
    const orphan = insertJob(store.write, { kind: 'test.sleep', title: 'Orphan', resource: 'cpu', input: {}, ownerPid: deadPid, now: 1 });
    store.write.prepare(`UPDATE jobs SET status = 'running' WHERE id = ?`).run(orphan.id);
    const alive = insertJob(store.write, { kind: 'test.sleep', title: 'Live', resource: 'cpu', input: {}, ownerPid: process.ppid, now: 1 });
    expect(jobs.recover()).toEqual([orphan.id]);
    const after = getJob(store.read, orphan.id)!;
    expect(after.status).toBe('interrupted');
    expect(after.error?.message).toMatch(/stopped while this job was running/);
    expect(getJob(store.read, alive.id)?.status).toBe('queued');
  });
});

