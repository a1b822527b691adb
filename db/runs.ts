/** Queries for training runs: `runs`, their settings (`run_params`) and per-epoch `metrics` with `latest_metrics`. */
import { fromJson, toJson } from './json.js';
import type { PilotKind } from '../workers/pilot-result.js';
import type { PilotTask } from './projects.js';
import type { ReadableDB, WritableDB } from './store.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** A training run. `result` is the trainer's whole result once it succeeded. */
export interface Run {
  id: number;
  /** Which kind of pilot trained in this run. */
  kind: PilotKind;
  projectId: number | null;
  jobId: number | null;
  datasetId: number | null;
  datasetSha256: string;
  status: RunStatus;
  backend: string | null;
  backendReason: string | null;
  task: PilotTask | null;
  result: unknown;
  artifactDir: string | null;
  /** Where an interrupted run resumes from (null once it succeeded). */
  checkpointDir: string | null;
  startedAt: number;
  finishedAt: number | null;
}

/** One metric value at one step (an epoch). */
export interface MetricPoint {
  key: string;
  step: number;
  timestamp: number;
  value: number;
}

interface RunRow {
  id: number;
  kind: string;
  project_id: number | null;
  job_id: number | null;
  dataset_id: number | null;
  dataset_sha256: string;
  status: string;
  backend: string | null;
  backend_reason: string | null;
  task: string | null;
  result: string | null;
  artifact_dir: string | null;
  checkpoint_dir: string | null;
  started_at: number;
  finished_at: number | null;
}

function toRun(row: RunRow): Run {
  return {
    id: row.id,
    kind: row.kind as PilotKind,
    projectId: row.project_id,
    jobId: row.job_id,
    datasetId: row.dataset_id,
    datasetSha256: row.dataset_sha256,
    status: row.status as RunStatus,
    backend: row.backend,
    backendReason: row.backend_reason,
    task: row.task as PilotTask | null,
    result: fromJson(row.result),
    artifactDir: row.artifact_dir,
    checkpointDir: row.checkpoint_dir,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function insertRun(
  db: WritableDB,
  run: { projectId: number; kind?: PilotKind; datasetId: number | null; datasetSha256: string; checkpointDir?: string | null; startedAt: number },
): Run {
  const row = db
    .prepare(
      `INSERT INTO runs (project_id, kind, dataset_id, dataset_sha256, status, checkpoint_dir, started_at)
       VALUES (?, ?, ?, ?, 'running', ?, ?) RETURNING *`,
    )
    .get(run.projectId, run.kind ?? 'tabular', run.datasetId, run.datasetSha256, run.checkpointDir ?? null, run.startedAt) as RunRow;
  return toRun(row);
}

/** Points the run at the job that trains it (a resumed run gets a new job) and marks it running again. */
export function attachJob(db: WritableDB, runId: number, jobId: number, checkpointDir: string | null): void {
  db.prepare(`UPDATE runs SET job_id = ?, checkpoint_dir = ?, status = 'running', finished_at = NULL WHERE id = ?`).run(jobId, checkpointDir, runId);
}

export function getRun(db: ReadableDB, id: number): Run | null {
  const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
  return row ? toRun(row) : null;
}

export function getRunByJob(db: ReadableDB, jobId: number): Run | null {
  const row = db.prepare('SELECT * FROM runs WHERE job_id = ?').get(jobId) as RunRow | undefined;
  return row ? toRun(row) : null;
}

/** Runs still marked running, with their job (to settle those whose job ended without telling). */
export function listRunningRuns(db: ReadableDB): { id: number; jobId: number | null }[] {
  return (db.prepare(`SELECT id, job_id FROM runs WHERE status = 'running'`).all() as { id: number; job_id: number | null }[]).map((row) => ({ id: row.id, jobId: row.job_id }));
}

/**
 * The columns a finished run's result names: protected attributes (its fairness groups) and the
 * columns it left out, with why. Empty for a run without a result or a kind that has neither.
 */
export function runColumns(db: ReadableDB, runId: number | null): { protected: string[]; excluded: { column: string; reason: string }[] } {
  const result = runId === null ? null : getRun(db, runId)?.result;
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null) : []);
  const record = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
  return {
    protected: list(record['fairness']).flatMap((f) => (typeof f['column'] === 'string' ? [f['column']] : [])),
    excluded: list(record['excluded']).flatMap((e) => (typeof e['column'] === 'string' ? [{ column: e['column'], reason: typeof e['reason'] === 'string' ? e['reason'] : '' }] : [])),
  };
}

/** A project's runs, newest first. */
export function listRuns(db: ReadableDB, projectId: number): Run[] {
  return (db.prepare('SELECT * FROM runs WHERE project_id = ? ORDER BY started_at DESC, id DESC').all(projectId) as RunRow[]).map(toRun);
}

/** Records how a run ended. A run that already ended is left as it is (the first final word wins). */
export function finishRun(
  db: WritableDB,
  id: number,
  outcome: {
    status: Exclude<RunStatus, 'running'>;
    finishedAt: number;
    backend?: string | null;
    backendReason?: string | null;
    task?: PilotTask | null;
    result?: unknown;
    artifactDir?: string | null;
    /** Kept for failed/cancelled/interrupted runs that can resume; null once the model is saved. */
    checkpointDir?: string | null;
  },
): boolean {
  return (
    db
      .prepare(
        `UPDATE runs SET status = @status, finished_at = @finishedAt,
           backend = COALESCE(@backend, backend), backend_reason = COALESCE(@backendReason, backend_reason),
           task = COALESCE(@task, task), result = COALESCE(@result, result),
           artifact_dir = COALESCE(@artifactDir, artifact_dir),
           checkpoint_dir = CASE WHEN @clearCheckpoint THEN NULL ELSE checkpoint_dir END
         WHERE id = @id AND status = 'running'`,
      )
      .run({
        id,
        status: outcome.status,
        finishedAt: outcome.finishedAt,
        backend: outcome.backend ?? null,
        backendReason: outcome.backendReason ?? null,
        task: outcome.task ?? null,
        result: outcome.result === undefined ? null : toJson(outcome.result),
        artifactDir: outcome.artifactDir ?? null,
        clearCheckpoint: outcome.checkpointDir === null ? 1 : 0,
      }).changes === 1
  );
}

/** Writes settings, one row per key (a value given again replaces the old one). */
export function setRunParams(db: WritableDB, runId: number, params: Record<string, unknown>): void {
  const statement = db.prepare('INSERT OR REPLACE INTO run_params (run_id, key, value) VALUES (?, ?, ?)');
  for (const [key, value] of Object.entries(params)) if (value !== undefined) statement.run(runId, key, toJson(value));
}

export function getRunParams(db: ReadableDB, runId: number): Record<string, unknown> {
  const rows = db.prepare('SELECT key, value FROM run_params WHERE run_id = ? ORDER BY key').all(runId) as { key: string; value: string }[];
  return Object.fromEntries(rows.map((row) => [row.key, fromJson(row.value)]));
}

/**
 * Records metric values; a value for a (key, step) already stored replaces it (a resumed run
 * repeats no epoch, but the final result restates every one). `latest_metrics` keeps, per key,
 * the value of the highest step.
 */
export function logMetrics(db: WritableDB, runId: number, points: MetricPoint[]): void {
  const metric = db.prepare('INSERT OR REPLACE INTO metrics (run_id, key, step, timestamp, value) VALUES (?, ?, ?, ?, ?)');
  const latest = db.prepare(
    `INSERT INTO latest_metrics (run_id, key, step, timestamp, value) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value
     WHERE excluded.step >= latest_metrics.step`,
  );
  for (const point of points) {
    if (!Number.isFinite(point.value)) continue;
    metric.run(runId, point.key, point.step, point.timestamp, point.value);
    latest.run(runId, point.key, point.step, point.timestamp, point.value);
  }
}

/** Every metric of a run, by key, in step order (for the charts). */
export function getMetrics(db: ReadableDB, runId: number): Record<string, { step: number; value: number }[]> {
  const rows = db.prepare('SELECT key, step, value FROM metrics WHERE run_id = ? ORDER BY key, step').all(runId) as { key: string; step: number; value: number }[];
  const out: Record<string, { step: number; value: number }[]> = {};
  for (const row of rows) (out[row.key] ??= []).push({ step: row.step, value: row.value });
  return out;
}

/** The last value of each metric of a run. */
export function latestMetrics(db: ReadableDB, runId: number): Record<string, number> {
  const rows = db.prepare('SELECT key, value FROM latest_metrics WHERE run_id = ?').all(runId) as { key: string; value: number }[];
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}
