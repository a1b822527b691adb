/**
 * Trying a model in serve mode, in Chromium: a version trained for real (pima, the linear model),
 * one row typed in the form, its prediction and reasons, the results CSV downloaded over HTTP and
 * checked against `pilot predict`'s output for the same row; a file scored from an upload; the
 * bundle downloaded; and an upload that fails named by the file's own name, not its server path.
 * Screenshots go to $PILOT_SCREENSHOTS (default: a temporary folder).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser.js';
import { invokeChannel, type ServeProcess, startServe } from './serve.js';

const root = resolve(import.meta.dirname, '../..');
const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-tryit');
mkdirSync(shots, { recursive: true });

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let serve: ServeProcess;
let browser: BrowserSession;

interface JobLike {
  id: number;
  status: string;
  result: unknown;
  error: { message: string } | null;
}

async function finished(id: number): Promise<JobLike> {
  for (;;) {
    const job = await invokeChannel<JobLike>(serve, 'jobs:get', { id });
    if (!['queued', 'running'].includes(job.status)) return job;
    await new Promise((done) => setTimeout(done, 300));
  }
}

beforeAll(async () => {
  serve = await startServe();
  const imported = await finished((await invokeChannel<JobLike>(serve, 'datasets:import', { path: join(root, 'test/fixtures/pima.csv') })).id);
  const datasetId = (imported.result as { dataset: { id: number } }).dataset.id;
  const project = await invokeChannel<{ id: number }>(serve, 'pilots:create', { name: 'diabetes', datasetId });
  const started = await invokeChannel<{ job: { id: number } }>(serve, 'pilots:train', { projectId: project.id, datasetId, target: 'Outcome', model: 'linear', seed: 5, backend: 'cpu' });
  const trained = await finished(started.job.id);
  expect(trained.status, trained.error?.message).toBe('succeeded');
  browser = await openBrowser({ viewport: { width: 1280, height: 1800 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('scores a typed row with its reasons, and the downloaded CSV matches pilot predict', async () => {
  const { page, errors } = browser;
  await page.goto(`${serve.url}#/models`);
  const panel = page.getByTestId('try-panel');
  await expect.poll(() => panel.locator('input[name="Glucose"]').count(), { timeout: 30_000 }).toBe(1);
  const row: Record<string, string> = { Pregnancies: '6', Glucose: '170', BloodPressure: '72', SkinThickness: '', Insulin: '', BMI: '38.5', DiabetesPedigreeFunction: '0.9', Age: '51' };
  for (const [column, value] of Object.entries(row)) await panel.locator(`input[name="${column}"]`).fill(value);
  await panel.getByRole('button', { name: 'Predict' }).click();
  // The first try reads the training rows once (a worker job): the answer, or the error it met.
  const answer = () => panel.locator('[data-testid="try-prediction"], [data-testid="try-error"]').first().textContent({ timeout: 1000 }).catch(() => null);
  await expect.poll(answer, { timeout: 120_000 }).not.toBeNull();
  expect(await answer()).toMatch(/^Outcome = [01] \(\d+ % likely\)$/);
  // Eight columns, eight bars, and the top reasons in words.
  await expect.poll(() => panel.getByTestId('reasons').locator('.bars li').count()).toBe(8);
  const words = await panel.getByTestId('reasons').locator('.words li').allTextContents();
  expect(words.length).toBeGreaterThanOrEqual(3);
  expect(words[0]).toMatch(/pushes (strongly|moderately|slightly) (towards “Outcome = 1”|away from “Outcome = 1”)/);
  await panel.screenshot({ path: join(shots, 'try-row.png') });

  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('try-download').click()]);
  expect(download.suggestedFilename()).toBe('diabetes-v1-one-row-scored.csv');
  const saved = join(serve.dataDir, 'downloaded.csv');
  await download.saveAs(saved);
  const [head, line] = readFileSync(saved, 'utf8').trim().split('\n');

  // The same row through the CLI, on the same data folder.
  const input = join(serve.dataDir, 'row.csv');
  writeFileSync(input, `${Object.keys(row).join(',')}\n${Object.values(row).join(',')}\n`);
  const out = join(serve.dataDir, 'cli.csv');
  const cli = spawnSync(process.execPath, ['bin/pilot.js', 'predict', 'diabetes@1', input, '--out', out, '--data-dir', serve.dataDir], { cwd: root, env: { ...process.env, PILOT_HOME: serve.dataDir }, encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
  const [cliHead, cliLine] = readFileSync(out, 'utf8').trim().split('\n');
  expect(head).toBe(`${cliHead},top_reasons`);
  expect(line!.startsWith(`${cliLine},`)).toBe(true);
  expect(line!.slice(cliLine!.length + 1)).toContain(words[0]!.split(' pushes')[0]!);
  expect(errors).toEqual([]);
}, 120_000);

it('scores an uploaded file into a table, downloads the bundle, and names a failed upload by its own name', async () => {
  const { page, errors } = browser;
  const panel = page.getByTestId('try-panel');
  await panel.getByRole('tab', { name: 'A file' }).click();
  const file = join(serve.dataDir, 'new-patients.csv');
  writeFileSync(file, 'Pregnancies,Glucose,BloodPressure,SkinThickness,Insulin,BMI,DiabetesPedigreeFunction,Age\n1,89,66,23,94,28.1,0.167,21\n0,137,40,35,168,43.1,2.288,33\n8,183,64,0,0,23.3,0.672,32\n');
  await panel.getByTestId('try-upload').setInputFiles(file);
  await expect.poll(() => panel.getByTestId('try-table').locator('tbody tr').count(), { timeout: 60_000 }).toBe(3);
  await panel.getByRole('button', { name: 'Show the reasons of row 3' }).click();
  await expect.poll(() => panel.locator('.headline').textContent()).toContain('(row 3 of 3)');
  await panel.screenshot({ path: join(shots, 'try-file.png') });
  // axe-core on the panel with its result, bars and table (injected through the debugger, so the CSP does not apply).
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { document: { querySelector(s: string): unknown }; axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null }> }> } };
    const result = await g.axe.run(g.document.querySelector('[data-testid="try-panel"]'), { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact }));
  });
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

  const broken = join(serve.dataDir, 'broken.csv');
  writeFileSync(broken, Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 0, 7, 8]));
  await panel.getByTestId('try-upload').setInputFiles(broken);
  await expect.poll(() => panel.getByTestId('try-error').textContent(), { timeout: 60_000 }).toContain('broken.csv');
  expect(await panel.getByTestId('try-error').textContent()).not.toMatch(/uploads[\\/]/);

  const [bundle] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download bundle' }).click()]);
  expect(bundle.suggestedFilename()).toMatch(/^diabetes-v1.*\.pilotmodel$/);
  const kept = join(serve.dataDir, 'kept.pilotmodel');
  await bundle.saveAs(kept);
  await expect.poll(() => page.getByTestId('download-result').textContent()).toMatch(/^Downloaded .*\.pilotmodel/);
  // The downloaded bundle imports back (its checksums and signature hold).
  const imported = await invokeChannel<{ version: number; signer: { status: string } }>(serve, 'models:import', { path: kept });
  expect(imported.signer.status).toBe('trusted');
  expect(statSync(kept).size).toBeGreaterThan(1000);
  expect(errors).toEqual([]);
}, 120_000);

it('a failed import of an uploaded file names the file, not its folder on the server', async () => {
  const { page } = browser;
  await page.goto(`${serve.url}#/data`);
  const bad = join(serve.dataDir, 'sales figures.csv');
  writeFileSync(bad, Buffer.from([0, 0, 0, 1, 2, 3, 0, 0, 9, 9, 0]));
  await page.locator('input[type="file"]').first().setInputFiles(bad);
  const alert = page.getByRole('alert').filter({ hasText: 'sales' });
  await expect.poll(() => alert.count(), { timeout: 60_000 }).toBeGreaterThan(0);
  const text = (await alert.first().textContent()) ?? '';
  expect(text).toMatch(/sales figures\.csv/);
  expect(text).not.toMatch(/uploads[\\/]/);
  await page.screenshot({ path: join(shots, 'upload-error.png') });
}, 90_000);
