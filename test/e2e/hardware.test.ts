/**
 * The Hardware page in Chromium against a real `pilot serve`: a profile run with live progress,
 * "not detected" for this machine's missing GPU, the verdict table, and importing another
 * machine's profile into the fleet comparison.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from './browser.js';
import { startServe, type ServeProcess } from './serve.js';

let serve: ServeProcess;
let browser: BrowserSession;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pilot-e2e-hardware-'));
  serve = await startServe();
  browser = await openBrowser();
  await browser.page.goto(`${serve.url}#/hardware`);
  await browser.page.getByRole('heading', { name: 'Check this machine' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('Hardware page', () => {
  it('profiles this machine and shows the verdicts, with "not detected" for the GPU', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Profile only' }).click();
    await page.getByRole('heading', { name: 'Verdict per pilot' }).waitFor({ timeout: 60_000 });
    const summary = page.locator('section', { has: page.getByRole('heading', { name: 'Summary' }) });
    await expect(summary.getByText('not detected').first().isVisible()).resolves.toBe(true);
    const verdicts = page.locator('section', { has: page.getByRole('heading', { name: 'Verdict per pilot' }) }).locator('tbody tr');
    expect(await verdicts.count()).toBe(5);
    // Image pilots train on wasm with the workbench's convolution kernels (registered before the stack check), as the trainer does: no longer the slow cpu backend's amber.
    // 'Profile only' measures no speed: every badge says "not known yet" with the one action, none says "ready".
    expect(await verdicts.nth(1).textContent()).toMatch(/Image classification.*amber · not known yet: run the quick benchmark \(≈ 20 s\).*on wasm/su);
    for (let i = 0; i < 5; i++) await expect(verdicts.nth(i).textContent()).resolves.not.toMatch(/ready/u);
    const recommendations = page.locator('section', { has: page.getByRole('heading', { name: 'Verdict per pilot' }) }).locator('ol li');
    await expect(recommendations.first().textContent()).resolves.toMatch(/^Run the quick benchmark \(≈ 20 s\)/u);
    await page.screenshot({ path: '/tmp/hardware-page.png', fullPage: true });
    expect(browser.errors).toEqual([]);
  });

  it('imports another machine and compares the fleet', async () => {
    const { page } = browser;
    const origin = new URL(serve.url).origin;
    const response = await fetch(`${origin}/api/invoke/hardware:fleet`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    const fleet = (await response.json()) as { ok: true; value: { report: Record<string, unknown> }[] };
    const other = { ...fleet.value[0]!.report, machineId: '0123456789abcdef', hostname: 'gpu-lab', createdAt: '2026-01-01T00:00:00.000Z' };
    const file = join(scratch, 'gpu-lab.json');
    await writeFile(file, JSON.stringify(other));
    await page.locator('#hardware-import-file').setInputFiles(file);
    const fleetCard = page.locator('section', { has: page.getByRole('heading', { name: 'Fleet' }) });
    await fleetCard.getByText('Which machine should run the pilot').waitFor({ timeout: 30_000 });
    expect(await fleetCard.locator('tbody tr').count()).toBe(2);
    await expect(fleetCard.getByRole('button', { name: 'gpu-lab' }).isVisible()).resolves.toBe(true);
    // Each machine's verdicts in the words of the verdict table above (common/verdict-words.ts): level, then what it means.
    const verdictTable = page.locator('section', { has: page.getByRole('heading', { name: 'Verdict per pilot' }) });
    const rows = fleetCard.locator('tbody tr');
    for (const kind of ['tabular', 'image', 'text', 'anomaly', 'timeseries']) {
      const words = ((await verdictTable.getByTestId(`verdict-${kind}`).textContent()) ?? '').trim();
      expect(words).toMatch(/^(green|amber|red) · (ready|possible, with limits|not ready|not known yet: run the quick benchmark \(≈ 20 s\))$/u);
      for (let row = 0; row < 2; row++) expect(await rows.nth(row).getByTestId(`fleet-verdict-${kind}`).textContent()).toContain(words);
    }
    // 'Profile only' measured no speed: no machine is said to be ready.
    await expect(fleetCard.locator('tbody').textContent()).resolves.not.toMatch(/· ready/u);
    await fleetCard.scrollIntoViewIfNeeded();
    await fleetCard.screenshot({ path: '/tmp/hardware-fleet-card.png' });
    await page.screenshot({ path: '/tmp/hardware-fleet.png', fullPage: true });
    expect(browser.errors).toEqual([]);
  });

  it('runs the quick benchmark with live progress and draws the measurements', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: /Run quick benchmark/u }).click();
    const measurements = page.locator('section', { has: page.getByRole('heading', { name: 'Measurements' }) });
    await measurements.getByText(/GFLOP\/s/u).first().waitFor({ timeout: 80_000 });
    await expect(measurements.locator('canvas[aria-label^="Matrix multiply GFLOP/s"]').isVisible()).resolves.toBe(true);
    // The image trainer's own network, timed on wasm at 28 px grey and 64 px colour.
    expect(await measurements.textContent()).toMatch(/Training step, image.*image CNN 28×28×1 .*images\/s.*on wasm.*Training step, image.*image CNN 64×64×3 .*images\/s.*on wasm/su);
    const verdicts = page.locator('section', { has: page.getByRole('heading', { name: 'Verdict per pilot' }) }).locator('tbody tr');
    expect(await verdicts.nth(0).textContent()).not.toMatch(/not measured/u);
    expect(browser.errors).toEqual([]);
  });
});
