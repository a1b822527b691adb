/**
 * The Models page in serve mode, in Chromium: versions with stages, a promotion through the reason
 * dialog, "what was in production on date X", side-by-side comparison, and the evaluation trend.
 * Screenshots go to $PILOT_SCREENSHOTS (default: a temporary folder) for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertEvaluation } from '../../db/evaluations.js';
import { recordEvent } from '../../db/registry.js';
import { openStore } from '../../db/store.js';
import { databasePath } from '../../main/paths.js';
import type { EvaluationResult } from '../../workers/evaluate/index.js';
import { binaryArtifact } from '../workers/evaluate/helpers.js';
import { type BrowserSession, openBrowser } from './browser.js';
import { type ServeProcess, startServe } from './serve.js';

const shots = process.env.PILOT_SCREENSHOTS ?? join(tmpdir(), 'pilot-e2e-models');
mkdirSync(shots, { recursive: true });
const DAY = 86_400_000;
const t0 = Date.UTC(2026, 2, 1, 12);

let serve: ServeProcess;
let browser: BrowserSession;

function evaluation(accuracy: number): EvaluationResult {
  return {
    file: `/data/week-${Math.round(accuracy * 100)}.csv`, datasetSha256: 'e'.repeat(64), task: 'binary', target: 'churn',
    rows: { total: 500, scored: 500, missingLabel: 0, unknownLabel: 0 },
    metrics: { accuracy } as EvaluationResult['metrics'],
    differences: [{ metric: 'accuracy', recorded: 0.86, current: accuracy, difference: accuracy - 0.86, low: null, high: null, method: 'normal', significant: null }],
    interval: { confidence: 0.95, resamples: 0 }, fairness: [],
    columns: { missing: [], extra: [], unseenCategories: [], protectedMissing: [] }, unknownLabels: [], warnings: [],
  };
}

beforeAll(async () => {
  serve = await startServe();
  const artifactDir = await binaryArtifact(serve.dataDir);
  const store = openStore(databasePath(serve.dataDir));
  const db = store.write;
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'churn', 0, 0)`).run();
  for (const v of [1, 2, 3]) {
    db.prepare(`INSERT INTO runs (id, project_id, dataset_sha256, status, result, started_at) VALUES (?, 1, 'x', 'succeeded', ?, 0)`).run(
      v, JSON.stringify({ fairness: [{ column: 'gender', groups: [{ group: 'F', count: 50, selectionRate: 0.2 + v / 20 }, { group: 'M', count: 50, selectionRate: 0.3 }] }], rows: { train: 700, validation: 150, test: 150 } }),
    );
    db.prepare(
      `INSERT INTO model_versions (id, project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, stage, created_at)
       VALUES (?, 1, ?, ?, ?, 'wasm', 'binary', 'churn', ?, ?, ?, 'h', ?, ?)`,
    ).run(v, v, v, `${v}`.repeat(64), JSON.stringify({ hiddenLayers: [32 * v], learningRate: 0.001 }), JSON.stringify({ accuracy: 0.8 + v / 50, f1: 0.5 + v / 40 }), artifactDir, v === 1 ? 'production' : 'candidate', t0 + v * DAY);
    recordEvent(db, { projectId: 1, versionId: v, version: v, action: 'register', fromStage: null, toStage: 'candidate', alias: null, actor: 'alice (app)', reason: '', at: t0 + v * DAY });
  }
  recordEvent(db, { projectId: 1, versionId: 1, version: 1, action: 'promote', fromStage: 'candidate', toStage: 'production', alias: null, actor: 'alice (app)', reason: 'first pilot', at: t0 + 1.5 * DAY });
  for (const [i, accuracy] of [0.85, 0.83, 0.79].entries()) insertEvaluation(db, { versionId: 1, datasetId: null, result: evaluation(accuracy), jobId: null }, t0 + (10 + 7 * i) * DAY);
  store.close();
  browser = await openBrowser({ viewport: { width: 1440, height: 1500 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

it('shows versions, promotes through the reason dialog, answers production-on-date, compares', async () => {
  const { page, errors } = browser;
  await page.goto(`${serve.url}#/models`);
  await expect.poll(() => page.getByRole('button', { name: 'v3' }).count()).toBe(1);
  await expect.poll(() => page.getByText('churn · version 3').count()).toBe(1); // the newest is selected first
  await page.getByRole('button', { name: 'v2' }).click();
  await expect.poll(() => page.getByText('churn · version 2').count()).toBe(1);
  await page.getByRole('button', { name: 'Promote to production…' }).click();
  await page.getByLabel(/Reason/).fill('better recall on March data');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect.poll(() => page.getByText('Version 2 is now in production; version 1 moved to staging.').count()).toBe(1);
  await expect.poll(() => page.locator('tr', { hasText: 'v1' }).locator('[data-stage]').textContent()).toBe('staging');

  await page.getByLabel('What was in production on').fill('2026-03-04');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect.poll(() => page.getByTestId('production-at').textContent()).toMatch(/Version 1 was in production/);

  await page.getByRole('checkbox', { name: 'Compare version 1' }).check();
  await page.getByRole('checkbox', { name: 'Compare version 2' }).check();
  await page.getByRole('button', { name: /Compare 2 selected/ }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Side by side' }).count()).toBe(1);
  await page.getByRole('button', { name: 'v1' }).click();
  await expect.poll(() => page.getByText('week-79.csv').count()).toBe(1);
  await page.screenshot({ path: join(shots, 'models.png'), fullPage: true });
  await page.locator('section', { has: page.locator('#version-heading') }).screenshot({ path: join(shots, 'version-panel.png') });
  expect(errors).toEqual([]);
});
