/** Queries for `evaluations`: a model version scored on a new labelled file (the `evaluate.run` job's result). */
import type { EvaluationResult } from '../workers/evaluate/index.js';
import { fromJson, toJson } from './json.js';
import type { ReadableDB, WritableDB } from './store.js';

/** A stored evaluation: the engine's result split into `metrics` and the rest (`report`). */
export interface Evaluation {
  id: number;
  versionId: number;
  /** The registered dataset whose file was evaluated, when it is one. */
  datasetId: number | null;
  datasetSha256: string;
  metrics: EvaluationResult['metrics'];
  report: Omit<EvaluationResult, 'metrics'>;
  jobId: number | null;
  createdAt: number;
}

interface EvaluationRow {
  id: number;
  version_id: number;
  dataset_id: number | null;
  dataset_sha256: string;
  metrics: string;
  report: string;
  job_id: number | null;
  created_at: number;
}

function toEvaluation(row: EvaluationRow): Evaluation {
  return {
    id: row.id,
    versionId: row.version_id,
    datasetId: row.dataset_id,
    datasetSha256: row.dataset_sha256,
    metrics: fromJson<EvaluationResult['metrics']>(row.metrics)!,
    report: fromJson<Omit<EvaluationResult, 'metrics'>>(row.report)!,
    jobId: row.job_id,
    createdAt: row.created_at,
  };
}

export function insertEvaluation(
  db: WritableDB,
  input: { versionId: number; datasetId: number | null; result: EvaluationResult; jobId: number | null },
  now: number,
): Evaluation {
  const { metrics, ...report } = input.result;
  const row = db
    .prepare(
      `INSERT INTO evaluations (version_id, dataset_id, dataset_sha256, metrics, report, job_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(input.versionId, input.datasetId, input.result.datasetSha256, toJson(metrics), toJson(report), input.jobId, now) as EvaluationRow;
  return toEvaluation(row);
}

/** Evaluations of a version, oldest first (the trend). */
export function listEvaluations(db: ReadableDB, versionId: number): Evaluation[] {
  return (db.prepare('SELECT * FROM evaluations WHERE version_id = ? ORDER BY created_at, id').all(versionId) as EvaluationRow[]).map(toEvaluation);
}

/** One point of a version's trend: its headline metric on each evaluated file, against the training-time value. */
export interface TrendPoint {
  evaluationId: number;
  createdAt: number;
  file: string;
  metric: string;
  value: number | null;
  recorded: number | null;
}

export function evaluationTrend(db: ReadableDB, versionId: number): TrendPoint[] {
  return listEvaluations(db, versionId).map((e) => {
    const headline = e.report.differences[0];
    return {
      evaluationId: e.id,
      createdAt: e.createdAt,
      file: e.report.file,
      metric: headline?.metric ?? '',
      value: headline?.current ?? null,
      recorded: headline?.recorded ?? null,
    };
  });
}
