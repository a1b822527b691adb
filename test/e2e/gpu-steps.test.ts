/**
 * The Hardware page's steps for an NVIDIA driver, in Chromium against a real `pilot serve`.
 *
 * This machine has no GPU and no nvidia-smi, so a stand-in `nvidia-smi` goes first on the PATH of
 * the serve process: the profiler runs it as it would the real one. Its plain output is the real
 * header of an 8 × H100 machine (test/fixtures/nvidia-smi/h100x8-plain-excerpt.txt: driver
 * 550.54.15, CUDA 12.4); its answer to the `--query-gpu` CSV query is written for this test in the
 * format that query prints, with the same GPU and driver.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipInstallCommand } from '../../common/cuda11.js';
import { fixture } from '../helpers.js';
import { openBrowser, type BrowserSession } from './browser.js';
import { startServe, type ServeProcess } from './serve.js';

let serve: ServeProcess;
let browser: BrowserSession;
let scratch: string;
const path = process.env['PATH'];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pilot-e2e-gpu-'));
  const smi = join(scratch, 'nvidia-smi');
  await writeFile(
    smi,
    `#!/bin/sh
case "$1" in
  --query-gpu=*)
    echo "index, name, memory.total [MiB], driver_version, compute_cap, power.limit [W], temperature.gpu, utilization.gpu [%], pci.bus_id, mig.mode.current"
    echo "0, NVIDIA H100 80GB HBM3, 81559, 550.54.15, 9.0, 700.00, 28, 0, 00000000:18:00.0, Disabled" ;;
  "") cat '${fixture('nvidia-smi/h100x8-plain-excerpt.txt')}' ;;
  *) exit 2 ;;
esac
`,
  );
  await chmod(smi, 0o755);
  process.env['PATH'] = `${scratch}:${path ?? ''}`;
  serve = await startServe();
  process.env['PATH'] = path;
  // Tall enough to show the whole training stack card at once in the screenshot.
  browser = await openBrowser({ viewport: { width: 1280, height: 2200 } });
  await browser.page.goto(`${serve.url}#/hardware`);
  await browser.page.getByRole('heading', { name: 'Check this machine' }).waitFor();
});

afterAll(async () => {
  process.env['PATH'] = path;
  await browser?.close();
  await serve?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('Hardware page with an NVIDIA driver', () => {
  it('says which CUDA runtimes driver 550.54.15 runs and gives the steps to GPU training, in order', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Profile only' }).click();
    const heading = page.getByRole('heading', { name: 'GPU: steps for driver 550.54.15' });
    await heading.waitFor({ timeout: 90_000 });
    const stack = page.locator('section', { has: page.getByRole('heading', { name: 'Training stack' }) });
    await expect(stack.getByText(/^Driver 550\.54\.15 \(nvidia-smi: CUDA 12\.4 at most\) runs CUDA 11\.x, CUDA 12\.x: tfjs-node-gpu's CUDA 11 build can use NVIDIA H100 80GB HBM3/u).isVisible()).resolves.toBe(true);
    const rows = stack.locator('table.runtimes tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).textContent()).toMatch(/11\.x.*≥ 450\.80\.02.*runs.*tfjs-node-gpu/su);
    expect(await rows.nth(1).textContent()).toMatch(/12\.x.*≥ 525\.60\.13.*runs/su);
    expect(await rows.nth(2).textContent()).toMatch(/13\.x.*≥ 580.*too old/su);
    const steps = stack.locator('ol.steps li');
    expect(await steps.count()).toBe(5);
    expect(await steps.nth(0).locator('code').textContent()).toBe('npm install @tensorflow/tfjs-node-gpu@4.22.0');
    expect(await steps.nth(1).locator('code').textContent()).toBe(pipInstallCommand());
    expect(await steps.nth(2).locator('code').textContent()).toBe('pilot gpu libraries ~/cuda11 --save');
    expect(await steps.nth(3).textContent()).toMatch(/pilot hardware/u);
    // The library form below repeats the same pinned command.
    await expect(stack.locator('.gpu-libs code').textContent()).resolves.toBe(pipInstallCommand());
    await page.getByRole('heading', { name: 'Training stack' }).evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: '/tmp/hardware-gpu-steps.png' });
    expect(browser.errors).toEqual([]);
  });
});
