/** The jobs panel in Chromium: a long self-test shows moving progress and ends cancelled on Cancel. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from './browser.js';
import { startServe, type ServeProcess } from './serve.js';

let serve: ServeProcess;
let browser: BrowserSession;

beforeAll(async () => {
  serve = await startServe();
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

async function apiJob(id: number): Promise<{ status: string; progress: number }> {
  const response = await fetch(`${serve.origin}/api/invoke/jobs:get`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id }),
  });
  const body = (await response.json()) as { ok: boolean; value: { status: string; progress: number } };
  return body.value;
}

describe('jobs panel (serve mode, Chromium)', () => {
  it('shows a running self-test moving, and Cancel ends it as cancelled', async () => {
    const { page } = browser;
    await page.goto(serve.url.replace('/?', '/?') + '#/about');
    await page.getByRole('heading', { name: 'Self-test' }).waitFor();
    await page.getByLabel('Steps').fill('400');
    await page.getByLabel('Step length (ms)').fill('100');
    await page.getByRole('button', { name: 'Run self-test' }).click();

    // The panel stays closed when a job starts (it would cover the page); its bar shows the job, and a click opens it.
    await expect.poll(() => page.getByRole('button', { name: /^Jobs/ }).textContent()).toMatch(/Self-test/);
    expect(await page.locator('#jobs-list').count()).toBe(0);
    await page.getByRole('button', { name: /^Jobs/ }).click();
    const card = page.locator('#jobs-list article', { hasText: 'Self-test' });
    await card.waitFor();
    const bar = card.getByRole('progressbar');
    const value = async () => Number((await bar.getAttribute('aria-valuenow')) ?? '-1');
    await expect.poll(value, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    const first = await value();
    await expect.poll(value, { timeout: 30_000 }).toBeGreaterThan(first);
    expect(await card.textContent()).toMatch(/Step \d+\/400/);
    // The bar shows what the percentage says, at once: no eased width trailing the number.
    // A string, so the Node-side type check does not need the DOM library.
    const shownId = await card.getAttribute('data-job-id');
    const drawn = (await page.evaluate(`(() => {
      const article = document.querySelector('#jobs-list article[data-job-id="${shownId}"]');
      const track = article.querySelector('[role="progressbar"]');
      const fill = track.firstElementChild;
      return {
        share: (fill.getBoundingClientRect().width / track.getBoundingClientRect().width) * 100,
        now: Number(track.getAttribute('aria-valuenow')),
        text: article.querySelector('.numbers')?.textContent ?? '',
        transition: getComputedStyle(fill).transitionDuration,
      };
    })()`)) as { share: number; now: number; text: string; transition: string };
    expect(drawn.transition).toBe('0s');
    expect(Math.abs(drawn.share - drawn.now)).toBeLessThanOrEqual(1);
    expect(drawn.text).toContain(`${drawn.now}%`);
    expect(await card.getAttribute('data-status')).toBe('running');

    const id = Number(await card.getAttribute('data-job-id'));
    await card.getByRole('button', { name: 'Cancel Self-test' }).click();
    await page.locator(`#jobs-list article[data-job-id="${id}"][data-status="cancelled"]`).waitFor({ timeout: 30_000 });
    expect(await card.getByRole('button', { name: /Cancel/ }).count()).toBe(0);
    // Screen readers hear the outcome once, through the panel's polite live region.
    await expect.poll(() => page.locator('[aria-live="polite"]', { hasText: 'Self-test' }).textContent()).toBe('Self-test: cancelled.');

    const job = await apiJob(id);
    expect(job.status).toBe('cancelled');
    expect(job.progress).toBeLessThan(1);
    expect(browser.errors).toEqual([]);
  });
});
