/**
 * The Pilots wizard in serve mode, in Chromium: a project from goal to registered version on Iris,
 * live charts, results in plain words, and the wizard state kept across a reload. Screenshots of
 * every step go to $PILOT_SCREENSHOTS (default: a temporary folder) for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-pilots');
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
  const job = await api('datasets:import', { path: fixture('iris.csv') });
  for (let i = 0; i < 100 && (await api('jobs:get', { id: job.id })).status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
  browser = await openBrowser({ viewport: { width: 1440, height: 1300 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('walks a pilot from its goal to a registered version, and comes back to it after a reload', async () => {
  const { page } = browser;
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await page.goto(`${serve.url}#/pilots`);
  await page.getByLabel('Project name').fill('iris-pilot');
  await page.getByRole('button', { name: 'Create' }).click();

  // 1. Goal
  await page.getByLabel(/What question should the model answer/).fill('Which species is this flower?');
  await page.getByLabel('At least').fill('0.8');
  await page.getByLabel('Cases per month').fill('1200');
  await page.getByLabel('Cost of one error').fill('15');
  await page.getByLabel('Error rate today (%)').fill('12');
  await shot('1-goal');
  await page.getByRole('button', { name: 'Save and choose the data' }).click();

  // 2. Data
  await page.getByLabel('Dataset').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Score its quality' }).click();
  await expect.poll(() => page.getByTestId('quality').textContent(), { timeout: 30_000 }).toMatch(/\d+\/100 scored/);
  await shot('2-data');
  await page.getByRole('button', { name: 'Choose the target' }).click();

  // 3. Target and features: the suggestion names the outcome column.
  await page.getByRole('button', { name: 'species · multiclass' }).click();
  await expect.poll(() => page.getByLabel('Column to predict (target)').inputValue()).toBe('species');
  // The leakage check scores the data with the target; Iris has no column that gives the answer away.
  await page.getByRole('button', { name: 'Check for columns that give the answer away' }).click();
  await expect.poll(() => page.getByText(/Leakage has not been checked/).count(), { timeout: 30_000 }).toBe(0);
  expect(await page.getByText(/Leakage: untick these columns/).count()).toBe(0);
  await shot('3-features');
  await page.getByRole('button', { name: 'Choose resources' }).click();

  // 4. Resources, with the advanced drawer open.
  await page.getByText('Advanced settings').click();
  await page.getByLabel('Epochs (max)').fill('30');
  await page.getByLabel('Epochs (max)').blur();
  await expect.poll(() => page.getByTestId('estimate').textContent()).toMatch(/up to 30 epochs/);
  await shot('4-resources');
  await page.getByRole('button', { name: 'Go to training' }).click();

  // 5–6. Train; the wizard moves to the results when the run succeeds.
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect.poll(() => page.getByTestId('plain-words').isVisible(), { timeout: 60_000 }).toBe(true);
  const words = (await page.getByTestId('plain-words').textContent()) ?? '';
  expect(words).toMatch(/On \d+ test rows the model never saw, the network reaches accuracy \d+\.\d%/);
  // The verdict comes first and weighs the criterion (accuracy ≥ 80 %); Iris has no fairness or data finding.
  expect(await page.getByTestId('verdict-headline').textContent()).toMatch(/^(Ready for the next step|Not ready: the success criterion is not met)/);
  expect(await page.getByTestId('verdict').textContent()).toMatch(/Success criterion (met|not met): accuracy is \d+\.\d %/);
  await shot('6-results');
  await page.getByRole('button', { name: /5\s*Train/ }).click();
  await expect.poll(() => page.getByTestId('train-charts').isVisible()).toBe(true);
  await page.waitForTimeout(300);
  await shot('5-train');
  await page.getByRole('button', { name: 'See the results' }).click();
  await page.getByRole('button', { name: 'See the registered version' }).click();
  await expect.poll(() => page.getByTestId('registered').textContent()).toMatch(/Version 1 of iris-pilot is registered/);
  // Lineage: the quality report scored above is the one of this content.
  expect(await page.getByTestId('registered').textContent()).toMatch(/Quality report\s*\d+/);
  await shot('7-register');

  // The wizard's state is stored: after a reload the project opens where it was left.
  await page.reload();
  await page.getByRole('button', { name: 'iris-pilot' }).click();
  await expect.poll(() => page.getByTestId('registered').isVisible()).toBe(true);
  await page.getByRole('button', { name: /1\s*Goal/ }).click();
  expect(await page.getByLabel(/What question should the model answer/).inputValue()).toBe('Which species is this flower?');
  expect(await page.getByLabel('Error rate today (%)').inputValue()).toBe('12');
  expect(browser.errors).toEqual([]);
});

it('draws the loss live while training, cancels, and offers to resume from the checkpoint', async () => {
  const { page } = browser;
  await page.goto(`${serve.url}#/pilots`);
  await page.getByRole('button', { name: 'iris-pilot' }).click();
  await page.getByRole('button', { name: /4\s*Resources/ }).click();
  // A tiny learning rate keeps the validation loss falling, so early stopping leaves the run going.
  if (!(await page.getByLabel('Learning rate').isVisible())) await page.getByText('Advanced settings').click();
  await page.getByLabel('Epochs (max)').fill('10000');
  await page.getByLabel('Epochs (max)').blur();
  await page.getByLabel('Learning rate').fill('0.00001');
  await page.getByLabel('Learning rate').blur();
  await page.getByRole('button', { name: 'Go to training' }).click();
  await page.getByRole('button', { name: 'Train again' }).click();
  const card = page.locator('.inline-job article[data-status="running"]');
  await expect.poll(() => card.count(), { timeout: 30_000 }).toBe(1);
  await expect.poll(() => page.getByTestId('train-charts').isVisible(), { timeout: 30_000 }).toBe(true);
  await page.waitForTimeout(700);
  await page.screenshot({ path: join(shots, '5-train-live.png') });
  await card.getByRole('button', { name: /^Cancel/ }).click();
  await expect.poll(() => page.getByRole('button', { name: /^Resume run \d+ from its last epoch$/ }).isVisible(), { timeout: 30_000 }).toBe(true);
  await page.screenshot({ path: join(shots, '5-train-cancelled.png') });
  expect(browser.errors).toEqual([]);
});
