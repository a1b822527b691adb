/** The ROI page in Chromium (serve mode): live results, validation, history, actuals, no-baseline warning, executive report. */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store.js';
import { databasePath } from '../../main/paths.js';
import { decimalString, money, paybackWords, pct } from '../../renderer/src/components/roi/format.js';
import { seedProject } from '../db/roi-seed.js';
import { openBrowser, type BrowserSession } from './browser.js';
import { startServe, type ServeProcess } from './serve.js';

let serve: ServeProcess;
let browser: BrowserSession;
const QUESTION = 'Can we flag invoices likely to be paid late?';
const usd = (minor: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100);

async function api<T>(channel: string, input: unknown): Promise<T> {
  const response = await fetch(`${serve.origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { ok: boolean; value: T };
  if (!body.ok) throw new Error(JSON.stringify(body));
  return body.value;
}

beforeAll(async () => {
  serve = await startServe();
  const store = openStore(databasePath(serve.dataDir));
  seedProject(store.write, {
    name: 'late-invoices',
    question: QUESTION,
    baseline: { volumePerMonth: 2000, todayErrorRatePercent: 12, costPerError: 25 },
    accuracy: 0.9,
    trainSeconds: 1800,
    backend: 'tensorflow',
    gpuWatts: 450,
  });
  seedProject(store.write, { name: 'no-baseline', accuracy: 0.8, trainSeconds: 100 });
  store.close();
  browser = await openBrowser({ colorScheme: 'light', viewport: { width: 1440, height: 1000 } });
  await browser.page.goto(`${serve.url}#/roi`);
  await browser.page.getByTestId('roi-summary').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

const summary = () => browser.page.getByTestId('roi-summary');

describe('ROI page (serve mode, Chromium)', () => {
  it('shows the case computed from the measured figures, as the backend computes it', async () => {
    const { page } = browser;
    await page.getByTestId('roi-project').selectOption({ label: 'late-invoices' });
    await page.getByText(QUESTION).waitFor();
    const state = await api<{ result: { npv: number; roiPercent: number } }>('roi:get', { projectId: 1 });
    await expect.poll(() => summary().innerText()).toContain(usd(state.result.npv));
    expect(await summary().innerText()).toMatch(/Payback\s+(?:\?\s+)?after \d/i);
    expect(await page.getByText('10.00 %').first().isVisible()).toBe(true); // 1 − 0.9 accuracy
  });

  it('edits recompute live; a negative value is refused beside its field and blocks saving', async () => {
    const { page } = browser;
    const before = await summary().innerText();
    await page.getByLabel('Hours saved', { exact: true }).fill('40');
    await page.getByRole('heading', { name: /Results \(edited, not saved\)/ }).waitFor();
    await expect.poll(() => summary().innerText()).not.toBe(before);
    await page.getByLabel('Cost of one error', { exact: true }).fill('-5');
    await page.getByText(/Cost of one error cannot be negative \(you entered -5\)/).waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await page.getByLabel('Cost of one error', { exact: true }).fill('25');
    await expect.poll(() => page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(false);
  });

  it('saving keeps history, and a second save lists what changed', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as a new version of the case.').waitFor();
    await page.getByLabel('Adoption', { exact: true }).fill('50');
    await page.getByRole('textbox', { name: 'Note for this version' }).fill('only the sales team');
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page.getByText('Saved. Changed: Adoption.').waitFor();
    const history = page.locator('section', { has: page.getByRole('heading', { name: 'History of assumptions' }) });
    await history.getByText('only the sales team').waitFor();
    expect(await history.innerText()).toMatch(/Adoption: 80 % → 50 %/);
    expect(await history.innerText()).toMatch(/Version 2[\s\S]*Version 1/);
  });

  it('enters an actual month in exact cents', async () => {
    const { page } = browser;
    const section = page.locator('section', { has: page.getByRole('heading', { name: 'Projected versus actual' }) });
    await section.getByLabel('Actual cost (USD)').fill('1234.56');
    await section.getByLabel('Actual benefit (USD)').fill('0.10');
    await section.getByRole('button', { name: 'Enter month' }).click();
    await section.getByText('$1,234.56').waitFor();
    expect(await section.getByTestId('actuals-summary').innerText()).toMatch(/Up to month 0/);
  });

  it('downloads the executive report with the question and the NPV', async () => {
    const { page } = browser;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Executive report' }).click()]);
    expect(download.suggestedFilename()).toBe('late-invoices-executive-report.html');
    const path = join(tmpdir(), `roi-report-${process.pid}.html`);
    await download.saveAs(path);
    const html = await readFile(path, 'utf8');
    const state = await api<{ result: { npv: number } }>('roi:get', { projectId: 1 });
    expect(html).toContain(QUESTION);
    expect(html).toContain(usd(state.result.npv));
  });

  it('a project without baseline says so and pays back never; no NaN or Infinity anywhere', async () => {
    const { page } = browser;
    await page.getByTestId('roi-project').selectOption({ label: 'no-baseline (no baseline)' });
    await page.getByText('No business question written yet.').waitFor();
    await page.getByLabel('Cases per month', { exact: true }).fill('1000');
    await page.getByLabel('Cost of one error', { exact: true }).fill('10');
    await page.locator('[data-code="no-baseline"]').waitFor();
    expect(await summary().innerText()).toMatch(/Payback\s+(?:\?\s+)?never/i);
    // Today's error rate entered here is a baseline too, said to be an assumption.
    await page.getByLabel("Today's error rate", { exact: true }).fill('20');
    await page.locator('[data-code="baseline-assumed"]').waitFor();
    expect(await page.locator('[data-code="no-baseline"]').count()).toBe(0);
    const text = await page.locator('main').innerText();
    expect(text).not.toMatch(/NaN|Infinity|undefined/);
    await page.screenshot({ path: join(tmpdir(), 'pilot-roi-page.png'), fullPage: true });
    expect(browser.errors).toEqual([]);
  });
});

describe('ROI figures as the page formats them', () => {
  it('formats exact minor units per currency and locale, and never prints NaN', () => {
    expect(decimalString(-5, 'USD')).toBe('-0.05');
    expect(decimalString(123456789, 'KWD')).toBe('123456.789');
    expect(money(123456, 'USD', 'en-US')).toBe('$1,234.56');
    expect(money(123456, 'EUR', 'de-DE')).toBe('1.234,56\u00a0€');
    expect(money(1235, 'JPY', 'ja-JP')).toBe('￥1,235');
    // A large amount keeps every cent: it is formatted from its decimal string, not from a float.
    expect(money(900719925474099, 'USD', 'en-US')).toBe('$9,007,199,254,740.99');
    expect(money(Number.NaN, 'USD', 'en-US')).toBe('—');
    expect(pct(Number.POSITIVE_INFINITY)).toBe('—');
    expect(paybackWords(null, 'Benefits do not cover costs within 36 months.')).toBe('never: benefits do not cover costs within 36 months.');
    expect(paybackWords(14.5, null)).toBe('after 1 year and 2.5 months');
  });
});
