/**
 * Registers a version that arrives in a bundle: its project (created when this machine has none of
 * that name), a `runs` row standing for the training that happened elsewhere, the version itself
 * (a candidate, numbered after the project's last one) and an `import` event. The pilots
 * integration owns the usual inserts (db/projects.ts, db/runs.ts, db/models.ts); an import has no
 * job and no local dataset, so it writes its own rows here, in one transaction.
 */
import { toJson } from './json.js';
import { getVersion, recordEvent, type Change, type RegistryVersion } from './registry.js';
import type { PilotKind, PilotTask } from '../workers/pilot-result.js';
import type { WritableDB } from './store.js';

/** What the bundle says about the version (its `info`), plus where its files now are. */
export interface ImportedVersion {
  project: string;
  question: string;
  version: number;
  kind: PilotKind;
  task: PilotTask;
  target: string;
  backend: string;
  datasetSha256: string;
  hyperparameters: Record<string, unknown>;
  testMetrics: Record<string, unknown>;
  baselines: Record<string, unknown>;
  description: string;
  run: Record<string, unknown>;
  artifactDir: string;
  artifactSha256: string;
  /** The bundle file, for the event's reason. */
  source: string;
}

export function insertImportedVersion(db: WritableDB, input: ImportedVersion, change: Change): RegistryVersion {
  return db.transaction(() => {
    const existing = db.prepare('SELECT id FROM projects WHERE name = ?').get(input.project) as { id: number } | undefined;
    const projectId =
      existing?.id ??
      (db
        .prepare('INSERT INTO projects (kind, name, question, target, task, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id')
        .get(input.kind, input.project, input.question, input.target, input.task, change.now, change.now) as { id: number }).id;
    const runId = (
      db
        .prepare(
          `INSERT INTO runs (kind, project_id, dataset_sha256, status, backend, task, result, artifact_dir, started_at, finished_at)
           VALUES (?, ?, ?, 'succeeded', ?, ?, ?, ?, ?, ?) RETURNING id`,
        )
        .get(input.kind, projectId, input.datasetSha256, input.backend, input.task, toJson({ ...input.run, importedFrom: input.source }), input.artifactDir, change.now, change.now) as {
        id: number;
      }
    ).id;
    const { next } = db.prepare('SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE project_id = ?').get(projectId) as { next: number };
    const { id } = db
      .prepare(
        `INSERT INTO model_versions (kind, project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, baselines,
           artifact_dir, artifact_sha256, stage, description, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'candidate', ?, ?) RETURNING id`,
      )
      .get(
        input.kind,
        projectId,
        next,
        runId,
        input.datasetSha256,
        input.backend,
        input.task,
        input.target,
        toJson(input.hyperparameters),
        toJson(input.testMetrics),
        toJson(input.baselines),
        input.artifactDir,
        input.artifactSha256,
        input.description,
        change.now,
      ) as { id: number };
    recordEvent(db, {
      projectId,
      versionId: id,
      version: next,
      action: 'import',
      fromStage: null,
      toStage: 'candidate',
      alias: null,
      actor: change.actor,
      reason: change.reason || `Imported from ${input.source} (version ${input.version} of ${input.project} where it was exported)`,
      at: change.now,
    });
    return getVersion(db, id)!;
  })();
}
