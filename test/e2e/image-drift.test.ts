/**
 * Drift of an image version on the Models page, in Chromium (serve mode): a version trained on the
 * Fashion-MNIST fixture, checked against its test pictures turned 90° (same brightness, contrast and
 * size: no picture statistic moves) typed as a server folder. The page leads with the model's
 * verdict ("the new pictures look different to the model"), shows the embedding test's figures and
 * the two charts. Screenshot (1280 × 1000) in $PILOT_SCREENSHOTS.
 */
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, invokeChannel, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-image-drift');
mkdirSync(shots, { recursive: true });
let serve: ServeProcess;
let browser: BrowserSession;
const api = <T>(channel: string, input: unknown): Promise<T> => invokeChannel<T>(serve, channel, input);
const folder = fixture('fashion-mnist-small');

beforeAll(async () => {
  serve = await startServe();
  const project = await api<{ id: number }>('pilots:create', { name: 'garments', kind: 'image' });
  const started = await api<{ job: { id: number } }>('image:train', { projectId: project.id, source: folder, epochs: 3, seed: 7, augment: false });
  for (let i = 0; i < 3000 && (await api<{ status: string }>('jobs:get', { id: started.job.id })).status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
  browser = await openBrowser({ viewport: { width: 1280, height: 1000 } });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('checks turned pictures against the image version: the model sees the change the statistics miss', async () => {
  const { page, errors } = browser;
  const turned = mkdtempSync(join(tmpdir(), 'pilot-e2e-turned-'));
  for (const cls of readdirSync(join(folder, 'test'))) {
    mkdirSync(join(turned, cls));
    for (const f of readdirSync(join(folder, 'test', cls))) await sharp(join(folder, 'test', cls, f)).rotate(90).png().toFile(join(turned, cls, f));
  }

  await page.goto(`${serve.url}#/models`);
  await page.getByRole('button', { name: 'v1', exact: true }).click();
  await page.getByLabel('Or a folder of pictures').fill(turned);
  await page.getByRole('button', { name: 'Use folder' }).click();
  await page.getByRole('button', { name: 'Check drift' }).click();
  const summary = page.locator('p.summary[role="status"]');
  await summary.waitFor({ timeout: 200_000 });
  const history = await api<Array<{ id: number }>>('drift:history', { versionId: 1 });
  const record = await api<{ report: { summary: string; image: { embedding: { explanation: string; drifted: boolean; pValue: number } } } }>('drift:get', { id: history[0]!.id });
  expect(record.report.image.embedding.drifted).toBe(true);
  expect(record.report.summary).toMatch(/^The new pictures look different to the model.*None of 5 inputs shifted/);
  expect((await summary.textContent())?.replace(/\s*\?$/, '')).toBe(record.report.summary);
  const region = page.getByRole('region', { name: 'How the pictures look to the model' });
  // The summary leads with the model's sentence; the section heads its figures with the verdict.
  expect(record.report.summary.startsWith(record.report.image.embedding.explanation)).toBe(true);
  expect(await region.getByTestId('embedding-verdict').textContent()).toBe('The model sees a difference in these pictures');
  expect(await region.locator('svg circle').count()).toBeGreaterThan(300);
  await region.scrollIntoViewIfNeeded();
  await page.locator('section, .card').filter({ has: summary }).last().screenshot({ path: join(shots, 'image-drift.png') });
  expect(errors).toEqual([]);
}, 400_000);
