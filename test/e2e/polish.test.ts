/**
 * The small things #15 §6/§7 found on the way, in Chromium: the rollback dialog names the version
 * that comes back and the alias moves with it; model compare lists the features each version reads;
 * the drift panel exports HTML and JSON; the fleet never names an unbenchmarked machine best over a
 * benchmarked one; charts and tests link to the glossary; axe stays at zero serious violations.
 * Screenshots go to $PILOT_SCREENSHOTS (default: a temporary folder) for a person to look at.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertEvaluation } from '../../db/evaluations.js';
import { insertHardwareProfile } from '../../db/hardware.js';
import { recordEvent } from '../../db/registry.js';
import { openStore } from '../../db/store.js';
import { databasePath } from '../../main/paths.js';
import type { EvaluationResult } from '../../workers/evaluate/index.js';
import { judge } from '../../workers/profiler/verdict.js';
import { writeArtifact } from '../../workers/trainer/artifact.js';
import type { Preprocessing } from '../../workers/trainer/preprocess.js';
import { baseReport } from '../workers/profiler/helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { invokeChannel, type ServeProcess, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-polish');
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DAY = 86_400_000;
const t0 = Date.UTC(2026, 2, 1, 12);

let serve: ServeProcess;
let browser: BrowserSession;

/** A regression artifact reading `columns` (all numbers), as two bike versions differ. */
async function bikeArtifact(dir: string, columns: string[]): Promise<string> {
  await tf.setBackend('cpu');
  const preprocessing: Preprocessing = { version: 1, features: columns.map((column) => ({ column, kind: 'numeric', scaler: { median: 0, mean: 0, std: 1 } })), inputs: columns };
  const artifactDir = join(dir, `bike-${columns.length}`);
  await writeArtifact(tf, artifactDir, { inputs: columns.length, hidden: [], outputs: 1, dropout: 0 }, [new Float32Array(columns.length).fill(1), Float32Array.from([0])], { preprocessing, target: { column: 'cnt', task: 'regression', mean: 4500, std: 1900 } }, { runId: `bike-${columns.length}` });
  return artifactDir;
}

function evaluation(r2: number): EvaluationResult {
  return {
    file: `/data/week-${Math.round(r2 * 100)}.csv`, datasetSha256: 'e'.repeat(64), task: 'regression', target: 'cnt',
    rows: { total: 300, scored: 300, missingLabel: 0, unknownLabel: 0 },
    metrics: { r2 } as EvaluationResult['metrics'],
    differences: [{ metric: 'r2', recorded: 0.84, current: r2, difference: r2 - 0.84, low: null, high: null, method: 'bootstrap', significant: null }],
    interval: { confidence: 0.95, resamples: 200 }, fairness: [],
    columns: { missing: [], extra: [], unseenCategories: [], protectedMissing: [] }, unknownLabels: [], warnings: [],
  };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: Array<{ target: string[] }>;
}

async function seriousAxe(): Promise<AxeViolation[]> {
  const { page } = browser;
  await page.evaluate(axeSource);
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) }));
}

beforeAll(async () => {
  serve = await startServe();
  const withRiders = await bikeArtifact(serve.dataDir, ['temp', 'hum', 'casual', 'registered']);
  const withoutRiders = await bikeArtifact(serve.dataDir, ['temp', 'hum', 'season']);
  const store = openStore(databasePath(serve.dataDir));
  const db = store.write;
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'bikes', 0, 0)`).run();
  for (const v of [1, 2]) {
    const excluded = v === 2 ? [{ column: 'casual', reason: 'leaks the target (cnt = casual + registered)' }, { column: 'registered', reason: 'leaks the target (cnt = casual + registered)' }] : [];
    db.prepare(`INSERT INTO runs (id, project_id, dataset_sha256, status, result, started_at) VALUES (?, 1, 'x', 'succeeded', ?, 0)`).run(v, JSON.stringify({ fairness: [], excluded }));
    db.prepare(
      `INSERT INTO model_versions (id, project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, stage, created_at)
       VALUES (?, 1, ?, ?, ?, 'wasm', 'regression', 'cnt', ?, ?, ?, 'h', 'candidate', ?)`,
    ).run(v, v, v, `${v}`.repeat(64), JSON.stringify({ batchSize: 64, learningRate: 0.001 * v }), JSON.stringify({ r2: v === 1 ? 0.99999 : 0.84, mae: v === 1 ? 4 : 540 }), v === 1 ? withRiders : withoutRiders, t0 + v * DAY);
    recordEvent(db, { projectId: 1, versionId: v, version: v, action: 'register', fromStage: null, toStage: 'candidate', alias: null, actor: 'alice (app)', reason: '', at: t0 + v * DAY });
  }
  for (const [i, r2] of [0.83, 0.8, 0.76].entries()) insertEvaluation(db, { versionId: 2, datasetId: null, result: evaluation(r2), jobId: null }, t0 + (10 + 7 * i) * DAY);
  // Two machines: ws-slow benchmarked (images red: 1 picture a second), box-new never benchmarked.
  const measured = baseReport();
  measured.hostname = 'ws-slow';
  measured.benchmarks.trainSamplesPerSec = { ...measured.benchmarks.trainSamplesPerSec, image: 1 };
  const unmeasured = baseReport();
  unmeasured.hostname = 'box-new';
  unmeasured.machineId = '9999888877776666';
  unmeasured.createdAt = '2026-01-03T03:04:05.000Z';
  unmeasured.benchmarks.trainSamplesPerSec = {};
  for (const report of [measured, unmeasured]) insertHardwareProfile(db, { report: { ...report, ...judge(report) }, source: 'imported' });
  store.close();
  // Promote v1 then v2 (v1 moves to staging), and call v2 the champion.
  await invokeChannel(serve, 'models:promote', { ref: 1, to: 'production', reason: 'first pilot' });
  await invokeChannel(serve, 'models:promote', { ref: 2, to: 'production', reason: 'without the leaking columns' });
  await invokeChannel(serve, 'models:alias-set', { ref: 2, alias: 'champion', reason: '' });
  // A drift check filed under version 2 (file against file, run by the real worker).
  const header = 'temp,hum\n';
  const reference = join(serve.dataDir, 'spring.csv');
  const current = join(serve.dataDir, 'summer.csv');
  writeFileSync(reference, header + Array.from({ length: 200 }, (_, i) => `${(i % 20) / 2},${50 + (i % 7)}`).join('\n'));
  writeFileSync(current, header + Array.from({ length: 200 }, (_, i) => `${10 + (i % 20) / 2},${50 + (i % 7)}`).join('\n'));
  const job = await invokeChannel<{ id: number }>(serve, 'drift:check', { referencePath: reference, currentPath: current, versionId: 2 });
  for (let i = 0; i < 120; i++) {
    const state = await invokeChannel<{ status: string }>(serve, 'jobs:get', { id: job.id });
    if (state.status === 'succeeded') break;
    if (state.status === 'failed') throw new Error('drift check failed');
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await openBrowser({ viewport: { width: 1440, height: 1400 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('compare lists the features each version reads; the rollback dialog names the version that comes back, and champion follows it', async () => {
  const { page, errors } = browser;
  await page.goto(`${serve.url}#/models`);
  await expect.poll(() => page.getByRole('button', { name: 'v2' }).count()).toBe(1);
  await page.getByRole('checkbox', { name: 'Compare version 1' }).check();
  await page.getByRole('checkbox', { name: 'Compare version 2' }).check();
  await page.getByRole('button', { name: /Compare 2 selected/ }).click();
  await expect.poll(() => page.getByTestId('feature-changes').textContent()).toBe('Version 2 uses season that version 1 does not; drops casual, registered.');
  const casual = page.locator('tr', { has: page.locator('th', { hasText: /^casual$/ }) });
  await expect.poll(() => casual.locator('td').allTextContents()).toEqual(['number', 'left out: leaks the target (cnt = casual + registered)']);
  await expect.poll(() => page.locator('tr', { has: page.locator('th', { hasText: /^batchSize$/ }) }).locator('td').allTextContents()).toEqual(['64', '64']);
  await page.locator('section', { has: page.locator('#compare-heading') }).screenshot({ path: join(shots, 'compare-features.png') });

  await page.getByRole('button', { name: 'Roll back…' }).click();
  const plan = page.getByTestId('rollback-plan');
  await expect.poll(async () => (await plan.textContent())?.replace(/\s+/g, ' ')).toMatch(/Version 1 comes back to production \(created [^)]+, variation explained 1\.000 on its test rows\); version 2, in production now, is archived\. champion moves to version 1\./);
  await page.locator('dialog').screenshot({ path: join(shots, 'rollback-dialog.png') });
  await page.getByLabel(/Reason/).fill('v1 reads casual and registered');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect.poll(() => page.getByText('Rolled back: version 1 is in production again; version 2 is archived. champion now points at version 1.').count()).toBe(1);
  const v1 = await invokeChannel<{ version: { aliases: string[]; stage: string } }>(serve, 'models:show', { ref: 'bikes@champion' });
  expect([v1.version.stage, v1.version.aliases]).toEqual(['production', ['champion']]);
  expect(errors).toEqual([]);
}, 120_000);

it('the drift panel exports HTML and JSON, and its tests, the evaluation trend and the hardware charts link to the glossary', async () => {
  const { page, errors } = browser;
  await page.goto(`${serve.url}#/models`);
  await page.getByRole('button', { name: 'v2' }).click();
  const driftSection = page.locator('section', { has: page.locator('#drift-heading') });
  await expect.poll(() => driftSection.getByRole('button', { name: 'Export HTML' }).count(), { timeout: 20_000 }).toBe(1);
  const [htmlDownload] = await Promise.all([page.waitForEvent('download'), driftSection.getByRole('button', { name: 'Export HTML' }).click()]);
  expect(htmlDownload.suggestedFilename()).toMatch(/^summer-drift-\d+\.html$/);
  const html = readFileSync((await htmlDownload.path())!, 'utf8');
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).toContain('temp');
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), driftSection.getByRole('button', { name: 'Export JSON' }).click()]);
  const record = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8')) as { versionId: number; report: { columns: Array<{ name: string; drifted: boolean }> } };
  expect(record.versionId).toBe(2);
  expect(record.report.columns.find((c) => c.name === 'temp')?.drifted).toBe(true);
  await expect.poll(() => driftSection.getByTestId('drift-export-result').textContent()).toMatch(/Downloaded drift-\d+\.json/);
  // Kolmogorov–Smirnov, PSI and p-values link to their entries; so does the evaluation trend chart.
  for (const term of ['ks', 'psi', 'p-value', 'distribution']) expect(await driftSection.locator(`a[href="#/glossary/${term}"]`).count()).toBeGreaterThan(0);
  const versionSection = page.locator('section', { has: page.locator('#version-heading') });
  expect(await versionSection.locator('figure', { has: page.locator('canvas') }).locator('a[href="#/glossary/evaluation-trend"]').count()).toBe(1);
  await driftSection.screenshot({ path: join(shots, 'drift-export.png') });
  expect(await seriousAxe()).toEqual([]);

  await page.goto(`${serve.url}#/hardware`);
  await expect.poll(() => page.getByTestId('fleet-best-image').textContent(), { timeout: 20_000 }).toBe('ws-slow');
  const fleet = page.locator('section', { has: page.locator('#fleet-heading') });
  const answer = (await fleet.locator('p', { hasText: 'Which machine should run the pilot' }).textContent())?.replace(/\s+/g, ' ');
  expect(answer).toMatch(/image ws-slow \(box-new not benchmarked: may do better\)/);
  expect(await fleet.locator('figure', { has: page.locator('canvas') }).locator('a[href="#/glossary/training-estimate"]').count()).toBe(1);
  await fleet.screenshot({ path: join(shots, 'fleet.png') });
  // Every chart on the hardware page has a glossary link in its caption.
  const charts = await page.locator('canvas').count();
  expect(charts).toBeGreaterThan(0);
  expect(await page.locator('figure:has(canvas) figcaption a.glossary-link').count()).toBe(charts);
  await page.getByRole('link', { name: /What is “Estimated training time”/ }).first().click();
  await expect.poll(() => page.url()).toMatch(/#\/glossary\/training-estimate$/);
  await page.screenshot({ path: join(shots, 'glossary-hardware.png') });
  await page.goto(`${serve.url}#/hardware`);
  await page.waitForLoadState('networkidle');
  expect(await seriousAxe()).toEqual([]);
  expect(errors).toEqual([]);
}, 120_000);

it("the Results step's fairness table gives each group's 95 % range and says which groups are small or too small to judge", async () => {
  const { page, errors } = browser;
  const imported = await invokeChannel<{ id: number }>(serve, 'datasets:import', { path: join(process.cwd(), 'test/fixtures/compas-scores-two-years.csv') });
  const wait = async (id: number) => {
    for (let i = 0; i < 600; i++) {
      const state = await invokeChannel<{ status: string; error?: { message: string } }>(serve, 'jobs:get', { id });
      if (state.status === 'succeeded') return;
      if (state.status !== 'running' && state.status !== 'queued') throw new Error(`job ${id} ${state.status}: ${state.error?.message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  await wait(imported.id);
  const datasetId = (await invokeChannel<Array<{ id: number; name: string }>>(serve, 'datasets:list', {})).find((d) => d.name === 'compas-scores-two-years.csv')!.id;
  const project = await invokeChannel<{ id: number }>(serve, 'pilots:create', { name: 'Reoffending', datasetId });
  await invokeChannel(serve, 'pilots:update', { id: project.id, wizard: { step: 6 } });
  const started = await invokeChannel<{ job: { id: number } }>(serve, 'pilots:train', {
    projectId: project.id, datasetId, target: 'two_year_recid', seed: 1, epochs: 8, model: 'network',
    include: ['age', 'priors_count', 'juv_fel_count', 'sex'], protected: ['race'],
  });
  await wait(started.job.id);
  await page.goto(`${serve.url}#/pilots`);
  await page.getByRole('button', { name: 'Reoffending' }).click();
  const caption = page.locator('caption', { hasText: /^race/ });
  await expect.poll(() => caption.textContent(), { timeout: 30_000 }).toMatch(/^race — disparate impact \d\.\d\d \(plausible \d\.\d\d–\d\.\d\d/);
  // Compas' test split has a handful of Asian and Native American rows: shown, not judged.
  expect(await caption.textContent()).toMatch(/Not judged \(under 30 rows\): .*Asian \(\d+ rows\)/);
  const rows = page.getByTestId('fairness-group');
  expect(await rows.filter({ hasText: /^\s*Asian/ }).textContent()).toMatch(/not judged: under 30 rows/);
  expect(await rows.filter({ hasText: /^\s*African-American/ }).locator('td').nth(3).textContent()).toMatch(/^\d+\.\d%\d+ %–\d+ %$/);
  await caption.locator('xpath=ancestor::section[1]').screenshot({ path: join(shots, 'fairness-ranges.png') });
  expect(await seriousAxe()).toEqual([]);
  expect(errors).toEqual([]);
}, 400_000);
