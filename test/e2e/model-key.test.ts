/**
 * The Models page says where the model key is and its fingerprint: in serve mode after
 * `pilot models encryption on` (a real CLI process on the same data folder), the key file's path
 * and the same fingerprint the CLI printed, and why the keychain is not used.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pilot } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { startServe, type ServeProcess } from './serve.js';

let serve: ServeProcess;
let browser: BrowserSession;
const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-model-key');

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  serve = await startServe();
  browser = await openBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('shows the key file, its fingerprint and that encryption is on', async () => {
  const on = pilot(['models', 'encryption', 'on', '--json'], { dataDir: serve.dataDir });
  expect(on.code, on.stderr).toBe(0);
  const state = JSON.parse(on.stdout) as { keyFile: string; keyFingerprint: string };
  const { page, errors } = browser;
  await page.goto(`${serve.url}#/models`);
  const panel = page.getByTestId('model-key');
  await panel.waitFor({ timeout: 30_000 });
  const text = (await panel.textContent()) ?? '';
  expect(text).toContain('a key file (owner-only permissions)');
  expect(text).toContain(state.keyFile);
  expect(text).toContain(state.keyFingerprint);
  expect(text).toContain('On: new models are encrypted');
  expect(await page.getByText('Only the desktop app uses the keychain').count()).toBe(1);
  await page.getByRole('heading', { name: 'Model key' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'model-key.png') });
  expect(errors).toEqual([]);
}, 120_000);
