/** Projects, runs, metrics and model versions: the queries, version numbering, and their query plans. */
import { describe, expect, it } from 'vitest';
import { appendRegisterEvent, getModelVersionByNumber, insertModelVersion, latestLocalHardwareProfileId, latestQualityReportId, listModelVersions, type NewModelVersion } from '../../db/models.js';
import { archiveProject, getProject, insertProject, listProjects, updateProject } from '../../db/projects.js';
import { attachJob, finishRun, getMetrics, getRun, getRunByJob, getRunParams, insertRun, latestMetrics, listRuns, logMetrics, setRunParams } from '../../db/runs.js';
import { openStore } from '../../db/store.js';

function version(projectId: number, runId: number): NewModelVersion {
  return {
    projectId,
    runId,
    datasetId: null,
    datasetSha256: 'abc',
    qualityReportId: null,
    hardwareProfileId: null,
    backend: 'wasm',
    task: 'binary',
    target: 'y',
    hyperparameters: { hiddenLayers: [16] },
    testMetrics: { accuracy: 0.9 },
    baselines: { majority: { accuracy: 0.6 } },
    artifactDir: '/m',
    artifactSha256: 'h',
  };
}

describe('projects', () => {
  it('inserts, patches only the fields given, lists without archived ones', () => {
    const store = openStore(':memory:');
    const a = insertProject(store.write, { name: 'fraud', question: 'Which claims are fraudulent?' }, 10);
    insertProject(store.write, { name: 'churn' }, 20);
    expect(a).toMatchObject({ name: 'fraud', question: 'Which claims are fraudulent?', wizard: {}, baseline: null, createdAt: 10, archivedAt: null });
    const patched = updateProject(store.write, a.id, { successMetric: 'recall', successThreshold: 0.8, baseline: { volumePerMonth: 1200, costOfError: 50 }, wizard: { step: 3 } }, 30);
    expect(patched).toMatchObject({ question: 'Which claims are fraudulent?', successMetric: 'recall', successThreshold: 0.8, baseline: { volumePerMonth: 1200, costOfError: 50 }, wizard: { step: 3 }, updatedAt: 30 });
    expect(listProjects(store.read).map((p) => p.name)).toEqual(['fraud', 'churn']);
    expect(archiveProject(store.write, a.id, 40)).toBe(true);
    expect(listProjects(store.read).map((p) => p.name)).toEqual(['churn']);
    expect(listProjects(store.read, { archived: true })).toHaveLength(2);
    expect(getProject(store.read, a.id)?.archivedAt).toBe(40);
    expect(updateProject(store.write, 999, { question: 'x' }, 50)).toBeNull();
    expect(() => insertProject(store.write, { name: 'churn' }, 60)).toThrow(/UNIQUE/);
    store.close();
  });
});

describe('runs and metrics', () => {
  it('keeps every epoch in metrics and the highest step in latest_metrics', () => {
    const store = openStore(':memory:');
    const project = insertProject(store.write, { name: 'p' }, 0);
    const run = insertRun(store.write, { projectId: project.id, datasetId: null, datasetSha256: 'abc', checkpointDir: '/ck', startedAt: 5 });
    store.write.prepare(`INSERT INTO jobs (id, kind, title, resource, status, input, owner_pid, created_at) VALUES (7, 'train.run', 't', 'gpu', 'running', '{}', 1, 0)`).run();
    attachJob(store.write, run.id, 7, '/ck');
    expect(getRunByJob(store.read, 7)?.id).toBe(run.id);
    logMetrics(store.write, run.id, [
      { key: 'loss', step: 1, timestamp: 1, value: 0.9 },
      { key: 'loss', step: 2, timestamp: 2, value: 0.5 },
      { key: 'valLoss', step: 1, timestamp: 1, value: 1.0 },
    ]);
    // A late report of an earlier step must not move the latest value back.
    logMetrics(store.write, run.id, [{ key: 'loss', step: 1, timestamp: 3, value: 0.8 }, { key: 'nan', step: 1, timestamp: 3, value: Number.NaN }]);
    expect(getMetrics(store.read, run.id)).toEqual({ loss: [{ step: 1, value: 0.8 }, { step: 2, value: 0.5 }], valLoss: [{ step: 1, value: 1.0 }] });
    expect(latestMetrics(store.read, run.id)).toEqual({ loss: 0.5, valLoss: 1.0 });

    setRunParams(store.write, run.id, { epochs: 30, exclude: ['a'] });
    setRunParams(store.write, run.id, { epochs: 40 });
    expect(getRunParams(store.read, run.id)).toEqual({ epochs: 40, exclude: ['a'] });

    expect(finishRun(store.write, run.id, { status: 'failed', finishedAt: 9 })).toBe(true);
    // The first final word wins: a later "succeeded" does not overwrite a failure.
    expect(finishRun(store.write, run.id, { status: 'succeeded', finishedAt: 10, checkpointDir: null })).toBe(false);
    expect(getRun(store.read, run.id)).toMatchObject({ status: 'failed', finishedAt: 9, checkpointDir: '/ck' });
    attachJob(store.write, run.id, 7, '/ck');
    expect(finishRun(store.write, run.id, { status: 'succeeded', finishedAt: 11, backend: 'wasm', task: 'binary', result: { ok: 1 }, artifactDir: '/m', checkpointDir: null })).toBe(true);
    expect(getRun(store.read, run.id)).toMatchObject({ status: 'succeeded', backend: 'wasm', result: { ok: 1 }, artifactDir: '/m', checkpointDir: null });
    expect(listRuns(store.read, project.id).map((r) => r.id)).toEqual([run.id]);
    store.close();
  });
});

describe('model versions', () => {
  it('numbers versions per project and starts each history with a register event', () => {
    const store = openStore(':memory:');
    const p1 = insertProject(store.write, { name: 'a' }, 0);
    const p2 = insertProject(store.write, { name: 'b' }, 0);
    const numbers: [number, number][] = [];
    for (const projectId of [p1.id, p1.id, p2.id, p1.id]) {
      const run = insertRun(store.write, { projectId, datasetId: null, datasetSha256: 'abc', startedAt: 0 });
      const v = insertModelVersion(store.write, version(projectId, run.id), 100);
      appendRegisterEvent(store.write, v, 'test', 100);
      numbers.push([projectId, v.version]);
    }
    expect(numbers).toEqual([[p1.id, 1], [p1.id, 2], [p2.id, 1], [p1.id, 3]]);
    expect(listModelVersions(store.read, p1.id).map((v) => v.version)).toEqual([3, 2, 1]);
    expect(getModelVersionByNumber(store.read, p1.id, 2)).toMatchObject({ version: 2, stage: 'candidate', testMetrics: { accuracy: 0.9 }, hyperparameters: { hiddenLayers: [16] } });
    const events = store.read.prepare(`SELECT project_id, version, action, to_stage FROM model_events ORDER BY id`).all();
    expect(events).toEqual([
      { project_id: p1.id, version: 1, action: 'register', to_stage: 'candidate' },
      { project_id: p1.id, version: 2, action: 'register', to_stage: 'candidate' },
      { project_id: p2.id, version: 1, action: 'register', to_stage: 'candidate' },
      { project_id: p1.id, version: 3, action: 'register', to_stage: 'candidate' },
    ]);
    store.close();
  });

  it('finds the latest quality report of a content and the latest local hardware profile', () => {
    const store = openStore(':memory:');
    expect(latestQualityReportId(store.read, 'abc')).toBeNull();
    expect(latestLocalHardwareProfileId(store.read)).toBeNull();
    const columns = (table: string) => (store.read.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; notnull: number; pk: number }[]).filter((c) => c.notnull && !c.pk);
    // Fill every required column with a plausible value, whatever the other capabilities added.
    const insert = (table: string, values: Record<string, unknown>) => {
      const all = { ...Object.fromEntries(columns(table).map((c) => [c.name, c.type === 'TEXT' ? '{}' : c.name === 'dataset_id' ? 1 : 0])), ...values };
      store.write.prepare(`INSERT INTO ${table} (${Object.keys(all).join(', ')}) VALUES (${Object.keys(all).map(() => '?').join(', ')})`).run(...Object.values(all));
    };
    store.write.prepare(`INSERT INTO datasets (id, path, name, size_bytes, mtime_ms, sha256, delimiter, encoding, has_header, columns, row_count, warnings, imported_at) VALUES (1, '/d.csv', 'd', 1, 0, '${'a'.repeat(64)}', ',', 'utf-8', 1, '[]', 1, '[]', 0)`).run();
    insert('quality_reports', { id: 1, dataset_sha256: 'abc', created_at: 1 });
    insert('quality_reports', { id: 2, dataset_sha256: 'abc', created_at: 5 });
    insert('quality_reports', { id: 3, dataset_sha256: 'other', created_at: 9 });
    insert('hardware_profiles', { id: 1, machine_id: 'm', hostname: 'h', source: 'local', mode: 'quick', created_at: 3 });
    insert('hardware_profiles', { id: 2, machine_id: 'n', hostname: 'h', source: 'imported', mode: 'quick', created_at: 8 });
    expect(latestQualityReportId(store.read, 'abc')).toBe(2);
    expect(latestLocalHardwareProfileId(store.read)).toBe(1);
    store.close();
  });
});

describe('query plans', () => {
  it('uses indexes for the lookups the app makes on every epoch and page', () => {
    const store = openStore(':memory:');
    const plan = (sql: string) => (store.read.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join(' | ');
    expect(plan('SELECT * FROM runs WHERE job_id = 1')).toMatch(/USING INDEX runs_by_job/);
    expect(plan('SELECT * FROM runs WHERE project_id = 1 ORDER BY started_at DESC, id DESC')).toMatch(/USING INDEX runs_by_project/);
    expect(plan('SELECT key, step, value FROM metrics WHERE run_id = 1 ORDER BY key, step')).toMatch(/USING (PRIMARY KEY|INDEX sqlite_autoindex_metrics)/);
    expect(plan('SELECT key, step, value FROM metrics WHERE run_id = 1 ORDER BY key, step')).not.toMatch(/TEMP B-TREE/);
    expect(plan('SELECT key, value FROM latest_metrics WHERE run_id = 1')).toMatch(/USING (PRIMARY KEY|INDEX sqlite_autoindex_latest_metrics)/);
    expect(plan('SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE project_id = 1')).toMatch(/USING (COVERING )?INDEX sqlite_autoindex_model_versions/);
    expect(plan('SELECT * FROM model_versions WHERE project_id = 1 ORDER BY version DESC')).toMatch(/USING INDEX sqlite_autoindex_model_versions/);
    expect(plan(`SELECT id FROM quality_reports WHERE dataset_sha256 = 'x' ORDER BY created_at DESC, id DESC LIMIT 1`)).toMatch(/USING (COVERING )?INDEX quality_reports_by_content \(dataset_sha256=\?\)/);
    store.close();
  });
});
