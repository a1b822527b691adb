/**
 * Test fixtures for the ROI: a pilot project, a training run and a model version written with
 * plain SQL (as the pilots capability would), so ROI tests do not depend on the trainer.
 */
import type { WritableDB } from '../../db/store.js';

export interface SeedOptions {
  name: string;
  question?: string;
  /** Today's figures; null = no baseline recorded. */
  baseline?: Record<string, unknown> | null;
  /** Test accuracy of the version; null = no version at all. */
  accuracy?: number | null;
  stage?: 'candidate' | 'staging' | 'production' | 'archived';
  trainSeconds?: number | null;
  backend?: 'tensorflow' | 'wasm' | 'cpu';
  /** Adds a hardware profile with one GPU of this power limit. */
  gpuWatts?: number | null;
  successMetric?: string | null;
  successThreshold?: number | null;
}

const NOW = 1_760_000_000_000;

export function seedProject(db: WritableDB, options: SeedOptions): { projectId: number; versionId: number | null; runId: number | null } {
  const project = db
    .prepare(
      `INSERT INTO projects (name, question, success_metric, success_threshold, baseline, task, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'binary', ?, ?) RETURNING id`,
    )
    .get(
      options.name,
      options.question ?? '',
      options.successMetric ?? null,
      options.successThreshold ?? null,
      options.baseline === null || options.baseline === undefined ? null : JSON.stringify(options.baseline),
      NOW,
      NOW,
    ) as { id: number };
  if (options.accuracy === null || options.accuracy === undefined) return { projectId: project.id, versionId: null, runId: null };

  let profileId: number | null = null;
  if (options.gpuWatts) {
    const profile = { gpus: [{ vendor: 'NVIDIA', model: 'NVIDIA GeForce RTX 4090', powerLimitW: options.gpuWatts, vramBytes: 24 * 2 ** 30 }], cpu: { model: 'Test CPU', logicalCores: 8 }, verdicts: [{ template: 'tabular', level: 'green', reasons: ['Fast enough.'] }] };
    profileId = (
      db
        .prepare(`INSERT INTO hardware_profiles (machine_id, hostname, source, mode, schema_version, profile, created_at) VALUES ('m1', 'lab-pc', 'local', 'quick', 1, ?, ?) RETURNING id`)
        .get(JSON.stringify(profile), NOW) as { id: number }
    ).id;
  }
  const result = { trainSeconds: options.trainSeconds ?? undefined, fairness: [] };
  const run = db
    .prepare(
      `INSERT INTO runs (project_id, dataset_sha256, status, backend, task, result, started_at, finished_at)
       VALUES (?, ?, 'succeeded', ?, 'binary', ?, ?, ?) RETURNING id`,
    )
    .get(project.id, 'a'.repeat(64), options.backend ?? 'cpu', JSON.stringify(result), NOW, NOW + 120_000) as { id: number };
  const metrics = { accuracy: options.accuracy, balancedAccuracy: options.accuracy - 0.02, f1: 0.7 };
  const version = db
    .prepare(
      `INSERT INTO model_versions (project_id, version, run_id, dataset_sha256, hardware_profile_id, backend, task, target, hyperparameters, test_metrics, baselines, artifact_dir, artifact_sha256, stage, created_at)
       VALUES (?, 1, ?, ?, ?, ?, 'binary', 'late', '{}', ?, ?, '/tmp/model', ?, ?, ?) RETURNING id`,
    )
    .get(
      project.id,
      run.id,
      'a'.repeat(64),
      profileId,
      options.backend ?? 'cpu',
      JSON.stringify(metrics),
      JSON.stringify({ majority: { accuracy: 0.6, balancedAccuracy: 0.5, f1: 0 }, linear: { accuracy: 0.8, balancedAccuracy: 0.75, f1: 0.6 } }),
      'b'.repeat(64),
      options.stage ?? 'production',
      NOW,
    ) as { id: number };
  return { projectId: project.id, versionId: version.id, runId: run.id };
}
