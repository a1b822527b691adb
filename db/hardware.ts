/** Queries for `hardware_profiles` (migration 002): this machine's profiles and ones imported from others. */
import type { HardwareReport, VerdictLevel } from '../workers/profiler/types.js';
import { fromJson, toJson } from './json.js';
import type { ReadableDB, WritableDB } from './store.js';

/** One stored profile without its report: a row of the history and fleet lists. */
export interface HardwareProfileSummary {
  id: number;
  machineId: string;
  hostname: string;
  /** `local`: profiled here; `imported`: read from another machine's JSON export. */
  source: 'local' | 'imported';
  /** Which benchmarks ran. */
  mode: 'none' | 'quick' | 'full';
  schemaVersion: number;
  importedFrom: string | null;
  jobId: number | null;
  /** When the profile was taken (epoch ms), not when it was imported. */
  createdAt: number;
  /** Verdict level per pilot kind, for lists and fleet tables without loading every report. */
  levels: Record<string, VerdictLevel>;
}

/** A stored profile with its full report. */
export interface HardwareProfileRecord extends HardwareProfileSummary {
  report: HardwareReport;
}

interface ProfileRow {
  id: number;
  machine_id: string;
  hostname: string;
  source: 'local' | 'imported';
  mode: 'none' | 'quick' | 'full';
  schema_version: number;
  profile: string;
  imported_from: string | null;
  job_id: number | null;
  created_at: number;
}

function toRecord(row: ProfileRow): HardwareProfileRecord {
  const report = fromJson<HardwareReport>(row.profile) as HardwareReport;
  return {
    id: row.id,
    machineId: row.machine_id,
    hostname: row.hostname,
    source: row.source,
    mode: row.mode,
    schemaVersion: row.schema_version,
    importedFrom: row.imported_from,
    jobId: row.job_id,
    createdAt: row.created_at,
    levels: Object.fromEntries((report.verdicts ?? []).map((verdict) => [verdict.template, verdict.level])),
    report,
  };
}

function toSummary(row: ProfileRow): HardwareProfileSummary {
  const { report: _report, ...summary } = toRecord(row);
  return summary;
}

/**
 * Stores a profile. Importing the same export twice (same machine and time) returns the existing
 * row instead of a duplicate.
 */
export function insertHardwareProfile(
  db: WritableDB,
  entry: { report: HardwareReport; source: 'local' | 'imported'; importedFrom?: string | null; jobId?: number | null },
): { record: HardwareProfileRecord; created: boolean } {
  const { report } = entry;
  const createdAt = Date.parse(report.createdAt);
  const existing = db
    .prepare('SELECT * FROM hardware_profiles WHERE machine_id = ? AND created_at = ?')
    .get(report.machineId, createdAt) as ProfileRow | undefined;
  if (existing) return { record: toRecord(existing), created: false };
  const row = db
    .prepare(
      `INSERT INTO hardware_profiles (machine_id, hostname, source, mode, schema_version, profile, imported_from, job_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      report.machineId,
      report.hostname,
      entry.source,
      report.benchmarks.mode,
      report.schemaVersion,
      toJson(report),
      entry.importedFrom ?? null,
      entry.jobId ?? null,
      createdAt,
    ) as ProfileRow;
  return { record: toRecord(row), created: true };
}

/** Stored profiles, newest first; of one machine when `machineId` is given. */
export function listHardwareProfiles(db: ReadableDB, options: { machineId?: string; limit?: number } = {}): HardwareProfileSummary[] {
  const limit = options.limit ?? 100;
  const rows = (
    options.machineId
      ? db.prepare('SELECT * FROM hardware_profiles WHERE machine_id = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(options.machineId, limit)
      : db.prepare('SELECT * FROM hardware_profiles ORDER BY created_at DESC, id DESC LIMIT ?').all(limit)
  ) as ProfileRow[];
  return rows.map(toSummary);
}

export function getHardwareProfile(db: ReadableDB, id: number): HardwareProfileRecord | null {
  const row = db.prepare('SELECT * FROM hardware_profiles WHERE id = ?').get(id) as ProfileRow | undefined;
  return row ? toRecord(row) : null;
}

/** The newest profile of each machine: the fleet. */
export function latestProfilePerMachine(db: ReadableDB): HardwareProfileRecord[] {
  const rows = db
    .prepare(
      `SELECT p.* FROM hardware_profiles p
       WHERE p.id = (SELECT q.id FROM hardware_profiles q WHERE q.machine_id = p.machine_id ORDER BY q.created_at DESC, q.id DESC LIMIT 1)
       ORDER BY p.hostname`,
    )
    .all() as ProfileRow[];
  return rows.map(toRecord);
}

/** The profile of the same machine taken just before `record`, to show what changed. */
export function previousProfile(db: ReadableDB, record: Pick<HardwareProfileSummary, 'id' | 'machineId' | 'createdAt'>): HardwareProfileRecord | null {
  const row = db
    .prepare(
      `SELECT * FROM hardware_profiles WHERE machine_id = ? AND (created_at < ? OR (created_at = ? AND id < ?))
       ORDER BY created_at DESC, id DESC LIMIT 1`,
    )
    .get(record.machineId, record.createdAt, record.createdAt, record.id) as ProfileRow | undefined;
  return row ? toRecord(row) : null;
}

export function deleteHardwareProfile(db: WritableDB, id: number): boolean {
  return db.prepare('DELETE FROM hardware_profiles WHERE id = ?').run(id).changes > 0;
}
