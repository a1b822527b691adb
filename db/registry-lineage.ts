/**
 * What a model version came from — run, dataset, quality report, hardware profile — read for the
 * lineage view and the side-by-side comparison. Whether the dataset's file changed since is
 * checked by the handler (it hashes the file); this only reads rows.
 */
import { getDataset, type Dataset } from './datasets.js';
import { fromJson } from './json.js';
import { getVersion, RegistryError, type RegistryVersion } from './registry.js';
import type { ReadableDB } from './store.js';

/** Everything recorded about where a version came from. */
export interface VersionFacts {
  version: RegistryVersion;
  run: {
    id: number;
    status: string;
    jobId: number | null;
    backendReason: string | null;
    startedAt: number;
    finishedAt: number | null;
    /** Per protected attribute, from the trainer's result (`fairness`). */
    fairness: unknown[];
    /** Train/validation/test row counts, when the run recorded them. */
    rows: { train: number; validation: number; test: number } | null;
  } | null;
  dataset: Dataset | null;
  quality: { id: number; score: number; datasetSha256: string; createdAt: number } | null;
  hardware: { id: number; hostname: string; machineId: string; source: string; createdAt: number } | null;
}

interface RunRow {
  id: number;
  status: string;
  job_id: number | null;
  backend_reason: string | null;
  started_at: number;
  finished_at: number | null;
  result: string | null;
}

export function versionFacts(db: ReadableDB, versionId: number): VersionFacts {
  const version = getVersion(db, versionId);
  if (!version) throw new RegistryError('not-found', `There is no model version with id ${versionId}. List versions with pilot models list.`);
  const run = db.prepare('SELECT id, status, job_id, backend_reason, started_at, finished_at, result FROM runs WHERE id = ?').get(version.runId) as
    | RunRow
    | undefined;
  const result = run ? (fromJson<{ fairness?: unknown[]; rows?: { train: number; validation: number; test: number } }>(run.result) ?? {}) : {};
  const quality = version.qualityReportId === null
    ? undefined
    : (db.prepare('SELECT id, score, dataset_sha256, created_at FROM quality_reports WHERE id = ?').get(version.qualityReportId) as
        | { id: number; score: number; dataset_sha256: string; created_at: number }
        | undefined);
  const hardware = version.hardwareProfileId === null
    ? undefined
    : (db.prepare('SELECT id, hostname, machine_id, source, created_at FROM hardware_profiles WHERE id = ?').get(version.hardwareProfileId) as
        | { id: number; hostname: string; machine_id: string; source: string; created_at: number }
        | undefined);
  return {
    version,
    run: run
      ? {
          id: run.id,
          status: run.status,
          jobId: run.job_id,
          backendReason: run.backend_reason,
          startedAt: run.started_at,
          finishedAt: run.finished_at,
          fairness: result.fairness ?? [],
          rows: result.rows ?? null,
        }
      : null,
    dataset: version.datasetId === null ? null : getDataset(db, version.datasetId),
    quality: quality ? { id: quality.id, score: quality.score, datasetSha256: quality.dataset_sha256, createdAt: quality.created_at } : null,
    hardware: hardware
      ? { id: hardware.id, hostname: hardware.hostname, machineId: hardware.machine_id, source: hardware.source, createdAt: hardware.created_at }
      : null,
  };
}
