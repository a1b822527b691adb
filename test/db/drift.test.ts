/** drift_reports and reference_profiles queries: round trips, history filters and order, the plan. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getDriftReport, getReferenceProfile, insertDriftReport, listDriftReports, putReferenceProfile } from '../../db/drift.js';
import { openStore } from '../../db/store.js';
import { checkDrift } from '../../workers/drift/index.js';
import { makeContext } from '../../workers/protocol.js';
import { tempDir, writeCsv } from '../workers/drift/helpers.js';

function seeded() {
  const store = openStore(':memory:');
  const db = store.write;
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'bikes', 0, 0)`).run();
  db.prepare(`INSERT INTO runs (id, project_id, dataset_sha256, status, started_at) VALUES (1, 1, 'x', 'succeeded', 0)`).run();
  db.prepare(
    `INSERT INTO model_versions (id, project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, created_at)
     VALUES (1, 1, 1, 1, 'x', 'cpu', 'regression', 'cnt', '{}', '{}', '/m', 'h', 0)`,
  ).run();
  return store;
}

async function sampleReport() {
  const dir = tempDir();
  const rows = Array.from({ length: 60 }, (_, i) => [i % 7, i % 2 === 0 ? 'a' : 'b']);
  const ref = writeCsv(join(dir, 'ref.csv'), ['n', 'c'], rows);
  const cur = writeCsv(join(dir, 'cur.csv'), ['n', 'c'], rows.map(([n, c]) => [Number(n) + 3, c as string]));
  return { report: await checkDrift({ referencePath: ref, currentPath: cur, options: { includeProfile: true } }, makeContext()), cur };
}

describe('drift queries', () => {
  it('stores a report and reads it back whole, without the embedded profile', async () => {
    const store = seeded();
    const { report, cur } = await sampleReport();
    const stored = insertDriftReport(store.write, { versionId: null, currentPath: cur, report, jobId: null }, 1000);
    expect(stored).toMatchObject({ versionId: null, currentPath: cur, driftShare: report.driftShare, datasetDrift: report.datasetDrift, createdAt: 1000 });
    expect(stored.referenceSha256).toBe(report.files.reference.sha256);
    const { referenceProfile: _profile, ...withoutProfile } = report;
    expect(getDriftReport(store.read, stored.id)?.report).toEqual(withoutProfile);
    expect(getDriftReport(store.read, 999)).toBeNull();
    store.close();
  });

  it('lists history newest first, by version or file-to-file, using the version index', async () => {
    const store = seeded();
    const { report, cur } = await sampleReport();
    insertDriftReport(store.write, { versionId: 1, currentPath: cur, report, jobId: null }, 1);
    insertDriftReport(store.write, { versionId: null, currentPath: cur, report, jobId: null }, 2);
    insertDriftReport(store.write, { versionId: 1, currentPath: cur, report, jobId: null }, 3);
    expect(listDriftReports(store.read).map((e) => e.createdAt)).toEqual([3, 2, 1]);
    expect(listDriftReports(store.read, { versionId: 1 }).map((e) => e.createdAt)).toEqual([3, 1]);
    expect(listDriftReports(store.read, { versionId: null }).map((e) => e.createdAt)).toEqual([2]);
    const [latest] = listDriftReports(store.read, { limit: 1 });
    expect(latest).toMatchObject({ summary: report.summary, recommendation: report.recommendation });
    expect(latest).not.toHaveProperty('report');
    const plan = store.read
      .prepare(`EXPLAIN QUERY PLAN SELECT id FROM drift_reports WHERE version_id = ? ORDER BY created_at DESC, id DESC LIMIT 10`)
      .all(1) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/drift_reports_by_version/);
    store.close();
  });

  it('caches one reference profile per version, replaced on update', async () => {
    const store = seeded();
    const { report } = await sampleReport();
    const profile = report.referenceProfile!;
    expect(getReferenceProfile(store.read, 1)).toBeNull();
    putReferenceProfile(store.write, 1, profile, 5);
    expect(getReferenceProfile(store.read, 1)).toEqual({ profile, datasetSha256: profile.source.sha256, createdAt: 5 });
    putReferenceProfile(store.write, 1, { ...profile, rows: 1 }, 6);
    expect(getReferenceProfile(store.read, 1)?.profile.rows).toBe(1);
    expect(store.read.prepare('SELECT count(*) AS n FROM reference_profiles').get()).toEqual({ n: 1 });
    store.close();
  });
});
