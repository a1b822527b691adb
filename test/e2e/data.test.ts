/**
 * The Data page in Chromium against a real `pilot serve`: import through the path field with live
 * progress, a missing file's clear error, and an upload from the browser.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from './browser.js';
import { startServe, type ServeProcess } from './serve.js';

const ADULT = resolve(import.meta.dirname, '../fixtures/adult.csv');

let serve: ServeProcess;
let browser: BrowserSession;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pilot-e2e-files-'));
  serve = await startServe();
  browser = await openBrowser();
  await browser.page.goto(`${serve.url}#/data`); // an empty data folder otherwise opens on "Start here"
  await browser.page.getByRole('heading', { name: 'Import a dataset' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Rows of the datasets table, as `{name, rows, sha}`. */
async function tableRows() {
  return browser.page.locator('tr[data-dataset-id]').evaluateAll((rows) =>
    rows.map((row) => ({
      name: row.querySelector('.name strong')?.textContent?.trim() ?? '',
      rows: row.querySelector('[data-col="rows"]')?.textContent?.trim() ?? '',
      sha: row.querySelector('[data-col="sha256"]')?.textContent?.trim() ?? '',
    })),
  );
}

describe('Data page (serve mode, Chromium)', () => {
  it('takes the token out of the address bar and keeps working', async () => {
    expect(browser.page.url()).not.toContain('token=');
    expect(await browser.page.getByText('No datasets yet').isVisible()).toBe(true);
  });

  it('imports adult.csv through the path field, showing progress, then 32,561 rows and its SHA-256', async () => {
    const { page } = browser;
    // Record every state the inline import card shows, so a fast import's progress is still seen.
    // (Browser-side code as a string: the tests are type-checked without the DOM library.)
    await page.evaluate(`
      window.seen = [];
      new MutationObserver(() => {
        const card = document.querySelector('[data-testid="import-job"] article');
        const bar = card?.querySelector('[role="progressbar"]');
        if (card) window.seen.push(card.getAttribute('data-status') + ':' + bar?.getAttribute('aria-valuetext'));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    `);
    await page.getByLabel('Path on the server').fill(ADULT);
    await page.getByRole('button', { name: 'Import', exact: true }).click();

    await page.locator('tr[data-dataset-id]').first().waitFor({ timeout: 30_000 });
    const seen = (await page.evaluate('window.seen')) as string[];
    expect(seen.some((state) => state.startsWith('running:') || state.startsWith('queued:'))).toBe(true);

    expect(await tableRows()).toEqual([{ name: 'adult.csv', rows: '32,561', sha: 'f2c62076f195' }]);
    await page.getByRole('status').filter({ hasText: 'Imported adult.csv: 32,561 rows, 15 columns' }).waitFor();
    // The jobs panel (opened by the user; it no longer opens by itself) lists the finished job.
    if ((await page.locator('#jobs-list').count()) === 0) await page.getByRole('button', { name: /^Jobs/ }).click();
    await page.locator('#jobs-list article[data-status="succeeded"]', { hasText: 'Import adult.csv' }).waitFor();
  });

  it('shows a missing file as a clear, dismissable error and leaves the table as it was', async () => {
    const { page } = browser;
    const before = await tableRows();
    const missing = join(scratch, 'no-such-file.csv');
    await page.getByLabel('Path on the server').fill(missing);
    await page.getByRole('button', { name: 'Import', exact: true }).click();

    const alert = page.getByRole('alert').filter({ hasText: 'File not found' });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain(`File not found: ${missing}. Check the path, or pick the file again.`);
    expect(await tableRows()).toEqual(before);

    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await alert.waitFor({ state: 'detached' });
  });

  it('uploads a CSV through the upload control and lists it', async () => {
    const { page } = browser;
    const file = join(scratch, 'tiny-upload.csv');
    await writeFile(file, 'id,colour,score\n1,red,0.5\n2,green,0.75\n3,blue,1\n');
    await page.locator('input[type="file"]').setInputFiles(file);

    const row = page.locator('tr[data-dataset-id]', { hasText: 'tiny-upload.csv' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('[data-col="rows"]').textContent()).toBe('3');
    // Stored under the server's data directory, not where the browser read it from.
    expect(await row.locator('.path').getAttribute('title')).toContain(join(serve.dataDir, 'uploads'));
    expect((await tableRows()).map((dataset) => dataset.name)).toContain('adult.csv');
  });

  it('imports a file dropped on the upload area', async () => {
    const { page } = browser;
    // A real drop carries a DataTransfer with the file; built in the page (no DOM types here).
    const transfer = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['a;b\\n1;2\\n3;4\\n'], 'dropped.csv', { type: 'text/csv' }));
      return transfer;
    })()`);
    const area = page.getByRole('group', { name: 'Upload a file' });
    await area.dispatchEvent('dragover', { dataTransfer: transfer });
    await area.dispatchEvent('drop', { dataTransfer: transfer });
    const row = page.locator('tr[data-dataset-id]', { hasText: 'dropped.csv' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('[data-col="rows"]').textContent()).toBe('2');
    expect(await row.locator('.format').textContent()).toContain('semicolon');
  });

  it('shows an import warning under its dataset (a Latin-1 file)', async () => {
    const { page } = browser;
    const file = join(scratch, 'cafe-latin1.csv');
    // "café" in Latin-1: 0xE9 alone is not valid UTF-8.
    await writeFile(file, Buffer.concat([Buffer.from('name,price\ncaf'), Buffer.from([0xe9]), Buffer.from(',2.5\ntea,2\n')]));
    await page.getByLabel('Path on the server').fill(file);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const row = page.locator('tr[data-dataset-id]', { hasText: 'cafe-latin1.csv' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('.format').textContent()).toContain('Latin-1');
    const warning = row.locator('xpath=following-sibling::tr[1]').locator('.warning');
    expect(await warning.textContent()).toContain('read as Latin-1');
  });

  it('checks a dataset for changes and forgets one after confirming', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Check adult.csv for changes' }).click();
    await page.getByText('Unchanged since import: same SHA-256.').waitFor();

    // Uploads are stored as <time>-<name>, and named after that file.
    const forgetButton = page.getByRole('button', { name: /^Forget .*tiny-upload\.csv$/ });
    const confirm = page.getByRole('group', { name: /^Confirm forgetting .*tiny-upload\.csv$/ });
    // The safe answer has the focus, and Escape gives it.
    await forgetButton.click();
    await expect.poll(() => confirm.getByRole('button', { name: 'Keep' }).evaluate((button) => button === button.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-dataset-id]', { hasText: 'tiny-upload.csv' }).count()).toBe(1);

    await forgetButton.click();
    await confirm.getByRole('button', { name: 'Forget', exact: true }).click();
    await page.locator('tr[data-dataset-id]', { hasText: 'tiny-upload.csv' }).waitFor({ state: 'detached' });
    const names = (await tableRows()).map((dataset) => dataset.name);
    expect(names).toContain('adult.csv');
    expect(names.some((name) => name.endsWith('tiny-upload.csv'))).toBe(false);
  });

  it('ran without script errors (the CSP allows everything the page needs)', () => {
    expect(browser.errors).toEqual([]);
  });
});
