/**
 * Queries for `model_versions`: inserting the version a run produced, reading and listing versions.
 * Stages, aliases and the rest of the history belong to the registry (`db/registry.ts`); this file
 * only appends the `register` event a new version starts its history with.
 */
import { fromJson, toJson } from './json.js';
import type { PilotKind } from '../workers/pilot-result.js';
import type { PilotTask } from './projects.js';
import type { ReadableDB, WritableDB } from './store.js';

export type Stage = 'candidate' | 'staging' | 'production' | 'archived';

/** A registered model version, with the lineage it came from. */
export interface ModelVersion {
  id: number;
  /** Which kind of pilot produced this version; the artifact's metadata.json says the same. */
  kind: PilotKind;
  projectId: number;
  /** 1, 2, 3… per project. */
  version: number;
  runId: number;
  datasetId: number | null;
  /** SHA-256 of the training file's bytes: lineage that survives the dataset row. */
  datasetSha256: string;
  qualityReportId: number | null;
  hardwareProfileId: number | null;
  backend: string;
  task: PilotTask;
  target: string;
  hyperparameters: Record<string, unknown>;
  /** The network's metrics on the test split. */
  testMetrics: Record<string, unknown>;
  /** Majority and linear baselines' metrics on the same test split. */
  baselines: Record<string, unknown>;
  artifactDir: string;
  /** SHA-256 of the artifact's checksum list (`checksums.json`'s JSON). */
  artifactSha256: string;
  stage: Stage;
  description: string;
  createdAt: number;
  /**
   * Binary versions: the operating threshold the user chose (a row is called positive when its
   * probability of the positive class is at or above it); null: the training default, 0.5.
   */
  threshold: number | null;
}

export type NewModelVersion = Omit<ModelVersion, 'id' | 'kind' | 'version' | 'stage' | 'description' | 'createdAt' | 'threshold'> & { kind?: PilotKind; description?: string };

/** A `model_versions` row as SQLite returns it. */
export interface VersionRow {
  id: number;
  kind: string;
  project_id: number;
  version: number;
  run_id: number;
  dataset_id: number | null;
  dataset_sha256: string;
  quality_report_id: number | null;
  hardware_profile_id: number | null;
  backend: string;
  task: string;
  target: string;
  hyperparameters: string;
  test_metrics: string;
  baselines: string;
  artifact_dir: string;
  artifact_sha256: string;
  stage: string;
  description: string;
  created_at: number;
  threshold: number | null;
}

export function toModelVersion(row: VersionRow): ModelVersion {
  return {
    id: row.id,
    kind: row.kind as PilotKind,
    projectId: row.project_id,
    version: row.version,
    runId: row.run_id,
    datasetId: row.dataset_id,
    datasetSha256: row.dataset_sha256,
    qualityReportId: row.quality_report_id,
    hardwareProfileId: row.hardware_profile_id,
    backend: row.backend,
    task: row.task as PilotTask,
    target: row.target,
    hyperparameters: fromJson<Record<string, unknown>>(row.hyperparameters) ?? {},
    testMetrics: fromJson<Record<string, unknown>>(row.test_metrics) ?? {},
    baselines: fromJson<Record<string, unknown>>(row.baselines) ?? {},
    artifactDir: row.artifact_dir,
    artifactSha256: row.artifact_sha256,
    stage: row.stage as Stage,
    description: row.description,
    createdAt: row.created_at,
    threshold: row.threshold ?? null,
  };
}

/**
 * Inserts the next version of the project (1 + the highest so far). The caller runs this inside
 * the transaction that finishes the run, so two versions can never take the same number.
 */
export function insertModelVersion(db: WritableDB, version: NewModelVersion, now: number): ModelVersion {
  const row = db
    .prepare(
      `INSERT INTO model_versions (kind, project_id, version, run_id, dataset_id, dataset_sha256, quality_report_id, hardware_profile_id,
         backend, task, target, hyperparameters, test_metrics, baselines, artifact_dir, artifact_sha256, description, created_at)
       VALUES (@kind, @projectId, (SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE project_id = @projectId), @runId, @datasetId,
         @datasetSha256, @qualityReportId, @hardwareProfileId, @backend, @task, @target, @hyperparameters, @testMetrics, @baselines,
         @artifactDir, @artifactSha256, @description, @createdAt)
       RETURNING *`,
    )
    .get({
      ...version,
      kind: version.kind ?? 'tabular',
      hyperparameters: toJson(version.hyperparameters),
      testMetrics: toJson(version.testMetrics),
      baselines: toJson(version.baselines),
      description: version.description ?? '',
      createdAt: now,
    }) as VersionRow;
  return toModelVersion(row);
}

/** Appends the `register` event that starts a version's history (model_events is append-only). */
export function appendRegisterEvent(db: WritableDB, version: ModelVersion, actor: string, at: number, reason = ''): void {
  db.prepare(
    `INSERT INTO model_events (project_id, version_id, version, action, from_stage, to_stage, actor, reason, at)
     VALUES (?, ?, ?, 'register', NULL, ?, ?, ?, ?)`,
  ).run(version.projectId, version.id, version.version, version.stage, actor, reason, at);
}

export function getModelVersion(db: ReadableDB, id: number): ModelVersion | null {
  const row = db.prepare('SELECT * FROM model_versions WHERE id = ?').get(id) as VersionRow | undefined;
  return row ? toModelVersion(row) : null;
}

export function getModelVersionByNumber(db: ReadableDB, projectId: number, version: number): ModelVersion | null {
  const row = db.prepare('SELECT * FROM model_versions WHERE project_id = ? AND version = ?').get(projectId, version) as VersionRow | undefined;
  return row ? toModelVersion(row) : null;
}

export function getModelVersionByRun(db: ReadableDB, runId: number): ModelVersion | null {
  const row = db.prepare('SELECT * FROM model_versions WHERE run_id = ?').get(runId) as VersionRow | undefined;
  return row ? toModelVersion(row) : null;
}

/** A project's versions, newest first; every project's when `projectId` is absent. */
export function listModelVersions(db: ReadableDB, projectId?: number): ModelVersion[] {
  const rows =
    projectId === undefined
      ? db.prepare('SELECT * FROM model_versions ORDER BY created_at DESC, id DESC').all()
      : db.prepare('SELECT * FROM model_versions WHERE project_id = ? ORDER BY version DESC').all(projectId);
  return (rows as VersionRow[]).map(toModelVersion);
}

/** The newest quality report of this content (by SHA-256), for a version's lineage; null when none was scored. */
export function latestQualityReportId(db: ReadableDB, datasetSha256: string): number | null {
  const row = db.prepare('SELECT id FROM quality_reports WHERE dataset_sha256 = ? ORDER BY created_at DESC, id DESC LIMIT 1').get(datasetSha256) as
    | { id: number }
    | undefined;
  return row?.id ?? null;
}

/** The newest profile of this machine (source `local`), for a version's lineage; null when none was taken. */
export function latestLocalHardwareProfileId(db: ReadableDB): number | null {
  const row = db.prepare(`SELECT id FROM hardware_profiles WHERE source = 'local' ORDER BY created_at DESC, id DESC LIMIT 1`).get() as { id: number } | undefined;
  return row?.id ?? null;
}

/**
 * Sets (or, with null, clears) a binary version's operating threshold. The cached drift reference
 * holds the predictions made at the old threshold, so it is dropped and rebuilt on the next check.
 */
export function setVersionThreshold(db: WritableDB, id: number, threshold: number | null): ModelVersion {
  const row = db.prepare('UPDATE model_versions SET threshold = ? WHERE id = ? RETURNING *').get(threshold, id) as VersionRow | undefined;
  if (!row) throw new Error(`No model version ${id}.`);
  db.prepare('DELETE FROM reference_profiles WHERE version_id = ?').run(id);
  return toModelVersion(row);
}

/** Records the hash of a version's checksum list after its files were rewritten (its weights encrypted or decrypted at rest). */
export function setArtifactSha256(db: WritableDB, id: number, artifactSha256: string): void {
  db.prepare('UPDATE model_versions SET artifact_sha256 = ? WHERE id = ?').run(artifactSha256, id);
}
