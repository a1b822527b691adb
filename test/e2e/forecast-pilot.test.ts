/**
 * The forecasting pilot in serve mode, in Chromium: a "What comes next" project on hourly bike
 * rentals (March–December 2012), the time made of `dteday` + `hr`, the series plotted before
 * training, a few epochs trained live, and the results: the verdict, the plain-words comparison
 * with "same hour last week", and the baselines' errors, which pandas computed independently for
 * test/cli/forecast.test.ts on the same test windows (test/cli/forecast_reference.py). Screenshots
 * (1280 × 800) go to $PILOT_SCREENSHOTS.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, invokeChannel, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-forecast');
mkdirSync(shots, { recursive: true });

let serve: ServeProcess;
let browser: BrowserSession;

const api = <T>(channel: string, input: unknown): Promise<T> => invokeChannel<T>(serve, channel, input);

beforeAll(async () => {
  serve = await startServe();
  const job = await api<{ id: number }>('datasets:import', { path: fixture('forecast/bike_hour_2012.csv') });
  for (let i = 0; i < 200 && (await api<{ status: string }>('jobs:get', { id: job.id })).status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('plots the series, trains a forecasting network live and compares it with the baselines in words', async () => {
  const { page, errors } = browser;
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });
  await page.goto(`${serve.url}#/pilots`);
  await page.getByLabel(/What comes next/).check();
  await page.getByLabel('Project name').fill('rentals');
  await page.getByRole('button', { name: 'Create' }).click();

  // 1. Series: the columns are guessed from their names; the plot reads the file as training will.
  await page.getByTestId('forecast-dataset').selectOption({ index: 1 });
  await expect.poll(() => page.getByLabel('Time column', { exact: true }).inputValue(), { timeout: 150_000 }).toBe('dteday');
  expect(await page.getByLabel('Hour column', { exact: true }).inputValue()).toBe('hr');
  expect(await page.getByLabel('Value column', { exact: true }).inputValue()).toBe('cnt');
  expect(await page.getByLabel('Holiday column', { exact: true }).inputValue()).toBe('holiday');
  await page.getByRole('button', { name: 'Show the series' }).click();
  const preview = page.getByTestId('forecast-preview');
  await preview.waitFor({ timeout: 150_000 });
  expect(await page.getByTestId('forecast-frequency').textContent()).toBe('hourly');
  // The source has 43 hours missing in this stretch (see the fixture's README): the gap alert says so.
  expect(await page.getByTestId('forecast-alerts').textContent()).toMatch(/43/);
  await shot('forecast-1-series');
  await page.getByRole('button', { name: 'Continue to training' }).click();

  // 2. Train: six hours ahead (as the CLI test), a few epochs.
  await page.getByLabel('Steps ahead').fill('6');
  await page.getByLabel('Epochs at most').fill('4');
  await page.getByLabel('Good enough at MASE (at most)').fill('0.95');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // A short run can end (and the page move on to its results) before a live epoch is drawn.
  const results = page.getByTestId('forecast-results');
  await page.getByTestId('live-epoch').or(results).first().waitFor({ timeout: 150_000 });
  await shot('forecast-2-training');

  // 3. Results.
  await results.waitFor({ timeout: 150_000 });
  await page.getByTestId('verdict').waitFor();
  const words = (await page.getByTestId('plain-words').textContent()) ?? '';
  expect(words).toMatch(/'same hour last week'/);
  const project = (await api<{ id: number; name: string }[]>('pilots:list', {})).find((p) => p.name === 'rentals')!;
  const detail = await api<{ runs: { id: number }[]; versions: { version: number }[] }>('pilots:get', { id: project.id });
  expect(detail.versions.map((v) => v.version)).toEqual([1]);
  const run = await api<{ run: { result: { summary: { network: number }; comparisons: Record<string, { closer: number; significant: boolean }> } } }>('pilots:run', { id: detail.runs[0]!.id });
  const { summary, comparisons } = run.run.result;
  expect(words).toContain(`is ${summary.network.toFixed(2)}`);
  // The criterion from the Train step is judged against the run's own MASE (lower is better).
  const verdict = (await page.getByTestId('verdict').textContent()) ?? '';
  expect(verdict).not.toMatch(/no success criterion/i);
  expect(verdict).toMatch(summary.network <= 0.95 ? /Success criterion met: MASE is/ : /criterion is not met/);
  const sn = comparisons.seasonalNaive!;
  const percent = `${Math.round(Math.abs(sn.closer) * 100)} %`;
  expect(words).toContain(sn.significant && sn.closer > 0.03 ? `The network's forecasts are ${percent} closer than 'same hour last week'` : percent);
  // The baselines' errors on December's 729 test windows, as pandas computes them: seasonal naive MAE 65.1166, MASE 1.0519; naive MAE 125.3793.
  const table = (await results.locator('table').first().textContent()) ?? '';
  expect(table).toContain('65.12');
  expect(table).toContain('1.05');
  expect(table).toContain('125.38');
  expect(await page.getByTestId('registered').textContent()).toContain('rentals@1');
  await shot('forecast-3-results-top');
  await results.locator('canvas').first().scrollIntoViewIfNeeded();
  await shot('forecast-4-plot');
  await page.getByTestId('registered').scrollIntoViewIfNeeded();
  await shot('forecast-5-registered');
  expect(errors).toEqual([]);
}, 400_000);
