/**
 * The renderer's desktop branch, without Electron (which cannot be downloaded here): a stand-in
 * `window.pilot` with the preload's shape (main/contract/bridge.ts) is injected before the
 * page loads and forwards to serve mode's HTTP API. It checks that the UI picks the desktop
 * transport and the native-dialog flow ("Choose file…"), not Electron itself.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from './browser.js';
import { startServe, type ServeProcess } from './serve.js';

const IRIS = resolve(import.meta.dirname, '../fixtures/iris.csv');

let serve: ServeProcess;
let browser: BrowserSession;

/** The stand-in preload, as browser-side source (the tests are type-checked without the DOM library). */
function fakePreload(token: string, picked: string): string {
  return `
    window.__calls = [];
    window.pilot = {
      desktop: true,
      async invoke(channel, input) {
        window.__calls.push(channel);
        const response = await fetch('/api/invoke/' + channel, {
          method: 'POST',
          headers: { Authorization: 'Bearer ${token}', 'Content-Type': 'application/json' },
          body: JSON.stringify(input),
        });
        return response.json();
      },
      onEvent(listener) {
        const source = new EventSource('/api/events?token=${token}');
        source.addEventListener('job', (message) => listener(JSON.parse(message.data)));
        return () => source.close();
      },
      async pickFile() { window.__calls.push('pickFile'); return ${JSON.stringify(picked)}; },
      async saveFile() { return null; },
    };
  `;
}

beforeAll(async () => {
  serve = await startServe();
  browser = await openBrowser();
  await browser.context.addInitScript({ content: fakePreload(serve.token, IRIS) });
  // No ?token= in the URL: in the desktop app every call goes through window.pilot.
  await browser.page.goto(`${serve.origin}/#/data`);
  await browser.page.getByRole('heading', { name: 'Import a dataset' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

describe('desktop transport (stand-in preload in Chromium)', () => {
  it('offers the native dialog instead of the path field and upload', async () => {
    const { page } = browser;
    expect(await page.getByRole('button', { name: 'Choose file…' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Path on the server').count()).toBe(0);
    expect(await page.locator('input[type="file"]').count()).toBe(0);
  });

  it('imports the picked file through window.pilot and lists it', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Choose file…' }).click();
    const row = page.locator('tr[data-dataset-id]', { hasText: 'iris.csv' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('[data-col="rows"]').textContent()).toBe('150');
    const calls = (await page.evaluate('window.__calls')) as string[];
    expect(calls).toContain('pickFile');
    expect(calls).toContain('datasets:import');
    expect(calls).toContain('app:info');
  });
});
