/** The forecast channels in-process with real worker processes: the wizard's preview, training registered as a version, refusals that record nothing. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../main/contract/index.js';
import { listRuns } from '../../db/runs.js';
import { fixture, tempDir, workerEntry } from '../helpers.js';
import { hourlyCounts, writeCsv } from '../workers/forecast/helpers.js';

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

describe('forecast channels', () => {
  it('previews bike_hour as one hourly series with its gaps, for the wizard plot', async () => {
    const datasetId = await importFile(fixture('bike_hour.csv'));
    const preview = await ok('forecast:preview', { datasetId, time: 'dteday+hr', target: 'cnt', points: 100 });
    expect(preview).toMatchObject({ datasetId, seriesCount: 1, frequency: { label: 'hourly' }, season: { period: 168 }, aggregate: 'sum' });
    // 17,379 rows over 731 days of 24 hours: 165 hours missing, reported.
    expect(preview.series[0]).toMatchObject({ length: 17_544, first: '2011-01-01', last: '2012-12-31 23:00' });
    expect(preview.series[0]!.values.length).toBeLessThanOrEqual(100);
    expect(preview.alerts.find((a) => a.kind === 'gaps')).toMatchObject({ count: 165 });
    const missing = await invoke(app, 'forecast:preview', { datasetId, time: 'when', target: 'cnt' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/Column "when" is not in bike_hour\.csv/) } });
    const notTime = await invoke(app, 'forecast:preview', { datasetId, time: 'season', target: 'cnt' });
    expect(notTime).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('trains through forecast:train and registers a forecast version of the project', async () => {
    const datasetId = await importFile(writeCsv(['time', 'visits'], hourlyCounts(24 * 50), 'visits.csv'));
    const project = await ok('pilots:create', { name: 'visits', datasetId });
    const started = await ok('forecast:train', { projectId: project.id, datasetId, time: 'time', target: 'visits', horizon: 6, epochs: 3, seed: 7 });
    expect(started.run).toMatchObject({ kind: 'forecast', status: 'running' });
    const done = await app.jobs.wait(started.job);
    expect(done.status).toBe('succeeded');
    const result = done.result!;
    expect(result).toMatchObject({
      kind: 'forecast',
      task: 'forecast',
      target: 'visits',
      runId: started.run.id,
      version: 1,
      summary: { metric: 'mase', lowerIsBetter: true },
    });
    const detail = await ok('pilots:get', { id: project.id });
    expect(detail.project.kind).toBe('forecast');
    expect(detail.versions[0]).toMatchObject({ id: result.modelVersionId, kind: 'forecast', task: 'forecast' });
    // Each epoch streamed into the run's metrics.
    const run = await ok('pilots:run', { id: started.run.id });
    expect(run.run.status).toBe('succeeded');
  });

  it('refuses a horizon longer than the history as input, and records the run as failed (nothing else touched)', async () => {
    const datasetId = await importFile(writeCsv(['time', 'visits'], hourlyCounts(24 * 10), 'short.csv'));
    const project = await ok('pilots:create', { name: 'short', datasetId });
    const started = await ok('forecast:train', { projectId: project.id, datasetId, time: 'time', target: 'visits', horizon: 500 });
    const done = await app.jobs.wait(started.job);
    expect(done).toMatchObject({ status: 'failed', error: { kind: 'input', message: expect.stringMatching(/horizon/i) } });
    expect(listRuns(app.store.read, project.id)[0]).toMatchObject({ status: 'failed' });
    expect((await ok('pilots:get', { id: project.id })).versions).toHaveLength(0);
  });

  it('reads decimal commas as the import found them: preview, training and the forecast of the same file', async () => {
    // Semicolon-separated, a decimal comma: "40,25" is 40.25 (the importer decides the format from every cell).
    const path = join(dir, 'levels.csv');
    writeFileSync(path, ['time;level', ...hourlyCounts(24 * 40).map(([t, v], i) => `${t};${v},${i % 4}5`)].join('\n') + '\n');
    const datasetId = await importFile(path);
    const preview = await ok('forecast:preview', { datasetId, time: 'time', target: 'level', points: 5000 });
    expect(preview.aggregate).toBe('mean');
    expect(preview.series[0]!.values[0]).toBeCloseTo((hourlyCounts(1)[0]![1] as number) + 0.05, 5);
    const project = await ok('pilots:create', { name: 'levels', datasetId });
    const started = await ok('forecast:train', { projectId: project.id, datasetId, time: 'time', target: 'level', horizon: 3, epochs: 2 });
    const done = await app.jobs.wait(started.job);
    expect(done.status).toBe('succeeded');
    const outPath = join(dir, 'levels-next.csv');
    const predicted = await app.jobs.wait(await ok('pilots:predict', { model: done.result!.modelVersionId, path, outPath }));
    expect(predicted.status).toBe('succeeded');
    const forecasts = readFileSync(outPath, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[2]));
    // The series lives between about 10 and 80: read without its format it would be refused, or forecast in the thousands.
    expect(forecasts).toHaveLength(3);
    for (const f of forecasts) {
      expect(f).toBeGreaterThan(0);
      expect(f).toBeLessThan(150);
    }
  });
});
