/**
 * Kills (SIGKILL) the worker process of the one running job of another process's data folder as
 * soon as a run's first checkpoint is on disk: a crash in the middle of training, for the resume
 * tests that drive a real `pilot` process (serve mode or the CLI).
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Polls every 20 ms for `DATA/runs/<key>/checkpoint.json`, then kills the running job's worker; resolves with the run's folder key. */
export async function killWorkerAtFirstCheckpoint(dataDir: string, timeoutMs = 300_000): Promise<string> {
  const runs = join(dataDir, 'runs');
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((r) => setTimeout(r, 20))) {
    const key = existsSync(runs) ? readdirSync(runs).find((name) => existsSync(join(runs, name, 'checkpoint.json'))) : undefined;
    if (!key) continue;
    const db = new Database(join(dataDir, 'workbench.db'), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT worker_pid FROM jobs WHERE status = 'running' AND worker_pid IS NOT NULL ORDER BY id DESC LIMIT 1").get() as { worker_pid: number } | undefined;
      if (!row) throw new Error('A checkpoint is on disk but no job is running: the run ended before it could be killed.');
      process.kill(row.worker_pid, 'SIGKILL');
    } finally {
      db.close();
    }
    return key;
  }
  throw new Error(`No checkpoint appeared in ${runs} within ${timeoutMs / 1000} s.`);
}
