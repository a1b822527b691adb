/**
 * Jobs shared by several real processes on one data folder: owners whose PID was reused, cancel
 * from another process, the machine-wide GPU lock (quality-across-processes.test.ts: one report
 * for six concurrent `pilot quality` runs). Every process here is a real `pilot` (bin/pilot.js → dist/cli.js).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJob, insertJob } from '../../db/jobs.js';
import { attachJob, insertRun, setRunParams } from '../../db/runs.js';
import { openStore, type Store } from '../../db/store.js';
import { invoke } from '../../main/api/index.js';
import { createApp } from '../../main/app.js';
import { processStart } from '../../main/jobs/liveness.js';
import { fixture, pilot, root, tempDir, workerEntry } from '../helpers.js';

const teardown: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `pilot ARGS` without waiting; `exited` resolves with its output. */
function start(args: string[], dataDir: string, env: NodeJS.ProcessEnv = {}): { child: ChildProcess; exited: Promise<Exited>; stderr: () => string } {
  const child = spawn(process.execPath, [join(root, 'bin', 'pilot.js'), ...args, '--data-dir', dataDir], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exited>((done) => child.on('exit', (code) => done({ code, stdout, stderr })));
  teardown.push(() => void child.kill('SIGKILL'));
  return { child, exited, stderr: () => stderr };
}

async function until<T>(what: string, probe: () => T | null | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** A new data folder (created and migrated here), with a store opened on it. */
function dataFolder(): { dir: string; store: Store } {
  const { dir, cleanup } = tempDir('pilot-procs-');
  teardown.push(cleanup);
  const store = openStore(join(dir, 'workbench.db'));
  teardown.push(() => store.close());
  return { dir, store };
}

/** A live process unrelated to the workbench, whose PID a job row can claim. */
function unrelatedProcess(): number {
  const sleeper = spawn('sleep', ['120'], { stdio: 'ignore' });
  teardown.push(() => void sleeper.kill('SIGKILL'));
  return sleeper.pid!;
}

function runningRow(store: Store, title: string, owner: { pid: number; start: string | null }): number {
  const job = insertJob(store.write, { kind: 'test.sleep', title, resource: 'cpu', input: { steps: 1, stepMs: 0, ignoreCancel: false, gpu: false }, ownerPid: owner.pid, ownerStart: owner.start, now: Date.now() });
  store.write.prepare(`UPDATE jobs SET status = 'running', started_at = ? WHERE id = ?`).run(Date.now(), job.id);
  return job.id;
}

describe('jobs across processes', () => {
  it('recovers a job whose owner PID now belongs to an unrelated process as interrupted; a live owner keeps its job', async () => {
    const { dir, store } = dataFolder();
    const sleeper = unrelatedProcess();
    const realStart = processStart(sleeper);
    expect(realStart).not.toBeNull(); // /proc (Linux) or ps can tell this process's start here
    const reused = runningRow(store, 'PID reused', { pid: sleeper, start: 'linux:00000000-0000-0000-0000-000000000000:1' });
    const live = runningRow(store, 'Live owner', { pid: sleeper, start: realStart });
    // A real start-up of another process runs the recovery.
    const listed = pilot(['jobs', 'list', '--json'], { dataDir: dir });
    expect(listed.code, listed.stderr).toBe(0);
    expect(getJob(store.read, reused)?.status).toBe('interrupted');
    expect(getJob(store.read, reused)?.error?.message).toMatch(/stopped while this job was running/);
    expect(getJob(store.read, live)?.status).toBe('running');

    // After start-up, jobs:cancel on a job whose owner PID was reused ends it interrupted (before: it answered `running`).
    const app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'cli', version: 'test' });
    teardown.push(() => app.close());
    const late = runningRow(store, 'Reused after start-up', { pid: sleeper, start: 'ps:Thu Jan  1 00:00:00 1970' });
    const cancelled = await invoke(app, 'jobs:cancel', { id: late });
    expect(cancelled.ok && cancelled.value.status).toBe('interrupted');
    expect(cancelled.ok && cancelled.value.error?.message).toMatch(/PID \d+\) is gone; that PID now belongs to another program/);
    expect(getJob(store.read, live)?.status).toBe('running'); // still its live owner's
  }, 60_000);

  it('resumes a run whose job is owned by a reused PID (before: "it is still running")', async () => {
    const { dir, store } = dataFolder();
    const app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'serve', version: 'test' });
    teardown.push(() => app.close());
    const imported = await invoke(app, 'datasets:import', { path: fixture('iris.csv') });
    if (!imported.ok) throw new Error(imported.error.message);
    const dataset = ((await app.jobs.wait(imported.value.id)).result as { dataset: { id: number; sha256: string; path: string } }).dataset;
    const project = await invoke(app, 'pilots:create', { name: 'flowers', datasetId: dataset.id });
    if (!project.ok) throw new Error(project.error.message);
    // A training that another process ran until it died; its PID now belongs to an unrelated program.
    const runKey = 'run-reused-pid';
    const checkpointDir = join(dir, 'runs', runKey);
    mkdirSync(checkpointDir, { recursive: true });
    writeFileSync(join(checkpointDir, 'checkpoint.json'), '{}');
    const run = insertRun(store.write, { projectId: project.value.id, datasetId: dataset.id, datasetSha256: dataset.sha256, checkpointDir, startedAt: Date.now() });
    setRunParams(store.write, run.id, { target: 'species', epochs: 2, runKey, file: dataset.path });
    const jobId = runningRow(store, 'Train flowers', { pid: unrelatedProcess(), start: 'linux:wrong-boot:1' });
    store.write.prepare(`UPDATE jobs SET kind = 'train.run' WHERE id = ?`).run(jobId);
    attachJob(store.write, run.id, jobId, checkpointDir);
    const resumed = await invoke(app, 'pilots:resume', { runId: run.id });
    expect(resumed.ok, resumed.ok ? '' : resumed.error.message).toBe(true);
    expect(getJob(store.read, jobId)?.status).toBe('interrupted');
    if (resumed.ok) {
      app.jobs.cancel(resumed.value.job.id);
      await app.jobs.wait(resumed.value.job.id);
    }
  }, 60_000);

  it('cancels a job that a CLI process runs, from a second process: the job ends cancelled', async () => {
    const { dir, store } = dataFolder();
    const owner = start(['jobs', 'selftest', '--steps', '300', '--step-ms', '100', '--json'], dir);
    const id = Number((await until('the job id', () => /Job (\d+) started/.exec(owner.stderr())))[1]);
    await until('the job to run', () => (getJob(store.read, id)?.status === 'running' ? true : null));
    const canceller = pilot(['jobs', 'cancel', String(id), '--json'], { dataDir: dir });
    expect(canceller.code, canceller.stderr).toBe(0);
    const answered = JSON.parse(canceller.stdout) as { status: string; cancelRequestedAt: number | null };
    expect(answered.status).toBe('cancelled');
    expect(answered.cancelRequestedAt).not.toBeNull(); // it went through the row, not a signal
    const ended = await owner.exited;
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(/cancelled/);
    const row = getJob(store.read, id)!;
    expect(row.status).toBe('cancelled');
    expect(row.progress).toBeLessThan(1); // 300 steps of 100 ms were not run to the end
  }, 90_000);

  it('runs at most one GPU job at a time across three processes; a lock left by a killed owner is broken', async () => {
    const { dir, store } = dataFolder();
    const gpuRows = () => store.read.prepare(`SELECT id, status, stage FROM jobs WHERE resource = 'gpu' ORDER BY id`).all() as { id: number; status: string; stage: string }[];
    // A holds the lock for as long as this test needs; B and C come while it runs.
    const holder = start(['jobs', 'selftest', '--gpu', '--steps', '600', '--step-ms', '100', '--json'], dir);
    const holderId = Number((await until('the holder job', () => /Job (\d+) started/.exec(holder.stderr())))[1]);
    await until('the holder to run', () => (getJob(store.read, holderId)?.status === 'running' ? true : null));
    expect(existsSync(join(dir, 'locks', 'gpu.lock'))).toBe(true);
    const others = [0, 1].map(() => start(['jobs', 'selftest', '--gpu', '--steps', '3', '--step-ms', '100', '--json'], dir));
    const waiting = await until('two GPU jobs waiting for the lock', () => {
      const rows = gpuRows().filter((row) => row.id !== holderId);
      return rows.length === 2 && rows.every((row) => row.status === 'queued' && new RegExp(`Waiting for the GPU: job ${holderId} of process ${holder.child.pid} is using it`).test(row.stage)) ? rows : null;
    }, 60_000);
    expect(waiting).toHaveLength(2);
    expect(gpuRows().filter((row) => row.status === 'running')).toHaveLength(1);
    // kill -9 the holder: its lock file stays behind, owned by a process that is gone.
    holder.child.kill('SIGKILL');
    await holder.exited;
    let maxRunning = 0;
    const sampler = setInterval(() => {
      const live = gpuRows().filter((row) => row.status === 'running' && row.id !== holderId).length;
      maxRunning = Math.max(maxRunning, live);
    }, 50);
    const ended = await Promise.all(others.map((run) => run.exited));
    clearInterval(sampler);
    for (const run of ended) expect(run.code, run.stderr).toBe(0);
    const jobs = ended.map((run) => JSON.parse(run.stdout) as { resource: string; startedAt: number; finishedAt: number }).sort((x, y) => x.startedAt - y.startedAt);
    expect(jobs.map((job) => job.resource)).toEqual(['gpu', 'gpu']);
    expect(jobs[1]!.startedAt).toBeGreaterThanOrEqual(jobs[0]!.finishedAt);
    expect(maxRunning).toBeLessThanOrEqual(1);
    expect(existsSync(join(dir, 'locks', 'gpu.lock'))).toBe(false); // released by the last one
  }, 120_000);
});
