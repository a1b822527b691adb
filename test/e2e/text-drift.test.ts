/**
 * Drift of a text version on the Models page, in Chromium (serve mode): a text version trained on
 * the SpamAssassin e-mail fixture, checked against a CSV of printer tickets typed as a server path.
 * The page shows the verdict from the job, the words figures (unseen words, words used more and
 * less) and the check table. Screenshot (1280 × 1000) in $PILOT_SCREENSHOTS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, invokeChannel, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-text');
mkdirSync(shots, { recursive: true });
let serve: ServeProcess;
let browser: BrowserSession;
const api = <T>(channel: string, input: unknown): Promise<T> => invokeChannel<T>(serve, channel, input);

beforeAll(async () => {
  serve = await startServe();
  const project = await api<{ id: number }>('pilots:create', { name: 'mail-filter', kind: 'text' });
  const started = await api<{ jobId?: number; job?: { id: number } }>('text:train', { projectId: project.id, path: fixture('text/spamassassin-eml'), epochs: 3, seed: 3 });
  const jobId = started.jobId ?? started.job!.id;
  for (let i = 0; i < 1800 && (await api<{ status: string }>('jobs:get', { id: jobId })).status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
  browser = await openBrowser({ viewport: { width: 1280, height: 1000 } });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('checks a batch of other documents against the text version and shows the verdict with the words behind it', async () => {
  const { page, errors } = browser;
  const things = ['printer', 'scanner', 'laptop', 'badge reader', 'monitor', 'docking station'];
  const faults = ['jams on every page', 'will not power on', 'shows a blue screen', 'beeps all night', 'lost its network settings', 'needs a new toner cartridge'];
  const lines = ['text,label', ...Array.from({ length: 60 }, (_, i) => `"the ${things[i % 6]} on floor ${(i % 5) + 1} ${faults[(i * 5) % 6]}, please send someone before the audit",ham`)];
  const tickets = join(tmpdir(), `pilot-e2e-tickets-${Date.now()}.csv`);
  writeFileSync(tickets, `${lines.join('\n')}\n`);

  await page.goto(`${serve.url}#/models`);
  await page.getByRole('button', { name: 'v1', exact: true }).click();
  const input = page.getByLabel(/Current CSV: path on the machine/);
  await input.fill(tickets);
  await input.press('Enter');
  await page.getByRole('button', { name: 'Check drift' }).click();
  const summary = page.locator('p.summary[role="status"]');
  await summary.waitFor({ timeout: 120_000 });
  const history = await api<Array<{ id: number }>>('drift:history', { versionId: 1 });
  const record = await api<{ report: { summary: string; text: { unseenShare: { current: number } } } }>('drift:get', { id: history[0]!.id });
  // The summary ends with its glossary link ("?"), so the stored words must be all that comes before it.
  expect((await summary.textContent())?.replace(/\s*\?$/, '')).toBe(record.report.summary);
  expect(record.report.summary).toMatch(/inputs shifted.*retrain recommended/);
  const words = page.getByRole('region', { name: 'Words' });
  expect(await words.textContent()).toContain(`${(100 * record.report.text.unseenShare.current).toFixed(1)} %`);
  expect(await page.getByText('vocabulary', { exact: true }).count()).toBeGreaterThan(0);
  // The page scrolls inside its main area: a picture of the drift card itself.
  await page.locator('section, .card').filter({ has: summary }).last().screenshot({ path: join(shots, 'text-drift.png') });
  expect(await page.locator('p.faint', { hasText: 'spamassassin-eml' }).count()).toBeGreaterThan(0);
  expect(errors).toEqual([]);
}, 240_000);
