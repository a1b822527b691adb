/**
 * The document pilot in serve mode, in Chromium: a "Documents and messages" project on the
 * SpamAssassin fixture (500 messages, `text` → `label`), personal data masked, trained from the
 * page with its live charts, and its results: the verdict first, the accuracy the job measured,
 * the baselines in words and highlighted documents. Screenshots (1280 × 800) go to $PILOT_SCREENSHOTS.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
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
  const job = await api<{ id: number }>('datasets:import', { path: fixture('text/spamassassin.csv') });
  for (let i = 0; i < 200 && (await api<{ status: string }>('jobs:get', { id: job.id })).status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('trains a text classifier on a CSV text column from the wizard and shows the verdict and the measured accuracy', async () => {
  const { page, errors } = browser;
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });
  await page.goto(`${serve.url}#/pilots`);
  await page.getByLabel(/Documents and messages/).check();
  await page.getByLabel('Project name').fill('spam-filter');
  await page.getByRole('button', { name: 'Create' }).click();

  // 1. Documents: the dataset, its text and label columns (chosen from their names), masking on.
  await page.getByTestId('text-dataset').selectOption({ index: 1 });
  await expect.poll(() => page.getByLabel('Text column', { exact: true }).inputValue(), { timeout: 150_000 }).toBe('text');
  expect(await page.getByLabel('Label to predict', { exact: true }).inputValue()).toBe('label');
  expect(await page.getByLabel(/Mask personal data/).isChecked()).toBe(true);
  await shot('text-1-documents');
  await page.getByRole('button', { name: 'Continue to training' }).click();

  // 2. Train, live.
  await page.getByLabel('Good enough at (accuracy %)').fill('80');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // 500 messages train in a second or two: the run can end (and the page move on to its results)
  // before a live epoch is drawn, so either one will do here.
  const plain = page.getByTestId('text-plain-words');
  await page.getByTestId('live-epoch').or(plain).first().waitFor({ timeout: 150_000 });
  await shot('text-2-training');

  // 3. Results: the verdict, then the job's own figures in words.
  await plain.waitFor({ timeout: 150_000 });
  const project = (await api<{ id: number; name: string }[]>('pilots:list', {})).find((p) => p.name === 'spam-filter')!;
  const detail = await api<{ runs: { id: number; status: string }[]; versions: { version: number }[] }>('pilots:get', { id: project.id });
  expect(detail.versions.map((v) => v.version)).toEqual([1]);
  const run = await api<{ run: { result: { summary: { network: number; linear: number; majority: number }; rows: { test: number }; hyperparameters: Record<string, unknown> } }; params: Record<string, unknown> }>('pilots:run', { id: detail.runs[0]!.id });
  const { summary, rows } = run.run.result;
  // The masking choice reached the trainer.
  expect(run.params.maskPii).toBe(true);
  const words = (await plain.textContent()) ?? '';
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  expect(words).toContain(`${rows.test} test documents`);
  expect(words).toContain(pct(summary.network));
  expect(words).toContain(pct(summary.linear));
  // The majority baseline, computed here from the CSV: the share of the commoner label among the test split is close to the file's.
  const labels = [...readFileSync(fixture('text/spamassassin.csv'), 'utf8').matchAll(/,"(spam|ham)","(?:spam|easy_ham|hard_ham)"\r?\n/g)].map((m) => m[1]);
  expect(labels).toHaveLength(500);
  const hamShare = labels.filter((l) => l === 'ham').length / labels.length;
  expect(Math.abs(summary.majority - hamShare)).toBeLessThan(0.05);
  const verdict = page.getByTestId('verdict');
  await verdict.waitFor();
  // Verdict against the 80 % criterion, whichever way the run went.
  expect(await verdict.textContent()).toContain(summary.network >= 0.8 ? 'Success criterion met' : 'criterion is not met');
  expect(await page.getByTestId('highlighted-document').count()).toBeGreaterThan(0);
  expect(await page.getByTestId('registered').textContent()).toContain('spam-filter@1');
  await shot('text-3-results-top');
  for (const [name, id] of [['text-4-documents', 'highlighted-document'], ['text-5-registered', 'registered']] as const) {
    await page.getByTestId(id).first().scrollIntoViewIfNeeded();
    await shot(name);
  }
  expect(errors).toEqual([]);
}, 400_000);

it('trains on a folder of e-mails with one subfolder per class, typed as a server path', async () => {
  const { page, errors } = browser;
  await page.goto(`${serve.url}#/pilots`);
  await page.getByLabel(/Documents and messages/).check();
  await page.getByLabel('Project name').fill('mail-folder');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByLabel(/A folder with one subfolder of documents per class/).check();
  await page.getByLabel('Folder of documents', { exact: true }).fill(fixture('text/spamassassin-eml'));
  await page.getByRole('button', { name: 'Use this folder' }).click();
  await page.screenshot({ path: join(shots, 'text-6-folder.png') });
  await page.getByRole('button', { name: 'Continue to training' }).click();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const plain = page.getByTestId('text-plain-words');
  await plain.waitFor({ timeout: 150_000 });
  const project = (await api<{ id: number; name: string }[]>('pilots:list', {})).find((p) => p.name === 'mail-folder')!;
  const detail = await api<{ runs: { id: number }[] }>('pilots:get', { id: project.id });
  const run = await api<{ run: { result: { summary: { network: number }; rows: { train: number; validation: number; test: number } } } }>('pilots:run', { id: detail.runs[0]!.id });
  // 40 messages in each class folder (counted here on disk): all 80 are used.
  const { rows, summary } = run.run.result;
  const onDisk = ['ham', 'spam'].map((c) => readdirSync(fixture(`text/spamassassin-eml/${c}`)).filter((f) => f.endsWith('.eml')).length);
  expect(onDisk).toEqual([40, 40]);
  expect(rows.train + rows.validation + rows.test).toBe(80);
  expect(await plain.textContent()).toContain(`${(100 * summary.network).toFixed(1)} %`);
  expect(errors).toEqual([]);
}, 400_000);
