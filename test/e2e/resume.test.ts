/**
 * Resuming a document run from the page, in Chromium: a "Documents and messages" project trained
 * from its wizard has its worker killed (SIGKILL, a real crash) at its first checkpoint. The
 * training step then says which epoch the run reached and why it stopped, also after a reload,
 * and "Resume from epoch N" continues the same run from its checkpoint with the live view, into a
 * registered version. Screenshots (1280 × 800) go to $PILOT_SCREENSHOTS.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { killWorkerAtFirstCheckpoint } from '../kill-worker.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, invokeChannel, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-resume');
mkdirSync(shots, { recursive: true });

let serve: ServeProcess;
let browser: BrowserSession;

const api = <T>(channel: string, input: unknown): Promise<T> => invokeChannel<T>(serve, channel, input);

beforeAll(async () => {
  serve = await startServe();
  const job = await api<{ id: number }>('datasets:import', { path: fixture('text/spamassassin.csv') });
  for (let i = 0; i < 600 && (await api<{ status: string }>('jobs:get', { id: job.id })).status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

type Detail = { runs: { id: number; status: string; resumable: boolean }[]; versions: { version: number }[] };

it('resumes a killed text run from its checkpoint with the live view, into a registered version', async () => {
  const { page, errors } = browser;
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });
  await page.goto(`${serve.url}#/pilots`);
  await page.getByLabel(/Documents and messages/).check();
  await page.getByLabel('Project name').fill('spam-resume');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByTestId('text-dataset').selectOption({ index: 1 });
  await expect.poll(() => page.getByLabel('Text column', { exact: true }).inputValue(), { timeout: 150_000 }).toBe('text');
  await page.getByRole('button', { name: 'Continue to training' }).click();
  await page.getByLabel('Epochs at most').fill('300');
  await page.getByRole('button', { name: 'Train', exact: true }).click();

  // The crash: the worker dies as soon as its first checkpoint is written.
  await killWorkerAtFirstCheckpoint(serve.dataDir);
  const project = (await api<{ id: number; name: string }[]>('pilots:list', {})).find((p) => p.name === 'spam-resume')!;
  await expect.poll(async () => (await api<Detail>('pilots:get', { id: project.id })).runs[0]?.status, { timeout: 60_000 }).toBe('failed');
  const [killed] = (await api<Detail>('pilots:get', { id: project.id })).runs;
  expect(killed!.resumable).toBe(true);
  // The epoch it reached, counted from its stored per-epoch losses.
  const stored = await api<{ metrics: Record<string, { step: number }[]> }>('pilots:run', { id: killed!.id });
  const reached = Math.max(...stored.metrics.loss!.map((p) => p.step));
  expect(reached).toBeGreaterThanOrEqual(1);

  // On the page that was following the run, and when coming back to the project later: what happened, and the button.
  const notice = page.getByTestId('resume-run');
  await notice.waitFor({ timeout: 60_000 });
  await page.reload();
  await page.getByRole('button', { name: 'spam-resume', exact: true }).click();
  await notice.waitFor({ timeout: 60_000 });
  await expect.poll(() => notice.textContent()).toContain(`It reached epoch ${reached}, then it failed:`);
  expect(await notice.textContent()).toContain(`Run ${killed!.id} stopped before the end`);
  await shot('resume-1-stopped');

  await page.getByRole('button', { name: `Resume from epoch ${reached}` }).click();
  // The live view follows the resumed job: its epochs continue after the checkpoint.
  // On a fast machine the resumed run can end (early stopping) before a poll sees an epoch line:
  // then the results are on the page, and resumedFromEpoch below proves it went on from the checkpoint.
  const live = page.getByTestId('live-epoch');
  const finished = page.getByTestId('text-plain-words');
  await expect
    .poll(async () => (await finished.isVisible().catch(() => false)) || Number(/Epoch (\d+)/.exec((await live.textContent().catch(() => '')) ?? '')?.[1] ?? 0) > reached, { timeout: 150_000 })
    .toBe(true);
  await shot('resume-2-live');

  await page.getByTestId('text-plain-words').waitFor({ timeout: 300_000 });
  const detail = await api<Detail>('pilots:get', { id: project.id });
  expect(detail.runs.map((r) => [r.id, r.status])).toEqual([[killed!.id, 'succeeded']]);
  expect(detail.versions.map((v) => v.version)).toEqual([1]);
  const result = (await api<{ run: { result: { resumedFromEpoch: number | null; epochs: { epoch: number }[] } } }>('pilots:run', { id: killed!.id })).run.result;
  // The checkpoint is written before the epoch is reported, so it is the reported epoch, or one later when the kill fell in between.
  expect(result.resumedFromEpoch).toBeGreaterThanOrEqual(reached);
  expect(result.resumedFromEpoch).toBeLessThanOrEqual(reached + 1);
  expect(await page.getByTestId('registered').textContent()).toContain('spam-resume@1');
  await shot('resume-3-results');
  expect(errors).toEqual([]);
}, 600_000);

it('offers the same resume on an unusual-cases run killed at its first checkpoint', async () => {
  const { page, errors } = browser;
  const job = await api<{ id: number }>('datasets:import', { path: fixture('anomaly/breast_cancer_anomaly.csv') });
  await expect.poll(async () => (await api<{ status: string }>('jobs:get', { id: job.id })).status, { timeout: 60_000 }).toBe('succeeded');
  const dataset = (await api<{ id: number; name: string }[]>('datasets:list', {})).find((d) => d.name === 'breast_cancer_anomaly.csv')!;
  // Started through the channel with many epochs (the page sizes them itself): the kill lands well before the end.
  const started = await api<{ runId: number }>('anomaly:train', { datasetId: dataset.id, project: 'tumours-resume', label: 'diagnosis', normal: 'benign', epochs: 400, patience: 400 });
  await killWorkerAtFirstCheckpoint(serve.dataDir);
  const project = (await api<{ id: number; name: string }[]>('pilots:list', {})).find((p) => p.name === 'tumours-resume')!;
  await expect.poll(async () => (await api<Detail>('pilots:get', { id: project.id })).runs[0]?.status, { timeout: 60_000 }).toBe('failed');
  const stored = await api<{ metrics: Record<string, { step: number }[]> }>('pilots:run', { id: started.runId });
  const reached = Math.max(...stored.metrics.loss!.map((p) => p.step));
  expect(reached).toBeGreaterThanOrEqual(1);

  await api('pilots:update', { id: project.id, wizard: { step: 2 } });
  await page.goto(`${serve.url}#/pilots`);
  await page.reload();
  await page.getByRole('button', { name: 'tumours-resume', exact: true }).click();
  const notice = page.getByTestId('resume-run');
  await notice.waitFor({ timeout: 60_000 });
  await expect.poll(() => notice.textContent()).toContain(`It reached epoch ${reached}, then it failed:`);
  await page.screenshot({ path: join(shots, 'resume-4-anomaly-stopped.png') });
  await page.getByRole('button', { name: `Resume from epoch ${reached}` }).click();
  await page.getByTestId('anomaly-verdict').waitFor({ timeout: 300_000 });
  const detail = await api<Detail>('pilots:get', { id: project.id });
  expect(detail.runs.map((r) => [r.id, r.status])).toEqual([[started.runId, 'succeeded']]);
  expect(detail.versions.map((v) => v.version)).toEqual([1]);
  const result = (await api<{ run: { result: { resumedFromEpoch: number | null } } }>('pilots:run', { id: started.runId })).run.result;
  expect(result.resumedFromEpoch).toBeGreaterThanOrEqual(reached);
  expect(result.resumedFromEpoch).toBeLessThanOrEqual(reached + 1);
  await page.screenshot({ path: join(shots, 'resume-5-anomaly-results.png') });
  expect(errors).toEqual([]);
}, 600_000);
