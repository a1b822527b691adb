/** Queries for `quality_reports` (migration 003): quality and bias reports of a dataset's content. */
import type { QualityReport } from '../workers/quality/report.js';
import { fromJson, toJson } from './json.js';
import type { ReadableDB, WritableDB } from './store.js';

/** The options a report was computed with; together with the file's SHA-256 they decide whether a stored report can be reused. */
export interface QualityOptions {
  target?: string;
  positive?: string;
  protected?: string[];
  prediction?: string;
  threshold?: number;
  missingMarkers?: string[];
  /** The test set's dataset id and SHA-256, when a train/test check was asked for. */
  testDatasetId?: number;
  testSha256?: string;
  /** The dataset's number formats (`column:decimal thousands`) when it has any: importing again with another format means a new report. */
  numberFormats?: string[];
}

/** One stored report without the report itself: a row of the history list. */
export interface QualityReportSummary {
  id: number;
  datasetId: number;
  /** The content scored. */
  datasetSha256: string;
  /** Canonical JSON of `options` (sorted keys, absent options left out). */
  optionsKey: string;
  options: QualityOptions;
  /** 0–100. */
  score: number;
  jobId: number | null;
  createdAt: number;
}

/** A stored report with its full content. */
export interface QualityReportRecord extends QualityReportSummary {
  report: QualityReport;
}

interface ReportRow {
  id: number;
  dataset_id: number;
  dataset_sha256: string;
  options_key: string;
  options: string;
  score: number;
  report?: string;
  job_id: number | null;
  created_at: number;
}

const SUMMARY_COLUMNS = 'id, dataset_id, dataset_sha256, options_key, options, score, job_id, created_at';

/** JSON with keys sorted at every level and undefined members dropped: equal options give equal text. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sort(x)]));
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

function toSummary(row: ReportRow): QualityReportSummary {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    datasetSha256: row.dataset_sha256,
    optionsKey: row.options_key,
    options: fromJson<QualityOptions>(row.options) ?? {},
    score: row.score,
    jobId: row.job_id,
    createdAt: row.created_at,
  };
}

function toRecord(row: ReportRow): QualityReportRecord {
  return { ...toSummary(row), report: fromJson<QualityReport>(row.report ?? null) as QualityReport };
}

/** Stores a computed report. */
export function insertQualityReport(
  db: WritableDB,
  entry: { datasetId: number; datasetSha256: string; options: QualityOptions; report: QualityReport; jobId?: number | null },
  now: number,
): QualityReportRecord {
  const row = db
    .prepare(
      `INSERT INTO quality_reports (dataset_id, dataset_sha256, options_key, options, score, report, job_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      entry.datasetId,
      entry.datasetSha256,
      canonicalJson(entry.options),
      toJson(entry.options),
      // The CHECK constraint wants 0–100; the engine's score is rounded but clamp against float noise.
      Math.min(100, Math.max(0, entry.report.score)),
      toJson(entry.report),
      entry.jobId ?? null,
      now,
    ) as ReportRow;
  return toRecord(row);
}

/** The newest report of this dataset's content with these options: what a re-run reuses. Uses `quality_reports_by_content`. */
export function findQualityReport(db: ReadableDB, key: { datasetId: number; datasetSha256: string; optionsKey: string }): QualityReportRecord | null {
  const row = db
    .prepare('SELECT * FROM quality_reports WHERE dataset_sha256 = ? AND options_key = ? AND dataset_id = ? ORDER BY created_at DESC, id DESC LIMIT 1')
    .get(key.datasetSha256, key.optionsKey, key.datasetId) as ReportRow | undefined;
  return row ? toRecord(row) : null;
}

export function getQualityReport(db: ReadableDB, id: number): QualityReportRecord | null {
  const row = db.prepare('SELECT * FROM quality_reports WHERE id = ?').get(id) as ReportRow | undefined;
  return row ? toRecord(row) : null;
}

/** The newest report of a dataset, whatever its options. Uses `quality_reports_by_dataset`. */
export function latestQualityReport(db: ReadableDB, datasetId: number): QualityReportRecord | null {
  const row = db.prepare('SELECT * FROM quality_reports WHERE dataset_id = ? ORDER BY created_at DESC, id DESC LIMIT 1').get(datasetId) as ReportRow | undefined;
  return row ? toRecord(row) : null;
}

/** A dataset's reports, newest first, without their (possibly large) content. */
export function listQualityReports(db: ReadableDB, datasetId: number, limit = 100): QualityReportSummary[] {
  const rows = db
    .prepare(`SELECT ${SUMMARY_COLUMNS} FROM quality_reports WHERE dataset_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`)
    .all(datasetId, limit) as ReportRow[];
  return rows.map(toSummary);
}
