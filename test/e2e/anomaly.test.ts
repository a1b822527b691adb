/**
 * The "unusual cases" pilot in serve mode, in Chromium: breast-cancer rows with the diagnosis as
 * the known-anomaly label, trained from the page, results against the baselines in plain words,
 * the threshold moved on its chart. Screenshots go to $PILOT_SCREENSHOTS (default: a temporary folder).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-anomaly');
mkdirSync(shots, { recursive: true });

let serve: ServeProcess;
let browser: BrowserSession;

async function api(channel: string, input: unknown): Promise<{ id: number; status: string }> {
  const response = await fetch(`${serve.origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { ok: boolean; value?: unknown; error?: { message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message}`);
  return body.value as { id: number; status: string };
}

beforeAll(async () => {
  serve = await startServe();
  const job = await api('datasets:import', { path: fixture('anomaly/breast_cancer_anomaly.csv') });
  for (let i = 0; i < 100 && (await api('jobs:get', { id: job.id })).status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
  browser = await openBrowser({ viewport: { width: 1300, height: 1200 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('finds unusual rows with a known-anomaly label and compares the network with its baselines', async () => {
  const { page } = browser;
  await page.goto(`${serve.url}#/pilots`);
  await page.getByTestId('anomaly-dataset').selectOption({ label: 'breast_cancer_anomaly.csv (382 rows)' });
  await page.getByTestId('label-column').selectOption('diagnosis');
  await page.getByLabel(/best balance of precision and recall/).check();
  await page.screenshot({ path: join(shots, '1-setup.png'), fullPage: true });
  await page.getByRole('button', { name: 'Find unusual rows' }).click();
  const verdict = page.getByTestId('anomaly-verdict');
  await verdict.waitFor({ timeout: 80_000 });
  await expect.poll(() => verdict.textContent()).toMatch(/isolation forest/);
  expect(await verdict.textContent()).toMatch(/robust z-score rule/);
  // Every detector has its PR AUC in the table, and the top rows come with their reasons.
  const table = page.getByTestId('anomaly-metrics');
  expect(await table.textContent()).toMatch(/PR AUC \(average precision\)/);
  expect(await page.getByTestId('top-anomalies').locator('tbody tr').count()).toBe(12);
  await page.screenshot({ path: join(shots, '2-results.png'), fullPage: true });
  await page.getByTestId('anomaly-pilot').screenshot({ path: join(shots, '3-results-section.png') });
  // Moving the threshold says what it would flag.
  await page.getByRole('slider', { name: 'threshold' }).fill('5');
  expect(await page.getByTestId('threshold-point').textContent()).toMatch(/^Flags \d+\.\d% of rows; catches \d+\.\d% of the known anomalies/);
}, 120_000);
