/**
 * "Try several network settings" in the wizard, in Chromium: the Resources option with its time
 * budget and plain words, then the Results step's table of tries with the chosen one marked.
 * Screenshots go to $PILOT_SCREENSHOTS (default: a temporary folder).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { invokeChannel, type ServeProcess, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-search');
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let serve: ServeProcess;
let browser: BrowserSession;
const api = <T = Record<string, unknown>>(channel: string, input: unknown) => invokeChannel<T>(serve, channel, input);

beforeAll(async () => {
  serve = await startServe();
  const job = await api<{ id: number }>('datasets:import', { path: fixture('iris.csv') });
  let dataset: { dataset: { id: number } } | null = null;
  for (let i = 0; i < 200 && !dataset; i++) {
    const got = await api<{ status: string; result: { dataset: { id: number } } | null }>('jobs:get', { id: job.id });
    if (got.status === 'succeeded') dataset = got.result;
    else await new Promise((r) => setTimeout(r, 100));
  }
  const project = await api<{ id: number }>('pilots:create', { name: 'iris-search', datasetId: dataset!.dataset.id });
  await api('pilots:update', { id: project.id, target: 'species', wizard: { step: 4, epochs: 20 } });
  browser = await openBrowser({ viewport: { width: 1280, height: 1100 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('offers the search on the Resources step and shows the tries on the Results step', async () => {
  const { page } = browser;
  await page.goto(`${serve.url}#/pilots`);
  await page.getByRole('button', { name: 'iris-search' }).click();
  const option = page.getByTestId('search-option');
  await expect.poll(() => option.isVisible()).toBe(true);
  expect(await option.textContent()).toMatch(/test rows\s+are kept out of this/);
  await page.getByLabel('Try several network settings').check();
  await page.getByLabel('Time to spend trying (minutes)').fill('0.1');
  await page.getByLabel('Time to spend trying (minutes)').blur();
  await expect.poll(() => page.getByTestId('estimate').textContent()).toMatch(/after up to 6 s of trying settings/);
  await page.screenshot({ path: join(shots, 'search-resources.png'), fullPage: true });
  await page.getByRole('button', { name: 'Go to training' }).click();
  await page.getByRole('button', { name: 'Start training' }).click();
  const table = page.getByTestId('search-table');
  await expect.poll(() => table.isVisible(), { timeout: 90_000 }).toBe(true);

  const headers = await table.locator('thead th').allTextContents();
  expect(headers.map((h) => h.replace(/\s+/g, ' ').trim())).toEqual([
    'Try',
    'Network size hidden layers',
    'Learning speed learning rate',
    'Held back dropout',
    'Rows per step batch size',
    'Rounds epochs',
    'Right answers on check rows',
    'How it ended',
  ]);
  // Exactly one chosen row, marked in words and with a tick.
  const chosen = table.locator('tr[data-chosen="true"]');
  expect(await chosen.count()).toBe(1);
  expect(await chosen.textContent()).toMatch(/✓ \d+.*chosen \(/);
  expect(await page.getByTestId('search-reason').textContent()).toMatch(/^(The usual settings were best on the validation rows|Trial \d+ had the lowest validation loss)/);
  // The table agrees with the stored result: its rows, best first by validation loss.
  const projects = await api<Array<{ id: number; name: string }>>('pilots:list', {});
  const detail = await api<{ runs: Array<{ result: { search: { trials: Array<{ trial: number; valLoss: number; rung: number }>; chosenTrial: number; budgetSpent: boolean } } | null }> }>('pilots:get', { id: projects.find((p) => p.name === 'iris-search')!.id });
  const search = detail.runs[0]!.result!.search;
  expect(search.chosenTrial).toBe([...search.trials].sort((a, b) => a.valLoss - b.valLoss)[0]!.trial);
  // Listed furthest trained first, then by validation loss; the chosen one heads the list when the whole plan ran.
  const best = [...search.trials].sort((a, b) => b.rung - a.rung || a.valLoss - b.valLoss || a.trial - b.trial);
  if (!search.budgetSpent) expect(await table.locator('tbody tr').first().getAttribute('data-chosen')).toBe('true');
  const shown = Math.min(8, search.trials.length);
  expect(await table.locator('tbody tr').count()).toBe(shown);
  expect((await table.locator('tbody tr td:first-child').allTextContents()).map((t) => Number(/\d+/.exec(t)![0]))).toEqual(best.slice(0, shown).map((t) => t.trial));
  if (search.trials.length > 8) {
    await table.getByRole('button', { name: `Show all ${search.trials.length} tries` }).click();
    expect(await table.locator('tbody tr').count()).toBe(search.trials.length);
  }
  await table.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'search-results.png'), fullPage: true });
  await table.screenshot({ path: join(shots, 'search-table.png') });

  // No serious accessibility problem in the table (axe-core).
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null }> }> } };
    return (await g.axe.run('[data-testid="search-table"]', { resultTypes: ['violations'] })).violations;
  });
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  expect(browser.errors).toEqual([]);
});
