/**
 * A slow first training batch as the page shows it, in Chromium against a real `pilot serve`: the
 * progress line says what is going on while the batch runs, and the results say how long it took.
 *
 * There is no GPU here: PILOT_FIRST_BATCH_DELAY_MS makes the worker block its main thread at the
 * first batch, as libtensorflow does while the driver compiles kernels for a new GPU
 * (workers/tfjs/first-batch.ts). The pilot is the "unusual cases" one on the breast-cancer rows, on
 * the wasm backend. Screenshots go to $PILOT_SCREENSHOTS (default: a temporary folder).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, invokeChannel, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-first-batch');
mkdirSync(shots, { recursive: true });
const DELAY_MS = 6000;

let serve: ServeProcess;
let browser: BrowserSession;
const api = <T>(channel: string, input: unknown): Promise<T> => invokeChannel<T>(serve, channel, input);

beforeAll(async () => {
  const before = process.env['PILOT_FIRST_BATCH_DELAY_MS'];
  process.env['PILOT_FIRST_BATCH_DELAY_MS'] = String(DELAY_MS);
  try {
    serve = await startServe();
  } finally {
    if (before === undefined) delete process.env['PILOT_FIRST_BATCH_DELAY_MS'];
    else process.env['PILOT_FIRST_BATCH_DELAY_MS'] = before;
  }
  const job = await api<{ id: number }>('datasets:import', { path: fixture('anomaly/breast_cancer_anomaly.csv') });
  for (let i = 0; i < 100 && (await api<{ status: string }>('jobs:get', { id: job.id })).status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('shows the first-batch stage while it runs, then its seconds in the results', { timeout: 240_000 }, async () => {
  const { page, errors } = browser;
  await page.goto(`${serve.url}#/pilots`);
  await page.getByLabel(/Unusual cases/).check();
  await page.getByLabel('Project name').fill('slow-start');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByTestId('anomaly-dataset').selectOption({ label: 'breast_cancer_anomaly.csv (382 rows)' });
  await page.getByTestId('label-column').selectOption('diagnosis');
  await page.getByRole('button', { name: 'Continue to training' }).click();
  await page.getByRole('button', { name: 'Find unusual rows' }).click();

  // While the first batch blocks its worker, the page still gets a progress line, counting seconds.
  const stage = page.getByText(/Running the first batch on wasm \(setting up its kernels and buffers\) \(\d+ s so far\)/u).first();
  await stage.waitFor({ timeout: 90_000 });
  await page.screenshot({ path: join(shots, 'first-batch-progress.png') });

  const note = page.getByTestId('first-batch-slow');
  await note.waitFor({ timeout: 150_000 });
  const text = (await note.textContent()) ?? '';
  const seconds = Number(/took (\d+\.\d) s on wasm/u.exec(text)?.[1]);
  expect(seconds).toBeGreaterThanOrEqual(DELAY_MS / 1000);
  await note.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'first-batch-results.png') });
  expect(errors).toEqual([]);
});
