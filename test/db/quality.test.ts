/** quality_reports queries: store and find by content + options, newest per dataset, list without content, cascade, the plans. */
import { describe, expect, it } from 'vitest';
import { upsertDataset } from '../../db/datasets.js';
import { canonicalJson, findQualityReport, getQualityReport, insertQualityReport, latestQualityReport, listQualityReports } from '../../db/quality.js';
import { openStore } from '../../db/store.js';
import type { QualityReport } from '../../workers/quality/report.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const report = (score: number) => ({ score, rows: 3, columns: [], alerts: [] }) as unknown as QualityReport;

function withDataset() {
  const store = openStore(':memory:');
  const { dataset } = upsertDataset(
    store.write,
    { path: '/d/a.csv', name: 'a.csv', sizeBytes: 10, mtimeMs: 1, sha256: A, delimiter: ',', encoding: 'utf-8', hasHeader: true, columns: ['x', 'y'], rowCount: 3, warnings: [], jobId: null },
    1,
  );
  return { store, dataset };
}

describe('quality report queries', () => {
  it('writes canonical option keys: key order and absent options do not matter, values do', () => {
    expect(canonicalJson({ target: 'y', protected: ['b', 'a'], positive: undefined })).toBe('{"protected":["b","a"],"target":"y"}');
    expect(canonicalJson({ b: { d: 1, c: 2 }, a: 1 })).toBe(canonicalJson({ a: 1, b: { c: 2, d: 1 } }));
    expect(canonicalJson({ protected: ['a', 'b'] })).not.toBe(canonicalJson({ protected: ['b', 'a'] }));
  });

  it('finds the newest report of the same content and options only', () => {
    const { store, dataset } = withDataset();
    const options = { target: 'y', positive: '1', protected: ['x'] };
    const key = { datasetId: dataset.id, datasetSha256: A, optionsKey: canonicalJson({ protected: ['x'], positive: '1', target: 'y' }) };
    expect(findQualityReport(store.read, key)).toBeNull();
    const older = insertQualityReport(store.write, { datasetId: dataset.id, datasetSha256: A, options, report: report(70) }, 1000);
    const newer = insertQualityReport(store.write, { datasetId: dataset.id, datasetSha256: A, options, report: report(71) }, 2000);
    insertQualityReport(store.write, { datasetId: dataset.id, datasetSha256: A, options: {}, report: report(90) }, 3000);
    expect(older.optionsKey).toBe(key.optionsKey);
    expect(findQualityReport(store.read, key)?.id).toBe(newer.id);
    expect(findQualityReport(store.read, { ...key, datasetSha256: B })).toBeNull();
    expect(findQualityReport(store.read, { ...key, optionsKey: '{"target":"y"}' })).toBeNull();
    expect(getQualityReport(store.read, newer.id)).toMatchObject({ score: 71, options, report: { score: 71, rows: 3 }, jobId: null, createdAt: 2000 });
  });

  it('gives the newest report of a dataset, lists summaries newest first, and forgets them with the dataset', () => {
    const { store, dataset } = withDataset();
    expect(latestQualityReport(store.read, dataset.id)).toBeNull();
    const a = insertQualityReport(store.write, { datasetId: dataset.id, datasetSha256: A, options: {}, report: report(50) }, 1000);
    const b = insertQualityReport(store.write, { datasetId: dataset.id, datasetSha256: A, options: { target: 'y' }, report: report(60) }, 2000);
    expect(latestQualityReport(store.read, dataset.id)?.id).toBe(b.id);
    const list = listQualityReports(store.read, dataset.id);
    expect(list.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(list[0]).not.toHaveProperty('report');
    expect(list[0]).toMatchObject({ score: 60, options: { target: 'y' } });
    store.write.prepare('DELETE FROM datasets WHERE id = ?').run(dataset.id);
    expect(getQualityReport(store.read, a.id)).toBeNull();
  });

  it('refuses a score outside 0–100 at the table, and clamps float noise on insert', () => {
    const { store, dataset } = withDataset();
    expect(insertQualityReport(store.write, { datasetId: dataset.id, datasetSha256: 's', options: {}, report: report(100.0000001) }, 1).score).toBe(100);
    expect(() =>
      store.write.prepare(`INSERT INTO quality_reports (dataset_id, dataset_sha256, options_key, options, score, report, created_at) VALUES (?, 's', '{}', '{}', 101, '{}', 1)`).run(dataset.id),
    ).toThrow(/CHECK/u);
  });

  it('uses the content index to find a reusable report and the dataset index for history', () => {
    const { store } = withDataset();
    const plan = (sql: string, ...args: unknown[]) => (store.read.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(
      plan('SELECT * FROM quality_reports WHERE dataset_sha256 = ? AND options_key = ? AND dataset_id = ? ORDER BY created_at DESC, id DESC LIMIT 1', 's', '{}', 1),
    ).toMatch(/USING INDEX quality_reports_by_content/u);
    expect(plan('SELECT * FROM quality_reports WHERE dataset_id = ? ORDER BY created_at DESC, id DESC LIMIT 1', 1)).toMatch(/USING INDEX quality_reports_by_dataset/u);
  });
});
