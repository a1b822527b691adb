/**
 * Trying text and image versions in serve mode, in Chromium: a text version trained for real on
 * the SpamAssassin fixture with personal data masked, an image version on three Fashion-MNIST
 * classes. A pasted e-mail gets its class, probabilities and highlighted words (its address and
 * phone masked), and the downloaded CSV matches `pilot predict` on the same text; uploaded .txt
 * files make a table, a binary one is refused by its own name; pictures get their class, top
 * classes and saliency maps, an unreadable one says why, and the CSV row of a picture is `pilot
 * predict`'s on that file; a forecast version says what to use instead. axe-core on the panels. Screenshots go to $PILOT_SCREENSHOTS.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { hourlyCounts, writeCsv } from '../workers/forecast/helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { invokeChannel, type ServeProcess, startServe } from './serve.js';

const root = resolve(import.meta.dirname, '../..');
const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-tryit-kinds');
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'pilot-e2e-tryit-kinds-'));

let serve: ServeProcess;
let browser: BrowserSession;
const api = <T>(channel: string, input: unknown): Promise<T> => invokeChannel<T>(serve, channel, input);

async function trained(jobId: number): Promise<void> {
  for (;;) {
    const job = await api<{ status: string; error: { message: string } | null }>('jobs:get', { id: jobId });
    if (job.status === 'succeeded') return;
    if (!['queued', 'running'].includes(job.status)) throw new Error(`training ${job.status}: ${job.error?.message}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, ['bin/pilot.js', ...args, '--data-dir', serve.dataDir], { cwd: root, env: { ...process.env, PILOT_HOME: serve.dataDir }, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
}

async function seriousViolations(page: Page): Promise<Array<{ id: string; impact: string | null; nodes: string[] }>> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { document: { querySelector(s: string): unknown }; axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ html: string }> }> }> } };
    const result = await g.axe.run(g.document.querySelector('[data-testid="try-panel"]'), { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.html.slice(0, 160)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const openVersion = async (page: Page, project: string) => {
  await page.goto(`${serve.url}#/models`);
  const button = page.locator('.project').filter({ has: page.getByRole('heading', { name: project }) }).getByRole('button', { name: 'v1', exact: true });
  await button.waitFor({ timeout: 30_000 });
  await button.click();
  await page.getByRole('heading', { name: `${project} · version 1` }).waitFor();
};

beforeAll(async () => {
  serve = await startServe();
  const text = await api<{ id: number }>('pilots:create', { name: 'spam-filter', kind: 'text' });
  const textRun = await api<{ job: { id: number } }>('text:train', { projectId: text.id, path: fixture('text/spamassassin.csv'), textColumn: 'text', target: 'label', maskPii: true, epochs: 3, seed: 3, backend: 'wasm' });
  const pictures = join(work, 'shoes');
  for (const part of ['train', 'test']) {
    for (const cls of ['bag', 'sneaker', 'trouser']) {
      for (const f of readdirSync(fixture(`fashion-mnist-small/${part}/${cls}`)).sort().slice(0, part === 'train' ? 20 : 4)) cpSync(fixture(`fashion-mnist-small/${part}/${cls}/${f}`), join(pictures, part, cls, f));
    }
  }
  const image = await api<{ id: number }>('pilots:create', { name: 'wardrobe', kind: 'image' });
  await trained(textRun.job.id);
  const imageRun = await api<{ job: { id: number } }>('image:train', { projectId: image.id, source: pictures, epochs: 3, seed: 4, augment: false, backend: 'wasm' });
  await trained(imageRun.job.id);
  const imported = await api<{ id: number }>('datasets:import', { path: writeCsv(['time', 'visits'], hourlyCounts(24 * 30), 'visits.csv') });
  await trained(imported.id);
  const datasetId = (await api<{ result: { dataset: { id: number } } }>('jobs:get', { id: imported.id })).result.dataset.id;
  const visits = await api<{ id: number }>('pilots:create', { name: 'visits', datasetId });
  await trained((await api<{ job: { id: number } }>('forecast:train', { projectId: visits.id, datasetId, time: 'time', target: 'visits', horizon: 6, epochs: 2, seed: 7 })).job.id);
  browser = await openBrowser({ viewport: { width: 1280, height: 1800 } });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('scores a pasted e-mail with its personal data masked and its words highlighted; the CSV matches pilot predict', async () => {
  const { page, errors } = browser;
  await openVersion(page, 'spam-filter');
  const panel = page.getByTestId('try-panel');
  await panel.getByTestId('try-text').waitFor({ timeout: 30_000 });
  expect(await panel.getByTestId('try-mask-note').textContent()).toMatch(/Personal data is masked first/);

  // Empty text: a clear message, no job.
  await panel.getByRole('button', { name: 'Predict' }).click();
  expect(await panel.getByTestId('try-error').textContent()).toMatch(/The text is empty/);

  const mail = 'Subject: You have WON a free prize!\n\nClick now to claim your cash prize, reply to win.smith@prize-mail.com or call +44 20 7946 0958 today. Limited offer, act now!';
  await panel.getByTestId('try-text').fill(mail);
  await panel.getByRole('button', { name: 'Predict' }).click();
  const prediction = panel.getByTestId('try-prediction');
  await prediction.waitFor({ timeout: 120_000 });
  expect(await prediction.textContent()).toMatch(/^(ham|spam) \(\d+(\.\d)? % likely\)$/);
  const shown = (await panel.getByTestId('try-highlighted').textContent()) ?? '';
  expect(shown).toContain('[EMAIL]');
  expect(shown).toContain('[PHONE]');
  expect(shown).not.toContain('win.smith@prize-mail.com');
  expect(await panel.getByTestId('try-personal-data').textContent()).toMatch(/1 e-mail address and 1 phone number masked before scoring/);
  expect(await panel.getByTestId('try-highlighted').locator('mark').count()).toBeGreaterThan(2);
  expect(await panel.getByTestId('try-words').locator('li').count()).toBeGreaterThan(2);
  expect(await panel.getByTestId('try-classes').locator('li').count()).toBe(2);
  await panel.screenshot({ path: join(shots, 'try-text.png') });

  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('try-download').click()]);
  expect(download.suggestedFilename()).toBe('spam-filter-v1-one-text-scored.csv');
  const saved = join(work, 'text-download.csv');
  await download.saveAs(saved);
  const [head, ...tried] = readFileSync(saved, 'utf8').trim().split('\n');
  const input = join(work, 'typed.csv');
  writeFileSync(input, `text\n"${mail.replace(/"/g, '""')}"\n`);
  cli('predict', 'spam-filter@1', input, '--out', join(work, 'typed-cli.csv'));
  const [cliHead, ...cliLines] = readFileSync(join(work, 'typed-cli.csv'), 'utf8').trim().split('\n');
  expect(head).toBe(`${cliHead},top_words`);
  expect(tried.join('\n').startsWith(`${cliLines.join('\n')},`)).toBe(true);
  // The predicted class on the page is the CLI's.
  expect(cliLines.join('\n').split(',').at(-3)).toBe((await prediction.textContent())!.split(' ')[0]);
  expect(errors).toEqual([]);
}, 180_000);

it('scores uploaded .txt files into a table and refuses a binary one by its own name', async () => {
  const { page, errors } = browser;
  const panel = page.getByTestId('try-panel');
  await panel.getByRole('tab', { name: 'Files' }).click();
  const a = join(work, 'printer.txt');
  const b = join(work, 'lottery.txt');
  writeFileSync(a, 'Hi team, the printer on floor 3 jams again, can someone from IT have a look before the meeting? Thanks, Kiall');
  writeFileSync(b, 'CONGRATULATIONS!!! Your email won the international lottery. Send your bank details to claim $1,000,000 now!!!');
  await panel.getByTestId('try-text-upload').setInputFiles([a, b]);
  await expect.poll(() => panel.getByTestId('try-table').locator('tbody tr').count(), { timeout: 120_000 }).toBe(2);
  expect(await panel.getByTestId('try-table').textContent()).toContain('lottery.txt');
  await panel.getByRole('button', { name: 'Show document 2' }).click();
  await expect.poll(() => panel.locator('.headline').textContent()).toContain('lottery.txt; 2 of 2');
  await panel.screenshot({ path: join(shots, 'try-text-files.png') });
  expect(await seriousViolations(page)).toEqual([]);

  const junk = join(work, 'scan.txt');
  writeFileSync(junk, Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 0, 7, 8]));
  await panel.getByTestId('try-text-upload').setInputFiles(junk);
  await expect.poll(() => panel.getByTestId('try-error').textContent(), { timeout: 60_000 }).toContain('scan.txt looks like a binary file');
  expect(await panel.getByTestId('try-error').textContent()).not.toMatch(/uploads[\\/]/);
  expect(errors).toEqual([]);
}, 180_000);

it('scores uploaded pictures with their top classes and saliency maps; a picture’s CSV row is pilot predict’s', async () => {
  const { page, errors } = browser;
  await openVersion(page, 'wardrobe');
  const panel = page.getByTestId('try-panel');
  const upload = panel.getByTestId('try-image-upload');
  await upload.waitFor({ state: 'attached', timeout: 30_000 });
  const pictures = ['sneaker', 'trouser'].map((c) => {
    const from = fixture(`fashion-mnist-small/test/${c}/${readdirSync(fixture(`fashion-mnist-small/test/${c}`)).sort()[5]!}`);
    const to = join(work, `my-${c}.png`);
    cpSync(from, to);
    return to;
  });
  const broken = join(work, 'holiday.jpg');
  writeFileSync(broken, 'this is not a picture');
  await upload.setInputFiles([...pictures, broken]);
  await expect.poll(() => panel.getByTestId('try-picture').count(), { timeout: 120_000 }).toBe(3);
  const first = panel.getByTestId('try-picture').first();
  expect(await first.getByTestId('try-prediction').textContent()).toMatch(/^(bag|sneaker|trouser) \(\d+(\.\d)? % likely\)$/);
  expect(await first.getByTestId('try-saliency').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  expect(await first.getByTestId('try-classes').locator('li').count()).toBe(3);
  expect(await panel.getByTestId('try-picture').nth(2).getByRole('alert').textContent()).toMatch(/holiday\.jpg could not be read: .*not a readable image/);
  await panel.screenshot({ path: join(shots, 'try-image.png') });
  expect(await seriousViolations(page)).toEqual([]);

  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('try-download').click()]);
  expect(download.suggestedFilename()).toBe('wardrobe-v1-3-pictures-scored.csv');
  const saved = join(work, 'image-download.csv');
  await download.saveAs(saved);
  const rows = readFileSync(saved, 'utf8').trim().split('\n');
  cli('predict', 'wardrobe@1', pictures[0]!, '--out', join(work, 'picture-cli.csv'));
  const [cliHead, cliLine] = readFileSync(join(work, 'picture-cli.csv'), 'utf8').trim().split('\n');
  expect(rows[0]).toBe(cliHead);
  expect(rows[1]).toBe(cliLine);
  expect(cliLine!.split(',')[1]).toBe((await first.getByTestId('try-prediction').textContent())!.split(' ')[0]);
  expect(errors).toEqual([]);
}, 180_000);

it('a forecast version says what to use instead of a form', async () => {
  const { page, errors } = browser;
  await openVersion(page, 'visits');
  const other = page.getByTestId('try-panel').getByTestId('try-other');
  await other.waitFor({ timeout: 30_000 });
  expect(await other.textContent()).toMatch(/continues time series.*pilot predict visits@1 history\.csv --out forecast\.csv --horizon 7/s);
  expect(await page.getByTestId('try-panel').locator('input, textarea, select').count()).toBe(0);
  await page.getByTestId('try-panel').screenshot({ path: join(shots, 'try-forecast.png') });
  expect(await seriousViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
}, 60_000);
