/**
 * Drift against a model version, in-process with real workers: the reference is the version's
 * training data, profiled once and cached; the model's predictions and registered MAE are compared.
 *
 * The model is hand-made (test/workers/evaluate/helpers.ts): y = 3x + 6 exactly, so predictions,
 * their drift and the MAE on a labelled batch are known without running it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDataset } from '../../db/datasets.js';
import { getReferenceProfile } from '../../db/drift.js';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { DriftReport } from '../../workers/drift/index.js';
import { regressionArtifact } from '../workers/evaluate/helpers.js';
import { tempDir, workerEntry } from '../helpers.js';
import { writeCsv } from '../workers/drift/helpers.js';

let app: App;
const { dir, cleanup } = tempDir('pilot-drift-version-');
const trainFile = join(dir, 'train.csv');
// x cycles 0..49; labels on the model's line, so the training data carries no error of its own.
writeCsv(trainFile, ['x', 'shop', 'y'], Array.from({ length: 400 }, (_, i) => [i % 50, i % 2 ? 'north' : 'south', 3 * (i % 50) + 6]));
const sha256 = createHash('sha256').update(readFileSync(trainFile)).digest('hex');

beforeAll(async () => {
  const artifactDir = await regressionArtifact(dir);
  app = createApp({ dataDir: join(dir, 'home'), workerPath: workerEntry, mode: 'cli', version: 'test' });
  const db = app.store.write;
  const { dataset } = upsertDataset(
    db,
    { path: trainFile, name: 'train.csv', sizeBytes: statSync(trainFile).size, mtimeMs: 0, sha256, delimiter: ',', encoding: 'utf-8', hasHeader: true, columns: ['x', 'shop', 'y'], rowCount: 400, warnings: [], jobId: null },
    0,
  );
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'shop', 0, 0)`).run();
  db.prepare(`INSERT INTO runs (id, project_id, dataset_sha256, status, started_at) VALUES (1, 1, ?, 'succeeded', 0)`).run(sha256);
  db.prepare(
    `INSERT INTO model_versions (id, project_id, version, run_id, dataset_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, created_at)
     VALUES (1, 1, 1, 1, ?, ?, 'cpu', 'regression', 'y', '{}', ?, ?, 'h', 0)`,
  ).run(dataset.id, sha256, JSON.stringify({ mae: 1, rmse: 1.5, residuals: [{ actual: 1, predicted: 2 }] }), artifactDir);
});
afterAll(async () => {
  await app.close();
  cleanup();
});

async function check(input: { version?: string; versionId?: number; currentPath: string }): Promise<{ report: DriftReport & { driftReportId: number }; jobInput: string }> {
  const started = await invoke(app, 'drift:check', input);
  if (!started.ok) throw new Error(started.error.message);
  const job = await app.jobs.wait(started.value.id);
  if (job.status !== 'succeeded') throw new Error(`job ${job.status}: ${JSON.stringify(job.error)}`);
  const row = app.store.read.prepare('SELECT input FROM jobs WHERE id = ?').get(job.id) as { input: string };
  const { driftReportId } = job.result as { driftReportId: number };
  // The job keeps the verdict only; the report is read from drift_reports.
  expect(JSON.stringify(job.result)).not.toMatch(/"columns"/);
  const stored = await invoke(app, 'drift:get', { id: driftReportId });
  if (!stored.ok) throw new Error(stored.error.message);
  expect((job.result as { summary: string }).summary).toBe(stored.value.report.summary);
  return { report: { ...stored.value.report, driftReportId }, jobInput: row.input };
}

describe('drift against a model version', () => {
  // Shifted by 30: x in 30..79. Labels are off the line by ±2 alternately, so the MAE is exactly 2.
  const current = writeCsv(join(dir, 'march.csv'), ['x', 'shop', 'y'], Array.from({ length: 200 }, (_, i) => [30 + (i % 50), i % 2 ? 'north' : 'south', 3 * (30 + (i % 50)) + 6 + (i % 2 ? 2 : -2)]));
  let first: DriftReport & { driftReportId: number };

  it('profiles the training data once, applies the model, and measures the MAE against the registered one', async () => {
    const { report, jobInput } = await check({ version: 'shop@1', currentPath: current });
    first = report;
    // The profile is cached under the version and describes the training file…
    const cached = getReferenceProfile(app.store.read, 1);
    expect(cached?.datasetSha256).toBe(sha256);
    expect(cached?.profile.rows).toBe(400);
    expect(cached?.profile.predictions?.kind).toBe('numeric');
    // …but never travels in the job row, nor with the stored report.
    expect(jobInput).not.toMatch(/psiEdges|residuals/);
    const stored = await invoke(app, 'drift:get', { id: report.driftReportId });
    expect(stored.ok && JSON.stringify(stored.value.report)).not.toMatch(/psiEdges/);
    expect(stored.ok && stored.value.versionId).toBe(1);

    expect(report.columns.map((c) => c.name)).toEqual(['x', 'shop']);
    expect(report.columns.find((c) => c.name === 'x')?.drifted).toBe(true);
    expect(report.columns.find((c) => c.name === 'shop')?.drifted).toBe(false);
    // Predictions 3x + 6 move with x: reference mean 3·24.5 + 6 = 79.5, current 3·54.5 + 6 = 169.5.
    expect(report.predictionDrift?.name).toBe('prediction');
    expect(report.predictionDrift?.drifted).toBe(true);
    expect(report.labelDrift?.name).toBe('y');
    expect(report.performance).toMatchObject({ metric: 'mae', reference: 1, rows: 200, degraded: true });
    expect(report.performance?.current).toBeCloseTo(2, 3);
    expect(report.performance?.drop).toBeCloseTo(1, 3);
    expect(report.summary).toMatch(/^1 of 2 inputs shifted, the largest in x; the model's predictions shifted; MAE rose from 1\.00 to 2\.00; retrain recommended\.$/);
  });

  it('later checks read only the new batch: the training file can be gone', async () => {
    renameSync(trainFile, `${trainFile}.moved`);
    try {
      const { report, jobInput } = await check({ versionId: 1, currentPath: current });
      expect(JSON.parse(jobInput)).toMatchObject({ versionId: 1, referenceProfilePath: expect.stringContaining('version-1-') });
      expect(jobInput).not.toContain('train.csv');
      expect(report.columns).toEqual(first.columns);
      expect(report.predictionDrift?.statistic).toBe(first.predictionDrift?.statistic);
      expect(report.performance).toEqual(first.performance);
      const history = await invoke(app, 'drift:history', { versionId: 1 });
      expect(history.ok && history.value.map((e) => e.id)).toEqual([report.driftReportId, first.driftReportId]);
    } finally {
      renameSync(`${trainFile}.moved`, trainFile);
    }
  });

  it('a batch without labels gives no performance; a stable batch gives no drift', async () => {
    const stable = writeCsv(join(dir, 'stable.csv'), ['x', 'shop'], Array.from({ length: 200 }, (_, i) => [i % 50, i % 2 ? 'north' : 'south']));
    const { report } = await check({ versionId: 1, currentPath: stable });
    expect(report.performance).toBeNull();
    expect(report.driftedColumns).toBe(0);
    expect(report.predictionDrift?.drifted).toBe(false);
    expect(report.recommendation).toBe('none');
  });

  it('refuses an unknown version, a missing reference, and a training file that changed before the first check', async () => {
    const unknown = await invoke(app, 'drift:check', { version: 'shop@9', currentPath: current });
    expect(unknown).toEqual({ ok: false, error: expect.objectContaining({ code: 'not-found' }) });
    const none = await invoke(app, 'drift:check', { currentPath: current });
    expect(none).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid-input' }) });

    app.store.write.prepare('DELETE FROM reference_profiles').run();
    const original = readFileSync(trainFile);
    writeFileSync(trainFile, `${original.toString()}1,south,9\n`);
    try {
      const changed = await invoke(app, 'drift:check', { versionId: 1, currentPath: current });
      expect(changed.ok).toBe(false);
      if (!changed.ok) expect(changed.error.message).toMatch(/train\.csv changed since shop v1 was trained on it/);
    } finally {
      writeFileSync(trainFile, original);
    }
  });
});
