/** Queries for the `jobs` table. Only the job supervisor writes here. */
import type { JobInput, JobKind } from '../workers/jobs.js';
import type { JobResource, SerializedError } from '../workers/protocol.js';
import { fromJson, toJson } from './json.js';
import { StorageFault } from './faults.js';
import type { ReadableDB, WritableDB } from './store.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

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
  /** The process whose supervisor runs the job (the desktop app, `pilot serve` or a CLI command). */
  ownerPid: number;
  /**
   * Set (epoch ms) when a process other than the owner asked to cancel the job; the owner acts on
   * it within about a second. Null when nobody asked, or when the owner itself was asked.
   */
  cancelRequestedAt: number | null;
}

/** Who owns a job: its process id and that process's start identity (null where it cannot be read). */
export interface JobOwner {
  pid: number;
  start: string | null;
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
  owner_pid: number;
  owner_start: string | null;
  cancel_requested_at: number | null;
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
    ownerPid: row.owner_pid,
    cancelRequestedAt: row.cancel_requested_at,
  };
}

export function insertJob(
  db: WritableDB,
  job: { kind: JobKind; title: string; resource: JobResource; input: JobInput<JobKind>; ownerPid: number; ownerStart?: string | null; dedupeKey?: string | null; now: number },
): Job {
  const row = db
    .prepare(
      `INSERT INTO jobs (kind, title, resource, status, input, owner_pid, owner_start, dedupe_key, created_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(job.kind, job.title, job.resource, toJson(job.input), job.ownerPid, job.ownerStart ?? null, job.dedupeKey ?? null, job.now) as JobRow;
  return toJob(row);
}

/**
 * Inserts a job unless one with the same `dedupeKey` is queued or running (in any process), or
 * succeeded at or after `since`: then that job is returned instead, with `created: false`. One
 * immediate transaction, so two processes asking at once cannot both insert.
 */
export function insertJobOnce(
  db: WritableDB,
  job: Parameters<typeof insertJob>[1] & { dedupeKey: string; since: number },
): { job: Job; created: boolean } {
  const find = db.prepare(
    `SELECT * FROM jobs WHERE dedupe_key = ?
       AND (status IN ('queued', 'running') OR (status = 'succeeded' AND finished_at >= ?))
     ORDER BY id DESC LIMIT 1`,
  );
  return db.transaction(() => {
    const existing = find.get(job.dedupeKey, job.since) as JobRow | undefined;
    if (existing) return { job: toJob(existing), created: false };
    return { job: insertJob(db, job), created: true };
  }).immediate();
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
  const finish = db.prepare(
    `UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?, worker_pid = NULL,
            progress = CASE WHEN ? = 'succeeded' THEN 1 ELSE progress END,
            eta_seconds = NULL
     WHERE id = ? AND status IN ('queued', 'running')`,
  );
  const run = (status: string, result: unknown, error: JobError | undefined) =>
    finish.run(status, result === undefined ? null : toJson(result), error ? toJson(error) : null, outcome.now, status, id).changes === 1;
  try {
    return run(outcome.status, outcome.result, outcome.error);
  } catch (error) {
    // A full disk can refuse a large result yet still take a short error row (the failed
    // statement rolled back): the job then ends failed with the reason, never stuck `running`.
    if (!(error instanceof StorageFault) || error.kind !== 'disk-full') throw error;
    return run('failed', undefined, { name: 'DiskFull', message: error.message, kind: 'input' });
  }
}

/** The queued and running jobs of every process, with their owners. */
export function activeJobs(db: ReadableDB): (Job & { owner: JobOwner })[] {
  const rows = db.prepare(`SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY id`).all() as JobRow[];
  return rows.map((row) => ({ ...toJob(row), owner: { pid: row.owner_pid, start: row.owner_start } }));
}

/** The owner of a job; null when there is no such job. */
export function jobOwner(db: ReadableDB, id: number): JobOwner | null {
  const row = db.prepare('SELECT owner_pid, owner_start FROM jobs WHERE id = ?').get(id) as { owner_pid: number; owner_start: string | null } | undefined;
  return row ? { pid: row.owner_pid, start: row.owner_start } : null;
}

/** Asks the owner of a queued or running job to cancel it; false when the job is already final. */
export function requestCancel(db: WritableDB, id: number, now: number): boolean {
  return db.prepare(`UPDATE jobs SET cancel_requested_at = COALESCE(cancel_requested_at, ?) WHERE id = ? AND status IN ('queued', 'running')`).run(now, id).changes === 1;
}

/** Ids among `ids` that another process asked to cancel. */
export function cancelRequested(db: ReadableDB, ids: readonly number[]): number[] {
  if (ids.length === 0) return [];
  const rows = db
    .prepare(`SELECT id FROM jobs WHERE cancel_requested_at IS NOT NULL AND status IN ('queued', 'running') AND id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(ids)) as { id: number }[];
  return rows.map((row) => row.id);
}

/** A queued job's stage line (why it waits), shown before it starts. */
export function setQueuedStage(db: WritableDB, id: number, stage: string): void {
  db.prepare(`UPDATE jobs SET stage = ? WHERE id = ? AND status = 'queued' AND stage <> ?`).run(stage, id, stage);
}

/** Why a job was interrupted, in the words its owner's fate calls for. */
export const INTERRUPTED_ERROR: JobError = {
  name: 'Interrupted',
  message: 'The app stopped while this job was running. Start it again.',
  kind: 'internal',
};

/**
 * Jobs left queued or running by a process that is no longer alive (the app was closed or
 * crashed, or its PID now belongs to another process after a restart) become `interrupted`.
 * `isOrphan` decides from the job's owner; jobs of a live owner — a `pilot serve` next to a CLI
 * call — are left alone.
 */
export function interruptOrphans(db: WritableDB, isOrphan: (owner: JobOwner, id: number) => boolean, now: number): number[] {
  const rows = db.prepare(`SELECT id, owner_pid, owner_start FROM jobs WHERE status IN ('queued', 'running')`).all() as {
    id: number;
    owner_pid: number;
    owner_start: string | null;
  }[];
  const orphans = rows.filter((row) => isOrphan({ pid: row.owner_pid, start: row.owner_start }, row.id)).map((row) => row.id);
  const mark = db.prepare(
    `UPDATE jobs SET status = 'interrupted', error = ?, finished_at = ?, worker_pid = NULL, eta_seconds = NULL WHERE id = ? AND status IN ('queued', 'running')`,
  );
  try {
    db.transaction(() => orphans.forEach((id) => mark.run(toJson(INTERRUPTED_ERROR), now, id)))();
  } catch (fault) {
    // A read-only folder or a full disk must not stop start-up: the orphans stay as they are
    // until a start that can write, and the fault is reported by the first command that writes.
    if (fault instanceof StorageFault) return [];
    throw fault;
  }
  return orphans;
}
