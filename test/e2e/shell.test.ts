/** The app shell in Chromium: navigation, pages still to come, About facts, and the theme setting. */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from './browser.js';
import { startServe, type ServeProcess } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-shell');
mkdirSync(shots, { recursive: true });
let serve: ServeProcess;
let browser: BrowserSession;

beforeAll(async () => {
  serve = await startServe();
  browser = await openBrowser({ colorScheme: 'light' });
  await browser.page.goto(`${serve.url}#/data`); // an empty data folder otherwise opens on "Start here"
  await browser.page.getByRole('heading', { name: 'Import a dataset' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

async function setting(key: string): Promise<unknown> {
  const response = await fetch(`${serve.origin}/api/invoke/settings:get`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  return ((await response.json()) as { value: Record<string, unknown> }).value[key];
}

describe('app shell (serve mode, Chromium)', () => {
  it('lists the pages in the sidebar and marks the current one', async () => {
    const nav = browser.page.getByRole('navigation', { name: 'Pages' });
    const labels = (await nav.getByRole('link').allTextContents()).map((text) => text.trim());
    expect(labels).toEqual(['Start here', 'Hardware', 'Data', 'Pilots', 'Models', 'ROI', 'Glossary', 'Settings']);
    expect(await nav.getByRole('link', { name: 'Data' }).getAttribute('aria-current')).toBe('page');
  });

  it('opens the real page behind every link: its own heading and content, no placeholder', async () => {
    const { page } = browser;
    const nav = page.getByRole('navigation', { name: 'Pages' });
    const placeholder = page.getByText(/not in this version yet|is on its way|coming soon/i);
    for (const link of await nav.getByRole('link').all()) {
      const label = ((await link.textContent()) ?? '').trim();
      await link.click();
      await expect.poll(() => link.getAttribute('aria-current')).toBe('page');
      await expect.poll(async () => ((await page.locator('header.topbar h1').textContent()) ?? '').trim()).toBe(label === 'Settings' ? 'Settings and about' : label);
      // Every page puts at least one card of its own under the heading.
      await page.locator('.content section, .content .card').first().waitFor();
      expect(await placeholder.count()).toBe(0);
    }
  });

  it('shows version, mode, data directory and database path on the Settings page', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click();
    const about = page.locator('section', { has: page.getByRole('heading', { name: 'This workbench' }) });
    await about.waitFor();
    const text = (await about.textContent()) ?? '';
    expect(text).toContain('Serve mode');
    expect(text).toContain(serve.dataDir);
    expect(text).toContain(`${serve.dataDir}/workbench.db`);
    expect(text).toMatch(/Version\s*\d+\.\d+\.\d+/);
  });

  it('switches to dark, stores it as ui.theme, and keeps it after a reload', async () => {
    const { page } = browser;
    const background = () => page.evaluate('getComputedStyle(document.body).backgroundColor');
    const light = await background();
    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(await background()).not.toBe(light);
    await expect.poll(() => setting('ui.theme')).toBe('dark');

    await page.reload();
    await page.getByRole('heading', { name: 'This workbench' }).waitFor();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);

    await page.getByRole('radio', { name: 'System' }).check();
    await expect.poll(() => setting('ui.theme')).toBe('system');
    expect(await page.evaluate('document.documentElement.dataset.theme ?? null')).toBe(null);
    expect(await background()).toBe(light);
  });

  it('ran without script errors', () => {
    expect(browser.errors).toEqual([]);
  });

  it('a first launch (nothing imported, no pilot) opens on "Start here", with the shipped examples and their licences', async () => {
    const page = await browser.context.newPage();
    await page.goto(serve.url);
    await expect.poll(async () => ((await page.locator('header.topbar h1').textContent()) ?? '').trim()).toBe('Start here');
    const examples = page.locator('ul.samples > li');
    await expect.poll(() => examples.count()).toBe(3);
    expect(await examples.first().textContent()).toMatch(/Breast cancer diagnosis[\s\S]*Licence CC BY 4\.0\. UCI Machine Learning Repository/);
    await page.screenshot({ path: join(shots, 'start-here.png'), fullPage: true });
    await page.close();
  });

  it('opened without the token, says how to get back in, and takes the pasted address', async () => {
    // A new tab has no token in its sessionStorage.
    const page = await browser.context.newPage();
    await page.goto(`${serve.origin}/#/data`);
    const panel = page.getByTestId('access-key');
    await panel.waitFor();
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('This tab has no access key');
    expect(text).toMatch(/Go back to the tab you opened first/);
    expect(text).toMatch(/start it again: it prints a new address/);
    // Nothing else claims the data is missing while the key is.
    expect(await page.getByText(/not in this version yet/).count()).toBe(0);
    await page.screenshot({ path: join(shots, 'no-token.png') });
    await page.getByLabel('Or paste the address or the key here').fill(serve.url);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'Data', level: 1 }).waitFor();
    await expect.poll(() => page.getByTestId('access-key').count()).toBe(0);
    await page.close();
  });
});
