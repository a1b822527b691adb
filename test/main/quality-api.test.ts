/** quality channels in-process: a scoring job stored and reused, --force, a changed file refused, the test-set key, bad input. */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { ImportOutcome } from '../../main/contract/datasets.js';
import type { QualityOutcome } from '../../main/contract/quality.js';
import { tempDir, workerEntry } from '../helpers.js';

let app: App;
const { dir, cleanup } = tempDir();
beforeAll(() => {
  app = createApp({ dataDir: join(dir, 'home'), workerPath: workerEntry, mode: 'cli', version: 'test' });
});
afterAll(async () => {
  await app.close();
  cleanup();
});

async function value<T>(promise: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const result = await promise;
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** 40 rows: groups a and b (alternating) each get the positive outcome in every other of their rows. */
function writeData(path: string, extra = ''): string {
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${i % 2 ? 'a' : 'b'},${i % 2 ? (i % 4 === 3 ? 'no' : 'yes') : i % 4 === 0 ? 'yes' : 'no'}`);
  writeFileSync(path, `id,group,outcome\n${rows.join('\n')}\n${extra}`);
  return path;
}

async function register(path: string): Promise<number> {
  const job = await value(invoke(app, 'datasets:import', { path }));
  const done = await app.jobs.wait(job.id);
  return (done.result as ImportOutcome).dataset.id;
}

describe('quality channels', () => {
  let datasetId: number;
  const path = join(dir, 'data.csv');
  const options = { target: 'outcome', positive: 'yes', protected: ['group'] };

  it('scores in a job, stores the report, and answers the stored one for the same content and options', async () => {
    datasetId = await register(writeData(path));
    const started = await value(invoke(app, 'quality:score', { datasetId, ...options }));
    expect(started.stored).toBeNull();
    expect(started.job?.kind).toBe('quality.score');
    const done = await app.jobs.wait(started.job!.id);
    expect(done.status).toBe('succeeded');
    const outcome = done.result as QualityOutcome;
    const record = await value(invoke(app, 'quality:get', { id: outcome.reportId }));
    expect(record).toMatchObject({ datasetId, jobId: done.id, options, score: outcome.score });
    expect(record.report.rows).toBe(40);
    const group = record.report.bias!['group']!;
    expect(group.groups.find((g) => g.group === 'a')?.positiveRate).toBeCloseTo(0.5, 10);
    expect(group.groups.find((g) => g.group === 'b')?.positiveRate).toBeCloseTo(0.5, 10);

    // The same options in another order are the same key.
    const again = await value(invoke(app, 'quality:score', { datasetId, protected: ['group'], positive: 'yes', target: 'outcome' }));
    expect(again.job).toBeNull();
    expect(again.stored?.id).toBe(record.id);
    expect((await value(invoke(app, 'quality:latest', { datasetId }))).record?.id).toBe(record.id);

    const other = await value(invoke(app, 'quality:score', { datasetId }));
    expect(other.job).not.toBeNull();
    await app.jobs.wait(other.job!.id);
    const forced = await value(invoke(app, 'quality:score', { datasetId, ...options, force: true }));
    expect(forced.job).not.toBeNull();
    const forcedDone = await app.jobs.wait(forced.job!.id);
    const list = await value(invoke(app, 'quality:list', { datasetId }));
    expect(list).toHaveLength(3);
    expect(list[0]!.id).toBe((forcedDone.result as QualityOutcome).reportId);
    expect(list[0]).not.toHaveProperty('report');

    const html = await value(invoke(app, 'quality:html', { id: record.id }));
    expect(html.fileName).toBe(`data-quality-${record.id}.html`);
    expect(html.html).toMatch(/^<!doctype html>/iu);
  });

  it('keys a train/test check on the test file too', async () => {
    const testId = await register(writeData(join(dir, 'test.csv')));
    const started = await value(invoke(app, 'quality:score', { datasetId, testDatasetId: testId }));
    const done = await app.jobs.wait(started.job!.id);
    const record = await value(invoke(app, 'quality:get', { id: (done.result as QualityOutcome).reportId }));
    expect(record.options).toMatchObject({ testDatasetId: testId, testSha256: expect.stringMatching(/^[0-9a-f]{64}$/u) });
    expect(record.report.trainTest?.overlappingRows).toBe(40);
  });

  it('refuses a file changed since import, with the message to re-import, and queues nothing', async () => {
    appendFileSync(path, '99,a,yes\n');
    const before = (await value(invoke(app, 'jobs:list', { limit: 100 }))).length;
    const result = await invoke(app, 'quality:score', { datasetId, ...options });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('conflict');
      expect(result.error.message).toMatch(/changed since it was imported.*import it again/u);
    }
    expect((await value(invoke(app, 'jobs:list', { limit: 100 }))).length).toBe(before);
  });

  it('answers not-found and invalid-input in words', async () => {
    const missing = await invoke(app, 'quality:score', { datasetId: 999 });
    expect(!missing.ok && missing.error).toMatchObject({ code: 'not-found', message: expect.stringMatching(/Dataset 999 does not exist/u) });
    const report = await invoke(app, 'quality:get', { id: 999 });
    expect(!report.ok && report.error).toMatchObject({ code: 'not-found', message: expect.stringMatching(/Quality report 999 does not exist/u) });
    const noTarget = await invoke(app, 'quality:score', { datasetId, positive: 'yes' });
    expect(!noTarget.ok && noTarget.error).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/positive value needs a target/u) });
    const unknown = await invoke(app, 'quality:score', { datasetId, colour: 'red' });
    expect(!unknown.ok && unknown.error.message).toMatch(/unexpected field colour/u);
    const latest = await invoke(app, 'quality:latest', { datasetId: 'one' });
    expect(!latest.ok && latest.error.code).toBe('invalid-input');
  });
});
