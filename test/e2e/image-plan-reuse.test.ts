/**
 * The picture wizard's Train step plans the run (an `image.plan` job: split, side, a few timed
 * training steps) once per set of inputs, in Chromium against `pilot serve`: leaving the step and
 * coming back reuses the last plan; a new picture side plans again, and so does a new scan of the
 * folder. Plan jobs are counted from the server's job list, after the estimate is on the page
 * (it is shown only once the step's plan, reused or new, is in). A screenshot (1280 × 800) goes to
 * $PILOT_SCREENSHOTS.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, invokeChannel, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-image');
mkdirSync(shots, { recursive: true });

let serve: ServeProcess;
let browser: BrowserSession;
const api = <T>(channel: string, input: unknown): Promise<T> => invokeChannel<T>(serve, channel, input);

beforeAll(async () => {
  serve = await startServe();
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('reuses the last plan when nothing changed, and plans again when the side or the scan changes', async () => {
  const { page, errors } = browser;
  const plans = async () => (await api<{ kind: string; status: string }[]>('jobs:list', {})).filter((j) => j.kind === 'image.plan');
  const estimate = page.getByTestId('image-estimate');
  const headline = page.getByTestId('image-estimate-headline');
  /** Leaves the Train step for the Pictures step and comes back, then waits for the estimate. */
  const revisit = async () => {
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Continue to training' }).click();
    await headline.waitFor({ timeout: 150_000 });
  };

  await page.goto(`${serve.url}#/pilots`);
  await page.getByLabel(/Pictures/).check();
  await page.getByLabel('Project name').fill('plan-reuse');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByLabel('Folder of pictures', { exact: true }).fill(fixture('fashion-mnist-small'));
  await page.getByRole('button', { name: 'Scan' }).click();
  await page.getByTestId('image-scan').waitFor({ timeout: 150_000 });
  await page.getByRole('button', { name: 'Continue to training' }).click();
  await headline.waitFor({ timeout: 150_000 });
  expect((await plans()).map((j) => j.status)).toEqual(['succeeded']);
  const first = await estimate.textContent();
  expect(first).toMatch(/at 28×28 grey/);

  // Back and forth, twice: the same plan, no new job.
  await revisit();
  await revisit();
  expect(await plans()).toHaveLength(1);
  expect(await estimate.textContent()).toBe(first);
  await page.screenshot({ path: join(shots, 'image-plan-reused.png') });

  // A new picture side is a new plan.
  await page.getByLabel('Picture side (px)').fill('32');
  await page.getByLabel('Picture side (px)').dispatchEvent('change');
  await expect.poll(() => estimate.textContent(), { timeout: 150_000 }).toMatch(/at 32×32 grey/);
  expect(await plans()).toHaveLength(2);
  // The side is kept by training, not by leaving the step: back at the saved settings (auto side), which differ from the last plan's.
  await revisit();
  expect(await estimate.textContent()).toMatch(/at 28×28 grey/);
  expect(await plans()).toHaveLength(3);
  await revisit();
  expect(await plans()).toHaveLength(3);

  // A new scan of the folder (it may have other pictures now) plans again.
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('button', { name: 'Scan' }).click();
  await expect.poll(async () => (await api<{ kind: string; status: string }[]>('jobs:list', {})).filter((j) => j.kind === 'image.scan' && j.status === 'succeeded').length, { timeout: 150_000 }).toBe(2);
  await page.getByRole('button', { name: 'Continue to training' }).click();
  await headline.waitFor({ timeout: 150_000 });
  expect(await plans()).toHaveLength(4);
  expect(errors).toEqual([]);
}, 600_000);
