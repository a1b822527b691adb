/**
 * The picture pilot in serve mode, in Chromium: a project of kind "Pictures" on the Fashion-MNIST
 * fixture (900 PNGs in train/ and test/ class folders), scanned, trained for two epochs with its
 * live charts, and its results: the verdict first, the accuracy the job measured, the baselines in
 * words, the confusion matrix with class names. Screenshots (1280 × 800) go to $PILOT_SCREENSHOTS.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, invokeChannel, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-image');
mkdirSync(shots, { recursive: true });
const folder = fixture('fashion-mnist-small');

let serve: ServeProcess;
let browser: BrowserSession;

const api = <T>(channel: string, input: unknown): Promise<T> => invokeChannel<T>(serve, channel, input);

/** Pictures per class on disk, counted here (not by the app). */
function countFiles(split: 'train' | 'test'): Map<string, number> {
  return new Map(readdirSync(join(folder, split)).map((c) => [c, readdirSync(join(folder, split, c)).filter((f) => f.endsWith('.png')).length]));
}

beforeAll(async () => {
  serve = await startServe();
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('scans a folder of pictures, trains a CNN on it live and shows the verdict and the measured accuracy', async () => {
  const { page, errors } = browser;
  // The page scrolls inside its main area: each screenshot is one 1280 × 800 view.
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });
  const train = countFiles('train');
  const test = countFiles('test');
  const total = [...train.values(), ...test.values()].reduce((a, b) => a + b, 0);

  await page.goto(`${serve.url}#/pilots`);
  await page.getByLabel(/Pictures/).check();
  await shot('image-0-kinds');
  await page.getByLabel('Project name').fill('garments');
  await page.getByRole('button', { name: 'Create' }).click();

  // 1. Pictures: a folder that does not exist is refused with what to do; then the scan before anything trains.
  await page.getByLabel('Folder of pictures', { exact: true }).fill(join(folder, 'no-such-folder'));
  await page.getByRole('button', { name: 'Scan' }).click();
  expect(await page.getByTestId('scan-error').textContent()).toMatch(/no-such-folder was not found\. Give the path of a folder with one subfolder of pictures per class/);
  await page.getByLabel('Folder of pictures', { exact: true }).fill(folder);
  await page.getByRole('button', { name: 'Scan' }).click();
  await page.getByTestId('image-scan').waitFor({ timeout: 150_000 });
  expect(await page.getByTestId('scan-images').textContent()).toBe(total.toLocaleString('en'));
  expect(await page.getByTestId('scan-class').count()).toBe(train.size);
  // Every class shows thumbnails, decoded by the scan.
  expect(await page.getByTestId('scan-class').first().locator('img').count()).toBeGreaterThan(0);
  await shot('image-1-scan');

  // 2. Train: two epochs (the test's time), with live charts.
  await page.getByRole('button', { name: 'Continue to training' }).click();
  await page.getByLabel('Epochs at most').fill('2');
  await page.getByLabel('Good enough at (accuracy %)').fill('99');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('live-epoch').waitFor({ timeout: 150_000 });
  await shot('image-2-training');

  // 3. Results: the verdict first, then the figures the job measured.
  const plain = page.getByTestId('plain-words');
  await plain.waitFor({ timeout: 150_000 });
  await page.getByTestId('verdict').waitFor();
  const project = (await api<{ id: number; name: string }[]>('pilots:list', {})).find((p) => p.name === 'garments')!;
  const detail = await api<{ runs: { id: number; status: string }[]; versions: { version: number }[] }>('pilots:get', { id: project.id });
  expect(detail.runs[0]!.status).toBe('succeeded');
  expect(detail.versions.map((v) => v.version)).toEqual([1]);
  const run = await api<{ run: { result: { summary: { network: number; linear: number; majority: number }; rows: { test: number } } } }>('pilots:run', { id: detail.runs[0]!.id });
  const { summary, rows } = run.run.result;
  // The app's test split is the fixture's own test/ folder.
  expect(rows.test).toBe([...test.values()].reduce((a, b) => a + b, 0));
  expect(await page.getByTestId('image-accuracy').textContent()).toBe(`${(summary.network * 100).toFixed(1)} %`);
  const words = (await plain.textContent()) ?? '';
  expect(words).toContain(`${(summary.linear * 100).toFixed(1)} %`);
  // The criterion (99 %) is out of reach of two epochs: the verdict says the pilot is not ready, naming accuracy.
  expect(summary.network).toBeLessThan(0.99);
  expect(await page.getByTestId('verdict').getAttribute('data-level')).toBe('not-ready');
  expect(await page.getByTestId('verdict-headline').textContent()).toMatch(/criterion is not met/);
  expect(await page.getByTestId('verdict').textContent()).toContain(`Accuracy is ${(summary.network * 100).toFixed(1)} %, below the 99.0 % you asked for`);
  expect(words).toContain(`${(summary.majority * 100).toFixed(1)} %`);
  // Ten classes of 30 test pictures: the majority baseline is right 1 time in 10 (computed here, not by the app).
  expect(summary.majority).toBeCloseTo(1 / test.size, 6);
  // When the linear model is clearly better, the page says so in words.
  if (summary.linear - summary.network > 0.1) expect(words).toMatch(/simpler model wins/);

  // The confusion matrix names every class and holds every test picture once.
  const matrix = page.getByTestId('confusion-matrix');
  const header = (await matrix.locator('thead th').allTextContents()).slice(1);
  expect(header.sort()).toEqual([...test.keys()].sort());
  const cells = (await matrix.locator('tbody td').allTextContents()).map(Number);
  expect(cells.reduce((a, b) => a + b, 0)).toBe(rows.test);
  expect(await page.getByTestId('registered').textContent()).toContain('garments@1');
  await shot('image-3-results-top');
  for (const [name, id] of [['image-4-per-class', 'per-class'], ['image-5-confusion', 'confusion-matrix'], ['image-6-mistakes', 'mistakes'], ['image-7-registered', 'registered']] as const) {
    await page.getByTestId(id).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, `${name}.png`) });
  }
  expect(errors).toEqual([]);
}, 400_000);
