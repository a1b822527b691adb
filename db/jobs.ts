/** Queries for the `jobs` table. Only the job supervisor writes here. */
import type { JobInput, JobKind } from '../workers/jobs.js';
import type { JobResource, SerializedError } from '../workers/protocol.js';
import { fromJson, toJson } from './json.js';
import type { ReadableDB, WritableDB } from './store.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

/** A failed or interrupted job's error: the worker's own error and, when it died, its last words. */
export interface JobError extends SerializedError {
  /** The last lines the worker wrote to stderr before it exited. */
  lastStderr?: string[];
}

/**
 * A job as the UI, the CLI and the API see it. `K` narrows the kind, `R` is what its result holds
 * once finished and `I` what it was submitted with (main/contract/jobs.ts gives each kind's, as `JobOf<K>`).
 */
export interface Job<K extends JobKind = JobKind, R = unknown, I = JobInput<K>> {
  id: number;
  kind: K;
  title: string;
  resource: JobResource;
  status: JobStatus;
  /** What the job was submitted with. */
  input: I;
  /** Set when the job succeeded: what its kind stores as its result. */
  result: R | null;
  error: JobError | null;
  /** 0..1 */
  progress: number;
  stage: string;
  etaSeconds: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

interface JobRow {
  id: number;
  kind: string;
  title: string;
  resource: string;
  status: string;
  input: string;
  result: string | null;
  error: string | null;
  progress: number;
  stage: string;
  eta_seconds: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    title: row.title,
    resource: row.resource as JobResource,
    status: row.status as JobStatus,
    input: fromJson<JobInput<JobKind>>(row.input),
    result: fromJson(row.result),
    error: fromJson<JobError>(row.error),
    progress: row.progress,
    stage: row.stage,
    etaSeconds: row.eta_seconds,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function insertJob(
  db: WritableDB,
  job: { kind: JobKind; title: string; resource: JobResource; input: JobInput<JobKind>; ownerPid: number; now: number },
): Job {
  const row = db
    .prepare(
      `INSERT INTO jobs (kind, title, resource, status, input, owner_pid, created_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?) RETURNING *`,
    )
    .get(job.kind, job.title, job.resource, toJson(job.input), job.ownerPid, job.now) as JobRow;
  return toJob(row);
}

export function getJob(db: ReadableDB, id: number): Job | null {
  const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  return row ? toJob(row) : null;
}

export function listJobs(db: ReadableDB, options: { limit?: number; status?: JobStatus } = {}): Job[] {
  const limit = options.limit ?? 100;
  const rows = options.status
    ? db.prepare('SELECT * FROM jobs WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(options.status, limit)
    : db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?').all(limit);
  return (rows as JobRow[]).map(toJob);
}

export function markRunning(db: WritableDB, id: number, workerPid: number | null, now: number): void {
  db.prepare(`UPDATE jobs SET status = 'running', worker_pid = ?, started_at = ? WHERE id = ? AND status = 'queued'`).run(workerPid, now, id);
}

export function updateProgress(db: WritableDB, id: number, progress: { fraction: number; stage: string; etaSeconds: number | null }): void {
  db.prepare(`UPDATE jobs SET progress = ?, stage = ?, eta_seconds = ? WHERE id = ? AND status = 'running'`).run(
    Math.min(1, Math.max(0, progress.fraction)),
    progress.stage,
    progress.etaSeconds,
    id,
  );
}

/** Moves a job to a final state. Only a job that is not final yet moves: the first verdict wins. */
export function finishJob(
  db: WritableDB,
  id: number,
  outcome: { status: Exclude<JobStatus, 'queued' | 'running'>; result?: unknown; error?: JobError; now: number },
): boolean {
  const info = db
    .prepare(
      `UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?, worker_pid = NULL,
              progress = CASE WHEN ? = 'succeeded' THEN 1 ELSE progress END,
              eta_seconds = NULL
       WHERE id = ? AND status IN ('queued', 'running')`,
    )
    .run(
      outcome.status,
      outcome.result === undefined ? null : toJson(outcome.result),
      outcome.error ? toJson(outcome.error) : null,
      outcome.now,
      outcome.status,
      id,
    );
  return info.changes === 1;
}

/**
 * Jobs left queued or running by a process that is no longer alive (the app was closed or
 * crashed) become `interrupted`. Jobs of a live process — a `pilot serve` next to a CLI call —
 * are left alone.
 */
export function interruptOrphans(db: WritableDB, isAlive: (pid: number) => boolean, now: number): number[] {
  const rows = db.prepare(`SELECT id, owner_pid FROM jobs WHERE status IN ('queued', 'running')`).all() as {
    id: number;
    owner_pid: number;
  }[];
  const orphans = rows.filter((row) => !isAlive(row.owner_pid)).map((row) => row.id);
  const error: JobError = {
    name: 'Interrupted',
    message: 'The app stopped while this job was running. Start it again.',
    kind: 'internal',
  };
  const mark = db.prepare(
    `UPDATE jobs SET status = 'interrupted', error = ?, finished_at = ?, worker_pid = NULL, eta_seconds = NULL WHERE id = ?`,
  );
  db.transaction(() => orphans.forEach((id) => mark.run(toJson(error), now, id)))();
  return orphans;
}
