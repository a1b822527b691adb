/**
 * Resuming a forecasting run from the page, in Chromium against `pilot serve`: a "What comes next"
 * project on hourly bike rentals is trained once from its wizard to the end (the reference), then
 * trained again with the same settings and seed, and that second run's worker is killed (SIGKILL,
 * a real crash) at its first checkpoint. The Train step says which epoch it reached; "Resume from
 * epoch N" continues it to the end. The resumed run's result is the reference's (the trainer's
 * promise: a resumed run is identical to an uninterrupted one on the same backend), and nothing
 * earlier is lost: the first version and its result, and the epochs logged before the kill.
 * Every wait is on a job's or run's state, never a fixed sleep. Screenshots (1280 × 800) go to
 * $PILOT_SCREENSHOTS.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { killWorkerAtFirstCheckpoint } from '../kill-worker.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, invokeChannel, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-forecast-resume');
mkdirSync(shots, { recursive: true });

let serve: ServeProcess;
let browser: BrowserSession;

const api = <T>(channel: string, input: unknown): Promise<T> => invokeChannel<T>(serve, channel, input);

interface Detail {
  runs: { id: number; status: string; resumable: boolean; jobId: number | null }[];
  versions: { version: number; runId: number }[];
}
interface Epoch {
  epoch: number;
  loss: number;
  valLoss: number;
}
interface ForecastRun {
  run: {
    id: number;
    status: string;
    result: {
      resumedFromEpoch: number | null;
      epochs: Epoch[];
      bestEpoch: number;
      summary: Record<string, unknown>;
      metrics: Record<string, number>;
      baselines: Record<string, unknown>;
      hyperparameters: Record<string, unknown>;
      backend: string;
      checksums: { files: Record<string, string> };
    };
  };
  params: Record<string, unknown>;
  metrics: Record<string, { step: number; value: number }[]>;
}

beforeAll(async () => {
  serve = await startServe();
  const job = await api<{ id: number }>('datasets:import', { path: fixture('forecast/bike_hour_2012.csv') });
  for (let i = 0; i < 600 && (await api<{ status: string }>('jobs:get', { id: job.id })).status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

/** What a run learnt and scored, without its timings (those differ from run to run). */
function learnt(result: ForecastRun['run']['result']) {
  return {
    epochs: result.epochs.map((e) => [e.epoch, e.loss, e.valLoss]),
    bestEpoch: result.bestEpoch,
    summary: result.summary,
    metrics: result.metrics,
    baselines: result.baselines,
    hyperparameters: result.hyperparameters,
    backend: result.backend,
    weights: result.checksums.files['weights.bin'],
  };
}

it('resumes a killed forecasting run from its checkpoint to the uninterrupted result, losing nothing earlier', async () => {
  const { page, errors } = browser;
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });
  await page.goto(`${serve.url}#/pilots`);
  await page.getByLabel(/What comes next/).check();
  await page.getByLabel('Project name').fill('rentals-resume');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByTestId('forecast-dataset').selectOption({ index: 1 });
  await expect.poll(() => page.getByLabel('Time column', { exact: true }).inputValue(), { timeout: 150_000 }).toBe('dteday');
  await page.getByRole('button', { name: 'Show the series' }).click();
  await page.getByTestId('forecast-preview').waitFor({ timeout: 150_000 });
  await page.getByRole('button', { name: 'Continue to training' }).click();
  const project = (await api<{ id: number; name: string }[]>('pilots:list', {})).find((p) => p.name === 'rentals-resume')!;
  const detail = () => api<Detail>('pilots:get', { id: project.id });

  // 1. The reference: an uninterrupted run, to the end. Enough epochs (and patience) that a kill
  // right after the first checkpoint lands well before the end of the second run.
  await page.getByLabel('Steps ahead').fill('6');
  await page.getByLabel('Epochs at most').fill('12');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => (await detail()).runs[0]?.status, { timeout: 300_000 }).toBe('succeeded');
  await page.getByTestId('forecast-results').waitFor({ timeout: 60_000 });
  const [first] = (await detail()).runs;
  const reference = await api<ForecastRun>('pilots:run', { id: first!.id });
  expect(reference.run.result.resumedFromEpoch).toBeNull();
  expect(reference.run.result.epochs.length).toBeGreaterThanOrEqual(4);

  // 2. The same settings again (the wizard keeps them; the seed is the default one), killed at its first checkpoint.
  await page.getByRole('button', { name: 'Train again' }).click();
  expect(await page.getByLabel('Epochs at most').inputValue()).toBe('12');
  expect(await page.getByLabel('Steps ahead').inputValue()).toBe('6');
  await page.getByRole('button', { name: 'Train again', exact: true }).click();
  await killWorkerAtFirstCheckpoint(serve.dataDir);
  await expect.poll(async () => (await detail()).runs.length, { timeout: 60_000 }).toBe(2);
  await expect.poll(async () => (await detail()).runs[0]?.status, { timeout: 60_000 }).toBe('failed');
  const [killed] = (await detail()).runs;
  expect(killed!.id).not.toBe(first!.id);
  expect(killed!.resumable).toBe(true);
  const stored = await api<ForecastRun>('pilots:run', { id: killed!.id });
  // The same settings as the reference (which has, since it finished, its chosen hyperparameters and backend too).
  const { runKey: _key, ...settings } = stored.params;
  expect(reference.params).toMatchObject(settings);
  const before = stored.metrics.loss!.map((p) => [p.step, p.value]);
  const reached = Math.max(...before.map(([step]) => step!));
  expect(reached).toBeGreaterThanOrEqual(1);
  expect(reached).toBeLessThan(reference.run.result.epochs.length);

  const notice = page.getByTestId('resume-run');
  await notice.waitFor({ timeout: 60_000 });
  await expect.poll(() => notice.textContent()).toContain(`It reached epoch ${reached}, then it failed:`);
  expect(await notice.textContent()).toContain(`Run ${killed!.id} stopped before the end`);
  await shot('forecast-resume-1-stopped');

  // 3. Resume from the page, to the results.
  await page.getByRole('button', { name: `Resume from epoch ${reached}` }).click();
  await expect.poll(async () => (await detail()).runs[0]?.status, { timeout: 300_000 }).toBe('succeeded');
  await page.getByTestId('forecast-results').waitFor({ timeout: 60_000 });
  await expect.poll(async () => (await page.getByTestId('registered').textContent()) ?? '', { timeout: 60_000 }).toContain('rentals-resume@2');
  await shot('forecast-resume-2-results');

  const after = await detail();
  expect(after.runs.map((r) => [r.id, r.status])).toEqual([
    [killed!.id, 'succeeded'],
    [first!.id, 'succeeded'],
  ]);
  expect(after.versions.map((v) => [v.version, v.runId])).toEqual([
    [2, killed!.id],
    [1, first!.id],
  ]);
  const resumed = await api<ForecastRun>('pilots:run', { id: killed!.id });
  // The checkpoint is written before the epoch is reported, so it is the reported epoch, or one later when the kill fell in between.
  expect(resumed.run.result.resumedFromEpoch).toBeGreaterThanOrEqual(reached);
  expect(resumed.run.result.resumedFromEpoch).toBeLessThanOrEqual(reached + 1);
  // The same run as the uninterrupted one: every epoch's losses, the scores and the weights themselves.
  expect(learnt(resumed.run.result)).toEqual(learnt(reference.run.result));
  // Nothing earlier lost: the epochs logged before the kill are still the run's first epochs,
  // and the first run's result and version are as they were.
  const losses = new Map(resumed.metrics.loss!.map((p) => [p.step, p.value]));
  for (const [step, value] of before) expect(losses.get(step!)).toBe(value);
  expect(resumed.run.result.epochs.slice(0, reached).map((e) => [e.epoch, e.loss])).toEqual(before.slice(0, reached));
  expect((await api<ForecastRun>('pilots:run', { id: first!.id })).run.result).toEqual(reference.run.result);
  expect(errors).toEqual([]);
}, 900_000);
