/**
 * The quality panel on the Data page in Chromium against a real `pilot serve`: adult.csv scored with
 * a target and protected attributes, live progress, the report's parts, the stored report reused,
 * "Score again", and the HTML download.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from './browser.js';
import { startServe, type ServeProcess } from './serve.js';

const ADULT = resolve(import.meta.dirname, '../fixtures/adult.csv');

let serve: ServeProcess;
let browser: BrowserSession;

beforeAll(async () => {
  serve = await startServe();
  browser = await openBrowser({ viewport: { width: 1440, height: 1400 } });
  await browser.page.goto(`${serve.url}#/data`); // an empty data folder otherwise opens on "Start here"
  await browser.page.getByRole('heading', { name: 'Import a dataset' }).waitFor();
  await browser.page.getByLabel('Path on the server').fill(ADULT);
  await browser.page.getByRole('button', { name: 'Import', exact: true }).click();
  await browser.page.locator('tr[data-dataset-id]').first().waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

/** Independent of the engine: `?` cells of workclass and the share of >50K per sex, read from the file. */
function reference() {
  const [header, ...lines] = readFileSync(ADULT, 'utf8').split(/\r?\n/u).filter((line) => line.trim() !== '');
  const names = header!.split(',');
  const rows = lines.map((line) => line.split(','));
  const at = (name: string) => names.indexOf(name);
  return { workclassMissing: rows.filter((r) => r[at('workclass')] === '?').length, rows: rows.length };
}

const panel = () => browser.page.locator('section[aria-labelledby="quality-heading"]');

describe('Quality panel (serve mode, Chromium)', () => {
  const ref = reference();

  it('scores adult.csv with a target and protected attributes, showing the job while it runs', async () => {
    const { page } = browser;
    await panel().waitFor();
    expect(await panel().getByText('Not scored yet').isVisible()).toBe(true);
    await page.evaluate(`
      window.qualitySeen = [];
      new MutationObserver(() => {
        const card = document.querySelector('[data-testid="quality-job"] article');
        if (card) window.qualitySeen.push(card.getAttribute('data-status'));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    `);
    await panel().getByLabel('Target (outcome)').selectOption('income');
    await panel().getByLabel(/^Favourable outcome/).fill('>50K');
    await panel().getByLabel('Protected attributes').selectOption(['sex', 'race']);
    await panel().getByRole('button', { name: 'Score quality' }).click();
    await panel().getByText(/^Report 1 · scored/u).waitFor({ timeout: 60_000 });
    const seen = (await page.evaluate('window.qualitySeen')) as string[];
    expect(seen.some((status) => status === 'running' || status === 'queued')).toBe(true);

    expect(await panel().getByText(`${ref.rows.toLocaleString('en-US')} rows × 15 columns`).isVisible()).toBe(true);
    // Four-fifths failures keep the score out of the green band, and the headline says why first.
    expect(await panel().getByTestId('quality-score').textContent()).toMatch(/^89\/100\s*capped from 9\d: a fairness alert stands/u);
    expect(await panel().getByTestId('quality-headline').textContent()).toMatch(/^Check fairness before training: /u);
    const meters = panel().getByRole('meter');
    expect(await meters.count()).toBe(5);
    // The column table: workclass's missing cells as counted in the file.
    const workclass = panel().locator('tr', { has: page.getByRole('button', { name: 'workclass', exact: true }) });
    expect(await workclass.locator('td').nth(2).textContent()).toBe(`${ref.workclassMissing.toLocaleString('en-US')} (5.6 %)`);
    expect(ref.workclassMissing).toBe(1836);
    // Alerts with their fixes.
    expect(await panel().locator('.alerts li', { hasText: '"workclass" is missing in 1836' }).locator('.fix').textContent()).toMatch(/^Fix: /u);
    // One bias chart per attribute and their intersection; sex fails the four-fifths rule for Female.
    expect(await panel().locator('figure canvas').count()).toBe(3);
    expect(await panel().locator('figure', { hasText: 'sex:' }).first().locator('.bad').textContent()).toBe('below four fifths: Female');
    // A column's detail: histogram and top values.
    await panel().getByRole('button', { name: 'age', exact: true }).click();
    await panel().getByRole('img', { name: 'Histogram of age' }).waitFor();
    expect(await panel().locator('.top li').count()).toBeGreaterThan(0);
    expect(await panel().getByRole('table', { name: 'Correlation matrix' }).isVisible()).toBe(true);
    expect(browser.errors).toEqual([]);
  });

  it('offers the stored report for the same options, and computes a new one with "Score again"', async () => {
    await panel().getByRole('button', { name: 'Score quality' }).click();
    await panel().getByText('This file has not changed since it was scored with these options').waitFor();
    expect(await panel().getByText(/^Report 1 · scored/u).isVisible()).toBe(true);
    await panel().getByRole('button', { name: 'Score again' }).click();
    await panel().getByText(/^Report 2 · scored/u).waitFor({ timeout: 60_000 });
  });

  it('downloads the self-contained HTML report', async () => {
    const { page } = browser;
    const [download] = await Promise.all([page.waitForEvent('download'), panel().getByRole('button', { name: 'Download HTML report' }).click()]);
    expect(download.suggestedFilename()).toBe('adult-quality-2.html');
    const path = await download.path();
    expect(readFileSync(path, 'utf8')).toMatch(/^<!doctype html>/iu);
  });
});
