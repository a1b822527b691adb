/** The pilots channels in-process with real worker processes: wizard state, inspect, a killed training, resume, changed data. */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../main/contract/index.js';
import { fixture, tempDir, workerEntry } from '../helpers.js';

let app: App;
const { dir, cleanup } = tempDir();
beforeAll(() => {
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'cli', version: 'test' });
});
afterAll(async () => {
  await app.close();
  cleanup();
});

async function ok<K extends ChannelName>(name: K, input: ChannelInput<K>): Promise<ChannelOutput<K>> {
  const result = await invoke(app, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as ChannelOutput<K>;
}

async function importFile(path: string): Promise<number> {
  const job = await ok('datasets:import', { path });
  const done = await app.jobs.wait(job.id);
  return (done.result as { dataset: { id: number } }).dataset.id;
}

describe('pilots channels', () => {
  it('keeps the goal, today\'s figures and the wizard state for a user who comes back', async () => {
    const project = await ok('pilots:create', { name: 'claims', question: 'Which claims need a second look?' });
    await ok('pilots:update', { id: project.id, successMetric: 'recall', successThreshold: 0.8, successClass: 'fraud', baseline: { volumePerMonth: 4000, costOfError: 120, errorRate: 0.06, hoursPerMonth: 300, hourlyRate: 45 }, wizard: { step: 2 } });
    const { project: back } = await ok('pilots:get', { id: project.id });
    expect(back).toMatchObject({ question: 'Which claims need a second look?', successMetric: 'recall', successThreshold: 0.8, successClass: 'fraud', baseline: { volumePerMonth: 4000, errorRate: 0.06 }, wizard: { step: 2 } });
    const duplicate = await invoke(app, 'pilots:create', { name: 'claims' });
    expect(duplicate).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const bad = await invoke(app, 'pilots:update', { id: project.id, baseline: { errorRate: 6 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await ok('pilots:delete', { id: project.id })).toEqual({ archived: true });
    expect((await ok('pilots:list', {})).map((p) => p.name)).not.toContain('claims');
  });

  it('inspects a dataset: kinds, default exclusions with reasons, suggested targets', async () => {
    const path = join(dir, 'customers.csv');
    const rows = Array.from({ length: 60 }, (_, i) => `${i + 1},c${i}@example.com,EU,${(i * 7) % 50},${i % 3 === 0 ? 'yes' : 'no'}`);
    writeFileSync(path, `customer_id,email,region,tenure,churned\n${rows.join('\n')}\n`);
    const inspection = await ok('pilots:inspect', { datasetId: await importFile(path) });
    const byName = Object.fromEntries(inspection.columns.map((c) => [c.name, c]));
    expect(byName.customer_id?.exclude).toMatch(/identifier/);
    expect(byName.email?.exclude).toMatch(/personal data/);
    expect(byName.region?.exclude).toMatch(/constant/);
    expect(byName.tenure).toMatchObject({ kind: 'numeric', exclude: null });
    expect(inspection.suggestions[0]).toMatchObject({ column: 'churned', task: 'binary' });
    expect(inspection.rows).toBe(60);
  });

  it('a killed training worker fails the run, keeps earlier versions, and the run resumes from its checkpoint', async () => {
    const datasetId = await importFile(fixture('iris.csv'));
    const project = await ok('pilots:create', { name: 'flowers', datasetId });
    const first = await ok('pilots:train', { projectId: project.id, datasetId, target: 'species', epochs: 5, seed: 3 });
    expect((await app.jobs.wait(first.job.id)).status).toBe('succeeded');

    const second = await ok('pilots:train', { projectId: project.id, datasetId, target: 'species', epochs: 400, patience: 400, seed: 3 });
    let epochs = 0;
    await new Promise<void>((done) => {
      app.jobs.on('job', function kill({ job, detail }) {
        if (job.id !== second.job.id || detail === undefined || ++epochs < 3) return;
        app.jobs.off('job', kill);
        const { worker_pid: pid } = app.store.read.prepare('SELECT worker_pid FROM jobs WHERE id = ?').get(job.id) as { worker_pid: number };
        process.kill(pid, 'SIGKILL');
        done();
      });
    });
    const killed = await app.jobs.wait(second.job.id);
    expect(killed.status).toBe('failed');
    const detail = await ok('pilots:get', { id: project.id });
    const run = detail.runs.find((r) => r.id === second.run.id)!;
    expect(run).toMatchObject({ status: 'failed', resumable: true });
    // Epochs streamed before the kill were kept.
    expect(run.latest.loss).toEqual(expect.any(Number));
    expect(detail.versions.map((v) => v.version)).toEqual([1]);

    const resumed = await ok('pilots:resume', { runId: second.run.id });
    const done = await app.jobs.wait(resumed.job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const outcome = done.result as { resumedFromEpoch: number | null; version: number; runId: number };
    expect(outcome.resumedFromEpoch).toBeGreaterThanOrEqual(3);
    expect(outcome).toMatchObject({ version: 2, runId: second.run.id });
    const after = await ok('pilots:get', { id: project.id });
    expect(after.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(after.runs.find((r) => r.id === second.run.id)).toMatchObject({ status: 'succeeded', resumable: false, checkpointDir: null });
    const charts = await ok('pilots:run', { id: second.run.id });
    expect(charts.metrics.loss?.length).toBe(400);
    expect(charts.version?.version).toBe(2);
  });

  it('a cancelled training marks its run cancelled; a run whose job was interrupted while the app was away is settled at the next start, not by a read', async () => {
    const datasetId = await importFile(fixture('iris.csv'));
    const project = await ok('pilots:create', { name: 'stopped' });
    const started = await ok('pilots:train', { projectId: project.id, datasetId, target: 'species', epochs: 400, patience: 400 });
    await new Promise<void>((done) => {
      app.jobs.on('job', function cancel({ job, detail }) {
        if (job.id !== started.job.id || detail === undefined) return;
        app.jobs.off('job', cancel);
        app.jobs.cancel(job.id);
        done();
      });
    });
    expect((await app.jobs.wait(started.job.id)).status).toBe('cancelled');
    const detail = await ok('pilots:get', { id: project.id });
    expect(detail.runs[0]).toMatchObject({ id: started.run.id, status: 'cancelled' });
    expect(detail.versions).toEqual([]);

    // As after a crash: the job row says interrupted (recovered at startup), the run still says running.
    app.store.write.prepare(`UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?`).run(started.run.id);
    app.store.write.prepare(`UPDATE jobs SET status = 'interrupted' WHERE id = ?`).run(started.job.id);
    // A read channel never writes: the run still reads as running until the app starts again.
    expect((await ok('pilots:get', { id: project.id })).runs[0]).toMatchObject({ status: 'running' });
    await app.close();
    app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'cli', version: 'test' });
    expect((await ok('pilots:get', { id: project.id })).runs[0]).toMatchObject({ status: 'interrupted', checkpointDir: expect.any(String) });
  });

  it('refuses to train on a file that changed since import, unless told to', async () => {
    const path = join(dir, 'iris-copy.csv');
    copyFileSync(fixture('iris.csv'), path);
    const datasetId = await importFile(path);
    const project = await ok('pilots:create', { name: 'changed' });
    writeFileSync(path, `${'sepal_length,sepal_width,petal_length,petal_width,species\n'}${'5,3,1,0.2,a\n'.repeat(60)}`);
    const refused = await invoke(app, 'pilots:train', { projectId: project.id, datasetId, target: 'species' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/changed since it was imported/) } });
    expect((await ok('pilots:get', { id: project.id })).runs).toEqual([]);
  });

  it('predicts with a version named by stage or alias, as drift and the registry resolve it', async () => {
    const datasetId = await importFile(fixture('iris.csv'));
    const project = await ok('pilots:create', { name: 'staged', datasetId });
    const trained = await ok('pilots:train', { projectId: project.id, datasetId, target: 'species', epochs: 2, seed: 1 });
    const done = await app.jobs.wait(trained.job);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.result).toMatchObject({ kind: 'tabular', version: 1, projectId: project.id });
    await ok('models:promote', { ref: 'staged@1', to: 'production' });
    await ok('models:alias-set', { ref: 'staged@1', alias: 'champion' });
    for (const model of ['staged@production', 'staged@champion', 'staged@latest']) {
      const outPath = join(dir, `${model.replace('@', '-')}.csv`);
      const job = await ok('pilots:predict', { model, path: fixture('iris.csv'), outPath });
      const predicted = await app.jobs.wait(job);
      expect(predicted.status, JSON.stringify(predicted.error)).toBe('succeeded');
      expect(predicted.result).toMatchObject({ kind: 'tabular', version: 1, rows: 150 });
    }
    const missing = await invoke(app, 'pilots:predict', { model: 'staged@staging', path: fixture('iris.csv'), outPath: join(dir, 'none.csv') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found', message: expect.stringMatching(/staged has no version "staging"/) } });
  });
});
