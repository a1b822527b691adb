/**
 * `pilot resume` as a real process: a text run started by `pilot train --kind text` has its worker
 * killed (SIGKILL) at its first checkpoint, so that `pilot train` fails; `pilot resume` lists the
 * run, `pilot resume RUN --json` continues it from its checkpoint into a registered model version
 * (checked again through the API on the same data folder), and a finished run is refused.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { createApp } from '../../main/app.js';
import { fixture, pilot, root, tempDir, workerEntry } from '../helpers.js';
import { killWorkerAtFirstCheckpoint } from '../kill-worker.js';

const { dir, cleanup } = tempDir('pilot-cli-resume-');
afterAll(cleanup);
const dataDir = join(dir, 'home');

/** `pilot ARGS` as a process, without spawnSync's time limit (training under load can take minutes). */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'pilot.js'), ...args, '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.on('exit', (code) => done({ code, stdout, stderr })));
}

it('resumes a killed text run from the CLI into a registered version', async () => {
  const training = run(['train', fixture('text/spamassassin.csv'), '--kind', 'text', '--text', 'text', '--target', 'label', '--epochs', '300', '--seed', '5', '--project', 'spam']);
  const runKey = await killWorkerAtFirstCheckpoint(dataDir);
  const killed = await training;
  expect(killed.code, killed.stderr).toBe(1);

  const listed = pilot(['resume', '--json'], { dataDir });
  expect(listed.code, listed.stderr).toBe(0);
  const rows = JSON.parse(listed.stdout) as { runId: number; kind: string; project: string; status: string }[];
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ kind: 'text', project: 'spam', status: 'failed' });
  const runId = rows[0]!.runId;
  expect(pilot(['resume'], { dataDir }).stdout).toContain(`run ${runId}  text  spam  failed`);

  const resumed = await run(['resume', String(runId), '--json']);
  expect(resumed.code, resumed.stderr).toBe(0);
  const result = JSON.parse(resumed.stdout) as { kind: string; runId: number; runKey: string; version: number; modelVersionId: number; resumedFromEpoch: number | null; epochs: { epoch: number }[] };
  expect(result).toMatchObject({ kind: 'text', runId, runKey, version: 1 });
  // It continued from the checkpoint, not from the start: the epochs before it are the killed run's.
  expect(result.resumedFromEpoch).toBeGreaterThanOrEqual(1);
  expect(resumed.stderr).toMatch(new RegExp(`epoch ${result.resumedFromEpoch! + 1} `));
  expect(resumed.stderr).not.toMatch(/^epoch 1 /m);

  // The same data folder, read through the API: the run succeeded and its version is registered.
  const app = createApp({ dataDir, workerPath: workerEntry, mode: 'cli', version: 'test' });
  try {
    const projects = await invoke(app, 'pilots:list', {});
    if (!projects.ok) throw new Error(projects.error.message);
    const detail = await invoke(app, 'pilots:get', { id: projects.value[0]!.id });
    if (!detail.ok) throw new Error(detail.error.message);
    expect(detail.value.runs.map((r) => [r.id, r.status])).toEqual([[runId, 'succeeded']]);
    expect(detail.value.versions.map((v) => [v.id, v.version])).toEqual([[result.modelVersionId, 1]]);
  } finally {
    await app.close();
  }

  const again = pilot(['resume', String(runId)], { dataDir });
  expect(again.code).toBe(1);
  expect(again.stderr).toContain(`Run ${runId} cannot be resumed: it finished`);
  expect(pilot(['resume', 'seven'], { dataDir }).code).toBe(2);
  expect(pilot(['--help'], { dataDir }).stdout).toContain('pilot resume [RUN] [--json]');
}, 600_000);
