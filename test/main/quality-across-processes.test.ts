/**
 * Six concurrent `pilot quality FILE` processes on one new file, in a new data folder: one import
 * job, one quality job and one stored report; every process shows that report.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store.js';
import { fixture, root, tempDir } from '../helpers.js';

const teardown: (() => void)[] = [];
afterEach(() => {
  for (const step of teardown.splice(0).reverse()) step();
});

function run(args: string[], dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin', 'pilot.js'), ...args, '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  teardown.push(() => void child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.on('exit', (code) => done({ code, stdout, stderr })));
}

describe('quality across processes', () => {
  it('six concurrent `pilot quality` runs on one new file compute and store one report', async () => {
    const { dir, cleanup } = tempDir('pilot-quality-six-');
    teardown.push(cleanup);
    const file = join(dir, 'iris-copy.csv');
    copyFileSync(fixture('iris.csv'), file);
    const dataDir = join(dir, 'data'); // a new, empty data folder: the six also race to create it
    const ended = await Promise.all(Array.from({ length: 6 }, () => run(['quality', file, '--json'], dataDir)));
    for (const one of ended) expect(one.code, one.stderr).toBe(0);
    const reportIds = new Set(ended.map((one) => (JSON.parse(one.stdout) as { reportId: number }).reportId));
    expect(reportIds.size).toBe(1);
    const store = openStore(join(dataDir, 'workbench.db'));
    teardown.push(() => store.close());
    const count = (sql: string) => (store.read.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM quality_reports')).toBe(1);
    expect(count(`SELECT count(*) AS n FROM jobs WHERE kind = 'quality.score'`)).toBe(1);
    expect(count(`SELECT count(*) AS n FROM jobs WHERE kind = 'dataset.import'`)).toBe(1);
    expect(count('SELECT count(*) AS n FROM datasets')).toBe(1);
  }, 120_000);
});
