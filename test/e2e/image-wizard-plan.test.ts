/**
 * The picture wizard's Train step before and during a run, in Chromium against `pilot serve`: the
 * time estimate ("about N minutes on this machine (wasm)", recomputed here from the plan job's
 * figures), the backbone field (a folder that is not a model refused with the reason; another
 * image pilot's model folder accepted with its name and input shape), then a run on that backbone
 * whose training worker is killed for real (SIGKILL) after an epoch, resumed from the wizard, and
 * finished. Screenshots (1280 × 800) go to $PILOT_SCREENSHOTS.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, invokeChannel, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-image');
mkdirSync(shots, { recursive: true });
const folder = fixture('fashion-mnist-small');

let serve: ServeProcess;
let browser: BrowserSession;
const api = <T>(channel: string, input: unknown): Promise<T> => invokeChannel<T>(serve, channel, input);

interface JobRow {
  id: number;
  kind: string;
  status: string;
  result: unknown;
}

async function waitJob(id: number): Promise<JobRow> {
  for (;;) {
    const job = await api<JobRow>('jobs:get', { id });
    if (!['queued', 'running'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The minutes phrase, written here independently of common/image-estimate.ts. */
function phrase(seconds: number): string {
  const m = seconds / 60;
  if (m < 1) return 'under a minute';
  if (m < 90) return `about ${Math.round(m)} minute${Math.round(m) === 1 ? '' : 's'}`;
  return `about ${(m / 60).toFixed(m < 600 ? 1 : 0)} hours`;
}

beforeAll(async () => {
  serve = await startServe();
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('estimates the time, checks a backbone, trains on it, survives a killed worker and resumes', async () => {
  const { page, errors } = browser;
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });

  // A backbone made the way a user would: another image pilot's model folder (trained on five other classes).
  const base = await api<{ id: number }>('pilots:create', { name: 'tops', kind: 'image' });
  const baseRun = await api<{ job: { id: number }; run: { id: number } }>('image:train', { projectId: base.id, source: fixture('fashion-mnist-backbone'), epochs: 1, maxImages: 300, backend: 'wasm' });
  expect((await waitJob(baseRun.job.id)).status).toBe('succeeded');
  const backboneDir = (await api<{ run: { result: { artifactDir: string } } }>('pilots:run', { id: baseRun.run.id })).run.result.artifactDir;

  await page.goto(`${serve.url}#/pilots`);
  await page.getByLabel(/Pictures/).check();
  await page.getByLabel('Project name').fill('shoes');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByLabel('Folder of pictures', { exact: true }).fill(folder);
  await page.getByRole('button', { name: 'Scan' }).click();
  await page.getByTestId('image-scan').waitFor({ timeout: 150_000 });
  await page.getByRole('button', { name: 'Continue to training' }).click();

  // 1. The estimate before training: no hardware profile here, so from a fresh timing of this network.
  const headline = page.getByTestId('image-estimate-headline');
  await headline.waitFor({ timeout: 150_000 });
  const plans = (await api<JobRow[]>('jobs:list', {})).filter((j) => j.kind === 'image.plan' && j.status === 'succeeded');
  const plan = (await api<JobRow>('jobs:get', { id: plans.sort((a, b) => b.id - a.id)[0]!.id })).result as { train: number; validation: number; maxEpochs: number; side: number; timing: { imagesPerSec: number } };
  expect(plan).toMatchObject({ train: 510, validation: 90, maxEpochs: 30, side: 28 });
  const seconds = (30 * (510 + 90 / 3)) / plan.timing.imagesPerSec;
  expect(await headline.textContent()).toBe(`${phrase(seconds)} on this machine (wasm)`);
  expect(await page.getByTestId('image-estimate').textContent()).toMatch(/510 training pictures at 28×28 grey and up to 30 epochs.*timed on this machine/s);
  await shot('image-wizard-1-estimate');

  // 2. A folder of pictures is not a backbone: refused with the reason before anything trains.
  await page.getByLabel('Backbone folder', { exact: true }).fill(fixture('fashion-mnist-backbone'));
  await page.getByRole('button', { name: 'Check' }).click();
  await page.getByTestId('backbone-error').waitFor({ timeout: 150_000 });
  expect(await page.getByTestId('backbone-error').textContent()).toMatch(/fashion-mnist-backbone is not a model folder: it has no model\.json/);
  await shot('image-wizard-2-backbone-refused');

  // 3. The other pilot's model folder: its name, input and the layer the new head reads.
  await page.getByLabel('Backbone folder', { exact: true }).fill(backboneDir);
  await page.getByRole('button', { name: 'Check' }).click();
  await page.getByTestId('backbone-ok').waitFor({ timeout: 150_000 });
  const ok = (await page.getByTestId('backbone-ok').textContent()) ?? '';
  expect(ok).toContain(`Backbone run-${baseRun.run.id}: takes 28 × 28 × 1 pictures`);
  expect(ok).toMatch(/reads pool_2 .*all frozen/);
  await page.getByTestId('backbone-field').scrollIntoViewIfNeeded();
  await shot('image-wizard-3-backbone-ok');

  // 4. Train on it, kill the training worker after its first epoch, resume from the wizard.
  await page.getByLabel('Epochs at most').fill('4');
  await page.getByLabel('Good enough at (accuracy %)').fill('50');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('live-epoch').waitFor({ timeout: 200_000 });
  expect(await page.getByTestId('live-epoch').textContent()).toMatch(/Epoch \d: validation accuracy .* pictures\/s, about .* left\./);
  await page.getByTestId('live-epoch').scrollIntoViewIfNeeded();
  await shot('image-wizard-4-training-eta');
  const db = new Database(join(serve.dataDir, 'workbench.db'), { readonly: true, fileMustExist: true });
  const row = db.prepare(`SELECT id, worker_pid FROM jobs WHERE kind = 'train.image' AND status = 'running' ORDER BY id DESC LIMIT 1`).get() as { id: number; worker_pid: number } | undefined;
  db.close();
  expect(row?.worker_pid).toEqual(expect.any(Number));
  process.kill(row!.worker_pid, 'SIGKILL');
  const resume = page.getByTestId('resume-run');
  await resume.waitFor({ timeout: 60_000 });
  await shot('image-wizard-5-resumable');
  await resume.getByRole('button').click();
  await page.getByTestId('plain-words').waitFor({ timeout: 300_000 });
  await shot('image-wizard-6-resumed-results');

  const project = (await api<{ id: number; name: string }[]>('pilots:list', {})).find((p) => p.name === 'shoes')!;
  const detail = await api<{ runs: { id: number; status: string }[]; versions: { version: number }[] }>('pilots:get', { id: project.id });
  expect(detail.runs.map((r) => r.status)).toEqual(['succeeded']);
  const run = await api<{ run: { result: { resumedFromEpoch: number | null; epochs: { epoch: number }[]; backbone: { name: string } | null } } }>('pilots:run', { id: detail.runs[0]!.id });
  expect(run.run.result.resumedFromEpoch).toBeGreaterThanOrEqual(1);
  expect(run.run.result.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
  expect(run.run.result.backbone?.name).toBe(`run-${baseRun.run.id}`);
  expect(errors).toEqual([]);
}, 900_000);
