/**
 * A shared quality job (several `pilot quality` processes asking for the same report, which one
 * of them computes) whose owner is stopped with a real Ctrl-C (SIGINT) or a real `kill -9`: the
 * processes that waited for it take it over and finish with the report (before: they printed
 * "cancelled", or "stopped without finishing … Start it again"). A waiter's own Ctrl-C leaves
 * the job to its owner instead of cancelling it for everyone. Every process is a real `pilot`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../db/store.js';
import { pilot, root, tempDir } from '../helpers.js';

const teardown: (() => void)[] = [];
afterEach(() => {
  for (const step of teardown.splice(0).reverse()) step();
});

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], dataDir: string): { child: ChildProcess; exited: Promise<Exited>; stderr: () => string } {
  const child = spawn(process.execPath, [join(root, 'bin', 'pilot.js'), ...args, '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exited>((done) => child.on('exit', (code, signal) => done({ code, signal, stdout, stderr })));
  teardown.push(() => void child.kill('SIGKILL'));
  return { child, exited, stderr: () => stderr };
}

async function until<T>(what: string, probe: () => T | null | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

const ROWS = 1_500_000;

/**
 * A file that takes seconds to score (so there is time to stop its owner mid-way), with figures
 * known by construction: `n` is the row number, `k` = n mod 7, `g` one of three labels.
 */
async function slowFile(dir: string): Promise<string> {
  const path = join(dir, 'slow.csv');
  const out = createWriteStream(path);
  out.write('n,k,x,g\n');
  const labels = ['red', 'green', 'blue'];
  for (let n = 0; n < ROWS; n += 10_000) {
    let chunk = '';
    for (let i = n; i < n + 10_000; i++) chunk += `${i},${i % 7},${((i * 7919) % 1000) / 10},${labels[i % 3]}\n`;
    if (!out.write(chunk)) await new Promise((done) => out.once('drain', () => done(undefined)));
  }
  await new Promise((done) => out.end(() => done(undefined)));
  return path;
}

interface JobRow {
  id: number;
  status: string;
  owner_pid: number;
  cancel_requested_at: number | null;
}

function qualityJobs(store: Store): JobRow[] {
  return store.read.prepare(`SELECT id, status, owner_pid, cancel_requested_at FROM jobs WHERE kind = 'quality.score' ORDER BY id`).all() as JobRow[];
}

type Pilot = ReturnType<typeof start>;

/**
 * A data folder with the file imported, and `count` processes asking for its report at once (so
 * that all of them are there before it is done): the one whose job runs is the owner.
 */
async function sharedJob(prefix: string, count: number): Promise<{ store: Store; owner: Pilot; waiters: Pilot[]; jobId: number }> {
  const { dir, cleanup } = tempDir(prefix);
  teardown.push(cleanup);
  const file = await slowFile(dir);
  const dataDir = join(dir, 'data');
  const imported = pilot(['datasets', 'import', file, '--json'], { dataDir });
  expect(imported.code, imported.stderr).toBe(0);
  const store = openStore(join(dataDir, 'workbench.db'));
  teardown.push(() => store.close());
  const all = Array.from({ length: count }, () => start(['quality', file, '--json'], dataDir));
  const job = await until('one quality job to run', () => qualityJobs(store).find((row) => row.status === 'running'));
  const owner = all.find((one) => one.child.pid === job.owner_pid)!;
  expect(owner).toBeDefined();
  const waiters = all.filter((one) => one !== owner);
  // A waiter follows the shared job: it prints the job's progress line.
  for (const waiter of waiters) await until('a waiter to follow the shared job', () => (/Score quality of slow\.csv/.test(waiter.stderr()) ? true : null));
  expect(qualityJobs(store)).toHaveLength(1);
  expect(qualityJobs(store)[0]!.status).toBe('running'); // still computing: the stop comes mid-way
  return { store, owner, waiters, jobId: job.id };
}

function reportOf(ended: Exited): { reportId: number; rows: number; columns: { name: string; stats?: { mean?: number } }[] } {
  expect(ended.code, ended.stderr).toBe(0);
  const parsed = JSON.parse(ended.stdout) as { reportId: number; rows: number; columns: { name: string; stats?: { mean?: number } }[] };
  return { reportId: parsed.reportId, rows: parsed.rows, columns: parsed.columns };
}

describe('a shared quality job whose owner stops', () => {
  it('Ctrl-C on the owner: the waiting process computes the report itself', async () => {
    const { store, owner, waiters, jobId } = await sharedJob('pilot-takeover-int-', 2);
    const waiter = waiters[0]!;
    owner.child.kill('SIGINT'); // what Ctrl-C sends
    const ownerEnded = await owner.exited;
    expect(ownerEnded.code).toBe(1);
    expect(ownerEnded.stderr).toMatch(/cancelled/);
    const ended = await waiter.exited;
    const report = reportOf(ended);
    expect(ended.stderr).toMatch(new RegExp(`Job ${jobId} \\(Score quality of slow\\.csv\\) was computed by process ${owner.child.pid}, which was stopped \\(cancelled there\\): this process computes it again as job \\d+`));
    expect(ended.stderr).not.toMatch(/: cancelled\./);
    const jobs = qualityJobs(store);
    expect(jobs.map((row) => row.status)).toEqual(['cancelled', 'succeeded']);
    expect(jobs[1]!.owner_pid).toBe(waiter.child.pid);
    // The report is of the whole file: ROWS rows; mean of n = (ROWS − 1) / 2 by construction.
    expect(report.rows).toBe(ROWS);
    const n = report.columns.find((column) => column.name === 'n');
    expect(JSON.stringify(n)).toContain(String((ROWS - 1) / 2));
    expect((store.read.prepare('SELECT count(*) AS n FROM quality_reports').get() as { n: number }).n).toBe(1);
  }, 240_000);

  it('kill -9 on the owner: of two waiting processes one computes it, the other waits for that one; both show one report', async () => {
    const { store, owner, waiters, jobId } = await sharedJob('pilot-takeover-kill-', 3);
    owner.child.kill('SIGKILL');
    await owner.exited;
    const ended = await Promise.all(waiters.map((waiter) => waiter.exited));
    const reports = ended.map(reportOf);
    expect(new Set(reports.map((report) => report.reportId)).size).toBe(1);
    expect(reports[0]!.rows).toBe(ROWS);
    const jobs = qualityJobs(store);
    expect(jobs.map((row) => row.status)).toEqual(['interrupted', 'succeeded']);
    const newOwner = jobs[1]!.owner_pid;
    expect(waiters.map((waiter) => waiter.child.pid)).toContain(newOwner);
    const said = ended.map((one) => one.stderr);
    const computing = said.filter((text) => new RegExp(`Job ${jobId} .*was computed by process ${owner.child.pid}, which stopped \\(killed or crashed\\): this process computes it again`).test(text));
    const following = said.filter((text) => /: job \d+ of another waiting process computes it again; waiting for that one\./.test(text));
    expect(computing).toHaveLength(1);
    // The second waiter either saw the first one's new job, or reached the succeeded job directly.
    expect(computing.length + following.length).toBeGreaterThanOrEqual(1);
    expect((store.read.prepare('SELECT count(*) AS n FROM quality_reports').get() as { n: number }).n).toBe(1);
  }, 240_000);

  it('Ctrl-C on a waiting process leaves the job to its owner, which finishes it', async () => {
    const { store, owner, waiters, jobId } = await sharedJob('pilot-takeover-leave-', 2);
    const waiter = waiters[0]!;
    waiter.child.kill('SIGINT');
    const left = await waiter.exited;
    expect(left.code).toBe(130);
    expect(left.stderr).toMatch(new RegExp(`Left job ${jobId}; it goes on in the process computing it`));
    const report = reportOf(await owner.exited);
    expect(report.rows).toBe(ROWS);
    const jobs = qualityJobs(store);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ status: 'succeeded', cancel_requested_at: null });
  }, 240_000);
});
