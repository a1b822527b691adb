/**
 * The drift watch folder, started by createApp from the `drift.watch` setting: a CSV dropped in
 * the folder (written in two pieces, as a copy arrives) is checked once against the project's
 * production version, stored, and announced on `driftWatchEvents`.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDataset } from '../../db/datasets.js';
import { setSetting } from '../../db/settings.js';
import { openStore } from '../../db/store.js';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { DriftWatchEvent } from '../../main/contract/drift.js';
import { databasePath } from '../../main/paths.js';
import { driftWatchEvents } from '../../main/watch/drift-watch.js';
import { regressionArtifact } from '../workers/evaluate/helpers.js';
import { tempDir, workerEntry } from '../helpers.js';
import { writeCsv } from '../workers/drift/helpers.js';

const { dir, cleanup } = tempDir('pilot-drift-watch-');
const home = join(dir, 'home');
const inbox = join(dir, 'inbox');
const trainFile = join(dir, 'train.csv');
let app: App;
const events: DriftWatchEvent[] = [];
const listener = (event: DriftWatchEvent) => events.push(event);

const rows = (shift: number, n: number) => Array.from({ length: n }, (_, i) => [shift + (i % 50), i % 2 ? 'north' : 'south', 3 * (shift + (i % 50)) + 6]);
/** A new batch: labels off the model's line by ±2 alternately, so its MAE is exactly 2. */
const csv = (shift: number, n: number) => `x,shop,y\n${rows(shift, n).map(([x, shop, y], i) => [x, shop, (y as number) + (i % 2 ? 2 : -2)].join(',')).join('\n')}\n`;

beforeAll(async () => {
  mkdirSync(inbox, { recursive: true });
  writeCsv(trainFile, ['x', 'shop', 'y'], rows(0, 400));
  writeFileSync(join(inbox, 'already-there.csv'), csv(30, 100));
  const sha256 = createHash('sha256').update(readFileSync(trainFile)).digest('hex');
  const artifactDir = await regressionArtifact(dir);
  mkdirSync(home, { recursive: true });
  const store = openStore(databasePath(home));
  const db = store.write;
  const { dataset } = upsertDataset(
    db,
    { path: trainFile, name: 'train.csv', sizeBytes: statSync(trainFile).size, mtimeMs: 0, sha256, delimiter: ',', encoding: 'utf-8', hasHeader: true, columns: ['x', 'shop', 'y'], rowCount: 400, warnings: [], jobId: null },
    0,
  );
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'shop', 0, 0)`).run();
  db.prepare(`INSERT INTO runs (id, project_id, dataset_sha256, status, started_at) VALUES (1, 1, ?, 'succeeded', 0)`).run(sha256);
  db.prepare(
    `INSERT INTO model_versions (id, project_id, version, run_id, dataset_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, stage, created_at)
     VALUES (1, 1, 1, 1, ?, ?, 'cpu', 'regression', 'y', '{}', '{"mae":1}', ?, 'h', 'production', 0)`,
  ).run(dataset.id, sha256, artifactDir);
  setSetting(db, 'drift.watch', { folder: inbox, version: 'shop@production' }, 0);
  store.close();
  driftWatchEvents.on('drift', listener);
  app = createApp({ dataDir: home, workerPath: workerEntry, mode: 'serve', version: 'test' });
});
afterAll(async () => {
  driftWatchEvents.off('drift', listener);
  await app.close();
  cleanup();
});

async function until<T>(what: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out waiting for the watch folder');
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe('drift watch folder', () => {
  it('checks a file dropped in pieces once, against the production version, stores it and announces it', async () => {
    const dropped = join(inbox, 'march.csv');
    const text = csv(30, 200);
    writeFileSync(dropped, text.slice(0, 1000));
    await new Promise((done) => setTimeout(done, 150));
    appendFileSync(dropped, text.slice(1000));
    writeFileSync(join(inbox, 'notes.md'), 'not data');

    const event = await until(() => events.find((e) => e.file === dropped));
    expect(event).toMatchObject({ type: 'drift', version: 'shop@production', versionId: 1, recommendation: 'retrain' });
    expect(event.message).toBe("1 of 2 inputs shifted, the largest in x; the model's predictions shifted; MAE rose from 1.00 to 2.00; retrain recommended.");

    const history = await invoke(app, 'drift:history', { versionId: 1 });
    if (!history.ok) throw new Error(history.error.message);
    expect(history.value.map((h) => h.id)).toEqual([event.driftReportId]);
    expect(history.value[0]?.currentPath).toBe(dropped);
    // The job is marked as the watch folder's (the UI's toast follows these jobs).
    const job = app.store.read.prepare('SELECT title, input FROM jobs WHERE id = ?').get(history.value[0]?.jobId) as { title: string; input: string };
    expect(job.title).toBe('Watch folder: drift march.csv vs shop v1');
    expect(JSON.parse(job.input)).toMatchObject({ watch: true, versionId: 1 });
    // The whole file was read, not the first piece.
    const stored = await invoke(app, 'drift:get', { id: event.driftReportId as number });
    expect(stored.ok && stored.value.report.rows.current).toBe(200);

    // Nothing else was checked: not the file there before watching began, not the non-CSV file, not the same file twice.
    await new Promise((done) => setTimeout(done, 1500));
    expect(events.map((e) => e.file)).toEqual([dropped]);
  });

  it('follows the setting: off stops the watch, a new folder is watched without a restart', async () => {
    const off = await invoke(app, 'settings:set', { key: 'drift.watch', value: null });
    expect(off.ok).toBe(true);
    await new Promise((done) => setTimeout(done, 2500)); // the setting is read every 2 s
    writeFileSync(join(inbox, 'april.csv'), csv(30, 100));
    await new Promise((done) => setTimeout(done, 1500));
    expect(events.map((e) => e.file)).not.toContain(join(inbox, 'april.csv'));

    const other = join(dir, 'inbox2');
    mkdirSync(other);
    const on = await invoke(app, 'settings:set', { key: 'drift.watch', value: { folder: other, version: 'shop@1' } });
    expect(on.ok).toBe(true);
    await new Promise((done) => setTimeout(done, 2500));
    const may = join(other, 'may.csv');
    writeFileSync(may, csv(0, 100));
    const event = await until(() => events.find((e) => e.file === may));
    // Same inputs as training, but the labels are off by ±2: no input drift, performance drift.
    expect(event).toMatchObject({ version: 'shop@1', versionId: 1, recommendation: 'retrain' });
    expect(event.message).toBe("None of 2 inputs shifted; the model's predictions are stable; MAE rose from 1.00 to 2.00; retrain recommended.");

    const bad = await invoke(app, 'settings:set', { key: 'drift.watch', value: { folder: other } });
    expect(bad).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid-input' }) });
  });
});
