/**
 * The verdict rules in Chromium: a fairness concern, a failed success criterion and an error-level
 * data alert each change the headline the Results step shows first, and the promote dialog asks
 * why before promoting over them. Training and scoring run through the real API and workers;
 * screenshots go to $PILOT_SCREENSHOTS for a person to look at.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture, tempDir } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-verdict');
mkdirSync(shots, { recursive: true });

function writeCsv(header: string[], rows: (string | number)[][], name: string): string {
  const path = join(tempDir('pilot-e2e-data-').dir, name);
  writeFileSync(path, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return path;
}

let serve: ServeProcess;
let browser: BrowserSession;

async function api<T = Record<string, unknown>>(channel: string, input: unknown): Promise<T> {
  const response = await fetch(`${serve.origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message}`);
  return body.value as T;
}

async function done(jobId: number): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const job = await api<{ status: string; error: { message: string } | null }>('jobs:get', { id: jobId });
    if (job.status === 'succeeded') return;
    if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`job ${jobId} ${job.status}: ${job.error?.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} did not finish`);
}

async function dataset(path: string): Promise<number> {
  const job = await api<{ id: number }>('datasets:import', { path });
  await done(job.id);
  const list = await api<{ id: number; path: string }[]>('datasets:list', {});
  return list.find((d) => d.path === path)!.id;
}

/** A project trained on `datasetId`, opened on its Results step. */
async function pilot(name: string, datasetId: number, target: string, extra: Record<string, unknown>, criterion: { successMetric: string; successThreshold: number }): Promise<number> {
  const project = await api<{ id: number }>('pilots:create', { name, datasetId });
  await api('pilots:update', { id: project.id, ...criterion, wizard: { step: 6 } });
  const started = await api<{ job: { id: number } }>('pilots:train', { projectId: project.id, datasetId, target, seed: 3, ...extra });
  await done(started.job.id);
  return project.id;
}

async function headline(name: string): Promise<string> {
  const { page } = browser;
  await page.goto(`${serve.url}#/pilots`);
  await page.getByRole('button', { name }).click();
  await expect.poll(() => page.getByTestId('verdict-headline').isVisible(), { timeout: 20_000 }).toBe(true);
  return (await page.getByTestId('verdict-headline').textContent()) ?? '';
}

beforeAll(async () => {
  serve = await startServe();
  browser = await openBrowser({ viewport: { width: 1280, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('a fairness concern, then a failed criterion, change the headline; promoting asks why', async () => {
  const adult = await dataset(fixture('adult.csv'));
  const id = await pilot('adult-verdict', adult, 'income', { maxRows: 3000, epochs: 8, protected: ['sex'] }, { successMetric: 'accuracy', successThreshold: 0.7 });
  const { page } = browser;
  expect(await headline('adult-verdict')).toMatch(/^Needs a decision: fairness concern by sex \(disparate impact 0\.\d\d\)/);
  await page.screenshot({ path: join(shots, 'verdict-fairness.png'), fullPage: true });

  await api('pilots:update', { id, successThreshold: 0.99 });
  expect(await headline('adult-verdict')).toMatch(/^Not ready: the success criterion is not met; also fairness concern by sex/);
  expect(await page.getByTestId('verdict').textContent()).toMatch(/Accuracy is \d+\.\d %, below the 99\.0 % you asked for/);
  await page.screenshot({ path: join(shots, 'verdict-criterion.png'), fullPage: true });

  // The promote dialog shows the verdict and will not promote without a reason; the API refuses too.
  await page.goto(`${serve.url}#/models`);
  await page.getByRole('button', { name: 'v1' }).first().click();
  await page.getByRole('button', { name: 'Promote to production…' }).click();
  const dialog = page.getByRole('dialog');
  await expect.poll(() => dialog.getByTestId('verdict-headline').textContent()).toMatch(/^Not ready: the success criterion is not met/);
  expect(await dialog.getByRole('button', { name: 'Confirm' }).isDisabled()).toBe(true);
  await page.screenshot({ path: join(shots, 'verdict-promote-dialog.png') });
  await dialog.getByLabel(/Why promote it anyway/).fill('Trial on a small team, with a person checking every decision.');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(false);
  await expect(api('models:promote', { ref: 'adult-verdict@1', to: 'staging' })).rejects.toThrow(/not ready to promote without a word: Not ready: the success criterion is not met/);

  // The ROI page puts the verdict above the money figures.
  await page.goto(`${serve.url}#/roi`);
  await page.getByTestId('roi-project').selectOption({ label: 'adult-verdict (no baseline)' });
  await expect.poll(() => page.getByTestId('roi-verdict-note').textContent(), { timeout: 20_000 }).toMatch(/no case for going ahead/);
  expect(await page.getByTestId('verdict-headline').textContent()).toMatch(/^Not ready: the success criterion is not met/);
  await page.screenshot({ path: join(shots, 'verdict-roi.png') });
  expect(browser.errors).toEqual([]);
}, 240_000);

it('an error-level data alert changes the headline', async () => {
  // 400 rows; `label` follows x with 10 % of labels flipped (no perfect score); `notes` is blank in 40 % of rows.
  const rows = Array.from({ length: 400 }, (_, i) => {
    const x = ((i * 37) % 101) - 50;
    const flip = i % 10 === 0;
    return [x, (i * 13) % 7, i % 5 < 2 ? '' : `n${i % 4}`, (x > 0) !== flip ? 'yes' : 'no'];
  });
  const file = writeCsv(['x', 'z', 'notes', 'label'], rows, 'verdict-data.csv');
  const data = await dataset(file);
  await pilot('data-verdict', data, 'label', { epochs: 20 }, { successMetric: 'accuracy', successThreshold: 0.6 });
  expect(await headline('data-verdict')).toMatch(/^Ready for the next step/);

  const scored = await api<{ job: { id: number } | null }>('quality:score', { datasetId: data, target: 'label' });
  if (scored.job) await done(scored.job.id);
  expect(await headline('data-verdict')).toMatch(/^Needs a decision: the data has 1 error-level finding/);
  expect(await browser.page.getByTestId('verdict').textContent()).toMatch(/"notes" is missing in 160 of 400 rows/);
  await browser.page.screenshot({ path: join(shots, 'verdict-data.png'), fullPage: true });
  expect(browser.errors).toEqual([]);
}, 120_000);

it('the Data page: COMPAS scores red under its error alerts, leakage named first; a harmful "favourable" value is questioned', async () => {
  const compas = await dataset(fixture('compas-scores-two-years.csv'));
  const scored = await api<{ job: { id: number } | null }>('quality:score', { datasetId: compas, target: 'two_year_recid', positive: '1', protected: ['race'] });
  if (scored.job) await done(scored.job.id);
  const { page } = browser;
  await page.goto(`${serve.url}#/data`);
  await page.locator('section[aria-labelledby="quality-heading"] form select').first().selectOption({ label: 'compas-scores-two-years.csv' });
  await expect.poll(() => page.getByTestId('quality-headline').textContent(), { timeout: 20_000 }).toMatch(/^Fix before training: \d+ errors\. Worst: "r_case_number" alone predicts "two_year_recid"/);
  expect(await page.getByTestId('quality-score').textContent()).toMatch(/^69\/100\s*capped from 9\d: an error alert stands/);
  // The big number is drawn in the danger colour, not green.
  const colour = await page.getByTestId('quality-score').locator('strong').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
  expect(colour).toBe('rgb(180, 35, 24)');
  expect(await page.getByTestId('adverse-outcome').textContent()).toMatch(/"two_year_recid = 1" reads as a harmful outcome/);
  await page.getByTestId('quality-headline').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'quality-compas.png'), fullPage: true });
  expect(browser.errors).toEqual([]);
}, 120_000);
