/** Queries for drift: stored drift reports (the history chart) and cached reference profiles (migration 005). */
import type { DriftReport, ReferenceProfile } from '../workers/drift/index.js';
import { fromJson, toJson } from './json.js';
import type { ReadableDB, WritableDB } from './store.js';

/** A stored drift check. */
export interface DriftReportRecord {
  id: number;
  /** The model version whose reference data was used; null when two files were compared. */
  versionId: number | null;
  referenceSha256: string;
  currentPath: string;
  currentSha256: string;
  driftShare: number;
  datasetDrift: boolean;
  report: DriftReport;
  jobId: number | null;
  createdAt: number;
}

/** One point of the drift history: a stored check without its full report. */
export type DriftHistoryEntry = Omit<DriftReportRecord, 'report'> & { summary: string; recommendation: DriftReport['recommendation'] };

interface DriftReportRow {
  id: number;
  version_id: number | null;
  reference_sha256: string;
  current_path: string;
  current_sha256: string;
  drift_share: number;
  dataset_drift: number;
  report: string;
  job_id: number | null;
  created_at: number;
}

function toEntry(row: Omit<DriftReportRow, 'report'>): Omit<DriftReportRecord, 'report'> {
  return {
    id: row.id,
    versionId: row.version_id,
    referenceSha256: row.reference_sha256,
    currentPath: row.current_path,
    currentSha256: row.current_sha256,
    driftShare: row.drift_share,
    datasetDrift: row.dataset_drift === 1,
    jobId: row.job_id,
    createdAt: row.created_at,
  };
}

function toRecord(row: DriftReportRow): DriftReportRecord {
  return { ...toEntry(row), report: fromJson<DriftReport>(row.report) as DriftReport };
}

/** Stores a finished check. The report's cached profile, if any, is not stored here (see `putReferenceProfile`). */
export function insertDriftReport(
  db: WritableDB,
  entry: { versionId: number | null; currentPath: string; report: DriftReport; jobId: number | null },
  now: number,
): DriftReportRecord {
  const { referenceProfile: _profile, ...report } = entry.report;
  const row = db
    .prepare(
      `INSERT INTO drift_reports (version_id, reference_sha256, current_path, current_sha256, drift_share, dataset_drift, report, job_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      entry.versionId,
      report.files.reference.sha256,
      entry.currentPath,
      report.files.current.sha256,
      report.driftShare,
      report.datasetDrift ? 1 : 0,
      toJson(report),
      entry.jobId,
      now,
    ) as DriftReportRow;
  return toRecord(row);
}

export function getDriftReport(db: ReadableDB, id: number): DriftReportRecord | null {
  const row = db.prepare('SELECT * FROM drift_reports WHERE id = ?').get(id) as DriftReportRow | undefined;
  return row ? toRecord(row) : null;
}

/**
 * Drift history, newest first: of one version (`versionId` a number), of file-to-file checks
 * (`null`), or of all (`undefined`). The summary comes out of the stored JSON without parsing it
 * in JavaScript.
 */
export function listDriftReports(db: ReadableDB, options: { versionId?: number | null; limit?: number } = {}): DriftHistoryEntry[] {
  const where = options.versionId === undefined ? '' : options.versionId === null ? 'WHERE version_id IS NULL' : 'WHERE version_id = @versionId';
  const rows = db
    .prepare(
      `SELECT id, version_id, reference_sha256, current_path, current_sha256, drift_share, dataset_drift, job_id, created_at,
              json_extract(report, '$.summary') AS summary, json_extract(report, '$.recommendation') AS recommendation
       FROM drift_reports ${where} ORDER BY created_at DESC, id DESC LIMIT @limit`,
    )
    .all({ versionId: options.versionId ?? null, limit: options.limit ?? 100 }) as (Omit<DriftReportRow, 'report'> & { summary: string; recommendation: string })[];
  return rows.map((row) => ({ ...toEntry(row), summary: row.summary, recommendation: row.recommendation as DriftReport['recommendation'] }));
}

/** The cached reference profile of a version, with the SHA-256 of the data it was computed from. */
export function getReferenceProfile(db: ReadableDB, versionId: number): { profile: ReferenceProfile; datasetSha256: string; createdAt: number } | null {
  const row = db.prepare('SELECT profile, dataset_sha256, created_at FROM reference_profiles WHERE version_id = ?').get(versionId) as
    | { profile: string; dataset_sha256: string; created_at: number }
    | undefined;
  if (!row) return null;
  return { profile: fromJson<ReferenceProfile>(row.profile) as ReferenceProfile, datasetSha256: row.dataset_sha256, createdAt: row.created_at };
}

/** Caches (or replaces) a version's reference profile. */
export function putReferenceProfile(db: WritableDB, versionId: number, profile: ReferenceProfile, now: number): void {
  db.prepare(
    `INSERT INTO reference_profiles (version_id, dataset_sha256, profile, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (version_id) DO UPDATE SET dataset_sha256 = excluded.dataset_sha256, profile = excluded.profile, created_at = excluded.created_at`,
  ).run(versionId, profile.source.sha256, toJson(profile), now);
}
