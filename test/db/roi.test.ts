/** ROI queries: cases as history, actuals upserted, the version the ROI reads, and what it measured. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  findRoiProject,
  insertRoiCase,
  latestRoiCase,
  listRoiActuals,
  listRoiCases,
  listRoiProjects,
  roiModelVersion,
  runTiming,
  setRoiActual,
} from '../../db/roi.js';
import { openStore, type Store } from '../../db/store.js';
import { CPU_ASSUMED_WATTS, projectMeasured } from '../../main/report/measured.js';
import { seedProject } from './roi-seed.js';

let store: Store;
beforeEach(() => {
  store = openStore(':memory:');
});
afterEach(() => store.close());

describe('roi_cases', () => {
  it('keeps every save as a row; the latest is the newest, ties broken by id', () => {
    const { projectId } = seedProject(store.write, { name: 'late invoices', baseline: { volumePerMonth: 1000 } });
    insertRoiCase(store.write, { projectId, input: { adoptionPercent: 80 }, measured: {}, result: { npv: 100, roiPercent: 5, paybackMonth: null, currency: 'EUR' }, note: 'first' }, 1000);
    insertRoiCase(store.write, { projectId, input: { adoptionPercent: 60 }, measured: {}, result: { npv: -5, roiPercent: null, paybackMonth: 7.5, currency: 'EUR' }, note: 'second' }, 1000);
    expect(latestRoiCase(store.read, projectId)?.note).toBe('second');
    const listed = listRoiCases(store.read, projectId);
    expect(listed.map((c) => c.note)).toEqual(['second', 'first']);
    expect(listed[0]).toMatchObject({ npv: -5, roiPercent: null, paybackMonth: 7.5, currency: 'EUR', input: { adoptionPercent: 60 } });
    expect(listRoiProjects(store.read)).toEqual([{ id: projectId, name: 'late invoices', question: '', baselinePresent: true, latestCaseAt: 1000, cases: 2 }]);
  });

  it('reads the latest case through the project index', () => {
    const plan = store.read
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM roi_cases WHERE project_id = ? ORDER BY created_at DESC, id DESC LIMIT 1')
      .all(1) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX roi_cases_by_project/);
  });

  it('an actual month entered twice replaces the first entry', () => {
    const { projectId } = seedProject(store.write, { name: 'p' });
    setRoiActual(store.write, projectId, { month: 2, costMinor: 1050, benefitMinor: 0, note: 'a' }, 1);
    setRoiActual(store.write, projectId, { month: 0, costMinor: 99, benefitMinor: 5, note: '' }, 2);
    setRoiActual(store.write, projectId, { month: 2, costMinor: 2000, benefitMinor: 300, note: 'b' }, 3);
    expect(listRoiActuals(store.read, projectId)).toEqual([
      { month: 0, costMinor: 99, benefitMinor: 5, note: '', updatedAt: 2 },
      { month: 2, costMinor: 2000, benefitMinor: 300, note: 'b', updatedAt: 3 },
    ]);
  });
});

describe('projects and versions as the ROI reads them', () => {
  it('finds a project by name or id; {} is no baseline', () => {
    const { projectId } = seedProject(store.write, { name: 'churn', baseline: {} });
    expect(findRoiProject(store.read, 'churn')?.id).toBe(projectId);
    expect(findRoiProject(store.read, String(projectId))?.name).toBe('churn');
    expect(findRoiProject(store.read, 'nope')).toBeNull();
    expect(findRoiProject(store.read, 'churn')?.baseline).toBeNull();
  });

  it('prefers the production version over a newer candidate', () => {
    const { projectId, runId } = seedProject(store.write, { name: 'p', accuracy: 0.9, stage: 'production' });
    const run2 = store.write.prepare(`INSERT INTO runs (project_id, dataset_sha256, status, started_at) VALUES (?, ?, 'succeeded', 1) RETURNING id`).get(projectId, 'c'.repeat(64)) as { id: number };
    store.write
      .prepare(
        `INSERT INTO model_versions (project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, stage, created_at)
         VALUES (?, 2, ?, ?, 'cpu', 'binary', 't', '{}', '{"accuracy":0.5}', '/x', ?, 'candidate', 2)`,
      )
      .run(projectId, run2.id, 'c'.repeat(64), 'd'.repeat(64));
    expect(roiModelVersion(store.read, projectId)).toMatchObject({ version: 1, stage: 'production', runId });
    store.write.prepare(`UPDATE model_versions SET stage = 'archived' WHERE version = 1`).run();
    expect(roiModelVersion(store.read, projectId)).toMatchObject({ version: 2, stage: 'candidate' });
  });

  it('run timing: the trainer’s trainSeconds, else the run’s wall time', () => {
    const { runId } = seedProject(store.write, { name: 'p', accuracy: 0.9, trainSeconds: 42.5 });
    expect(runTiming(store.read, runId!)).toMatchObject({ trainSeconds: 42.5, runSeconds: 120, jobSeconds: null });
    const { runId: other } = seedProject(store.write, { name: 'q', accuracy: 0.9, trainSeconds: null });
    expect(runTiming(store.read, other!)).toMatchObject({ trainSeconds: null, runSeconds: 120 });
  });
});

describe('projectMeasured', () => {
  it('error rate = 1 − test accuracy, GPU power limit when the GPU backend trained it', () => {
    const project = seedProject(store.write, { name: 'p', baseline: { volumePerMonth: 10 }, accuracy: 0.875, trainSeconds: 600, backend: 'tensorflow', gpuWatts: 450 });
    const m = projectMeasured(store.read, findRoiProject(store.read, 'p')!);
    expect(m.measured).toEqual({ modelErrorRate: 0.125, modelErrorSource: 'test metrics of version 1', modelVersionState: 'current', trainingSeconds: 600, devicePowerWatts: 450, baselinePresent: true });
    expect(m.version).toEqual({ id: project.versionId, version: 1, stage: 'production' });
    expect(m.sources.devicePower).toMatch(/power limit of the NVIDIA GeForce RTX 4090/);
  });

  it('a newer offline evaluation replaces the test metrics', () => {
    const { versionId } = seedProject(store.write, { name: 'p', baseline: { a: 1 }, accuracy: 0.9 });
    store.write.prepare(`INSERT INTO evaluations (version_id, dataset_sha256, metrics, report, created_at) VALUES (?, ?, '{"accuracy":0.7}', '{}', ?)`).run(versionId, 'e'.repeat(64), 1_760_000_000_001);
    const m = projectMeasured(store.read, findRoiProject(store.read, 'p')!);
    expect(m.measured.modelErrorRate).toBeCloseTo(0.3, 12);
    expect(m.measured.modelErrorSource).toMatch(/^latest offline evaluation of version 1/);
  });

  it('CPU training: the power is an assumption, said so; run duration stands in for trainSeconds', () => {
    seedProject(store.write, { name: 'p', accuracy: 0.9, trainSeconds: null, backend: 'wasm' });
    const m = projectMeasured(store.read, findRoiProject(store.read, 'p')!);
    expect(m.measured).toMatchObject({ devicePowerWatts: CPU_ASSUMED_WATTS, trainingSeconds: 120, baselinePresent: false });
    expect(m.measured.devicePowerAssumption).toMatch(/without a GPU \(wasm backend\)/);
    expect(m.sources.trainingTime).toMatch(/duration of the training run/);
  });

  it('archived version → archived; a version deleted after a save → deleted; none → none', () => {
    seedProject(store.write, { name: 'a', accuracy: 0.9, stage: 'archived' });
    expect(projectMeasured(store.read, findRoiProject(store.read, 'a')!).measured.modelVersionState).toBe('archived');

    const { projectId, versionId } = seedProject(store.write, { name: 'd', accuracy: 0.9 });
    const before = projectMeasured(store.read, findRoiProject(store.read, 'd')!);
    insertRoiCase(store.write, { projectId, input: {}, measured: before as unknown as Record<string, unknown>, result: {}, note: '' }, 5);
    store.write.prepare('DELETE FROM model_versions WHERE id = ?').run(versionId);
    const after = projectMeasured(store.read, findRoiProject(store.read, 'd')!);
    expect(after.measured).toMatchObject({ modelVersionState: 'deleted', modelErrorRate: null });
    expect(after.sources.modelError).toBe('Model version 1 was deleted.');

    seedProject(store.write, { name: 'n' });
    expect(projectMeasured(store.read, findRoiProject(store.read, 'n')!).measured.modelVersionState).toBe('none');
  });
});
