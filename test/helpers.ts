/** Shared test helpers: temporary folders, the built CLI as a real process, fixture paths. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');
export const fixture = (name: string) => join(root, 'test', 'fixtures', name);
export const workerEntry = join(root, 'dist', 'worker.js');

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'pilot-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `pilot ARGS` as a real process against a data directory. */
export function pilot(args: string[], options: { dataDir: string; env?: NodeJS.ProcessEnv; cwd?: string }): CliRun {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'pilot.js'), ...args, '--data-dir', options.dataDir], {
    encoding: 'utf8',
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `pilot ARGS` and resolves once a line of its stdout matches. */
export function pilotUntil(args: string[], dataDir: string, pattern: RegExp) {
  const child = spawn(process.execPath, [join(root, 'bin', 'pilot.js'), ...args, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const matched = new Promise<RegExpMatchArray>((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = stdout.match(pattern);
      if (match) done(match);
    });
    child.on('exit', (code) => fail(new Error(`pilot exited (${code}) before printing ${pattern}: ${stderr}`)));
  });
  return { child, matched, output: () => ({ stdout, stderr }) };
}
