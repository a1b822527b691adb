/** drift channels in-process: a check filed under a model version, the history filters, bad input. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import { tempDir, workerEntry } from '../helpers.js';
import { writeCsv } from '../workers/drift/helpers.js';

let app: App;
const { dir, cleanup } = tempDir();
beforeAll(() => {
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'cli', version: 'test' });
  const db = app.store.write;
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'shop', 0, 0)`).run();
  db.prepare(`INSERT INTO runs (id, project_id, dataset_sha256, status, started_at) VALUES (1, 1, 'x', 'succeeded', 0)`).run();
  db.prepare(
    `INSERT INTO model_versions (id, project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, created_at)
     VALUES (1, 1, 1, 1, 'x', 'cpu', 'binary', 'y', '{}', '{}', '/m', 'h', 0)`,
  ).run();
});
afterAll(async () => {
  await app.close();
  cleanup();
});

describe('drift channels', () => {
  const reference = writeCsv(join(dir, 'ref.csv'), ['amount', 'kind'], Array.from({ length: 100 }, (_, i) => [i, i % 3 === 0 ? 'a' : 'b']));
  const current = writeCsv(join(dir, 'cur.csv'), ['amount', 'kind'], Array.from({ length: 100 }, (_, i) => [i + 60, i % 3 === 0 ? 'a' : 'b']));

  it('runs a check as a job, files it under the version, and lists it there only', async () => {
    const started = await invoke(app, 'drift:check', { referencePath: reference, currentPath: current, versionId: 1 });
    if (!started.ok) throw new Error(started.error.message);
    expect(started.value.kind).toBe('drift.check');
    const job = await app.jobs.wait(started.value.id);
    expect(job.status).toBe('succeeded');
    const id = (job.result as { driftReportId: number }).driftReportId;
    const byVersion = await invoke(app, 'drift:history', { versionId: 1 });
    expect(byVersion.ok && byVersion.value.map((e) => e.id)).toEqual([id]);
    const fileToFile = await invoke(app, 'drift:history', { versionId: null });
    expect(fileToFile.ok && fileToFile.value).toEqual([]);
    const stored = await invoke(app, 'drift:get', { id });
    if (!stored.ok) throw new Error(stored.error.message);
    expect(stored.value.versionId).toBe(1);
    expect(stored.value.report.columns.find((c) => c.name === 'amount')?.drifted).toBe(true);
    // The panel's HTML export: the stored report as one self-contained page, named after the file checked.
    const page = await invoke(app, 'drift:html', { id });
    if (!page.ok) throw new Error(page.error.message);
    expect(page.value.fileName).toBe(`cur-drift-${id}.html`);
    expect(page.value.html.startsWith('<!doctype html>')).toBe(true);
    expect(page.value.html).toContain(stored.value.report.summary.replace(/'/g, '&#39;'));
    expect(page.value.html).not.toMatch(/<script|https?:\/\//i);
    expect(await invoke(app, 'drift:html', { id: 999 })).toEqual({ ok: false, error: expect.objectContaining({ code: 'not-found' }) });
  });

  it('refuses unknown options and answers not-found for a missing report', async () => {
    const bad = await invoke(app, 'drift:check', { referencePath: reference, currentPath: current, options: { frobnicate: true } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/unexpected field frobnicate/);
    const missing = await invoke(app, 'drift:get', { id: 999 });
    expect(missing).toEqual({ ok: false, error: expect.objectContaining({ code: 'not-found' }) });
  });
});
