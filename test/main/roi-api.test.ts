/** The ROI channels through the one door (`invoke`): validation, history, actuals, buy vs rent, report. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { ChannelName, ChannelOutput } from '../../main/contract/index.js';
import { seedProject } from '../db/roi-seed.js';
import { tempDir, workerEntry } from '../helpers.js';

let app: App;
let invoices: number;
let bare: number;
let deleted: { projectId: number; versionId: number | null };
const { dir, cleanup } = tempDir();
beforeAll(() => {
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'cli', version: 'test' });
  invoices = seedProject(app.store.write, {
    name: 'invoices',
    question: 'Which invoices will be paid late?',
    baseline: { casesPerMonth: 500, errorRate: 0.2, costOfError: 40, hourlyRate: 45, hoursPerMonth: 300, currency: 'usd' },
    accuracy: 0.85,
    trainSeconds: 3600,
    backend: 'tensorflow',
    gpuWatts: 400,
  }).projectId;
  bare = seedProject(app.store.write, { name: 'bare' }).projectId;
  deleted = seedProject(app.store.write, { name: 'gone', baseline: { volumePerMonth: 100 }, accuracy: 0.9, trainSeconds: 10 });
});
afterAll(async () => {
  await app.close();
  cleanup();
});

async function ok<K extends ChannelName>(name: K, input: unknown): Promise<ChannelOutput<K>> {
  const result = await invoke(app, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as ChannelOutput<K>;
}

describe('roi channels', () => {
  it('roi:fields lists every field with unit, help and group', async () => {
    const info = await ok('roi:fields', {});
    expect(info.fields.length).toBeGreaterThan(25);
    for (const field of info.fields) expect(field).toMatchObject({ key: expect.any(String), label: expect.any(String), unit: expect.any(String), help: expect.any(String) });
    expect(new Set(info.fields.map((f) => f.group))).toEqual(new Set(info.groups.map((g) => g.id)));
    expect(info.defaults.currency).toBe('USD');
  });

  it('roi:get before any save: defaults seeded from the baseline (aliases, a fraction becomes %)', async () => {
    const state = await ok('roi:get', { projectId: invoices });
    expect(state.saved).toBeNull();
    expect(state.input).toMatchObject({ volumePerMonth: 500, todayErrorRatePercent: 20, costPerError: 40, hourlyValue: 45, hoursSavedPerMonth: 300, currency: 'USD' }); // the goal step's hours the model would save
    expect(state.measured.measured).toMatchObject({ modelErrorRate: 1 - 0.85, trainingSeconds: 3600, devicePowerWatts: 400 });
    // 500 × (20 % − 15 %) × 40 = 1000 a month from month 4 to 36.
    expect(state.result.breakdown.find((b) => b.key === 'errorsAvoided')?.total).toBe(3_300_000);
    // 1 h × 400 W = 0.4 kWh × 0.25 = 0.10 per run: one run in month 0, then 4 a year for 36 months (12 runs) = 1.30.
    expect(state.result.breakdown.find((b) => b.key === 'energy')?.total).toBe(10 + 12 * 10);
    expect(state.history).toEqual([]);
    expect(state.actuals.status).toBe('no-data');
  });

  it('roi:compute returns per-field issues instead of failing; roi:save refuses them', async () => {
    const computed = await ok('roi:compute', { projectId: invoices, input: { adoptionPercent: 150, costPerError: -1 } });
    expect(computed.result).toBeNull();
    expect(computed.issues.map((i) => i.key).sort()).toEqual(['adoptionPercent', 'costPerError']);
    const saved = await invoke(app, 'roi:save', { projectId: invoices, input: { costPerError: -1 } });
    expect(saved).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/Cost of one error cannot be negative/) } });
  });

  it('roi:save keeps history with the diff from the previous save', async () => {
    const state = await ok('roi:get', { projectId: invoices });
    await ok('roi:save', { projectId: invoices, input: state.input, note: 'first' });
    const second = await ok('roi:save', { projectId: invoices, input: { ...state.input, hardwarePrice: 4500, currency: 'EUR' }, note: 'buy a GPU' });
    expect(second.case.changes.map((c) => [c.key, c.before, c.after])).toEqual([
      ['currency', 'USD', 'EUR'],
      ['hardwarePrice', 0, 4500],
    ]);
    const history = await ok('roi:history', { projectId: invoices });
    expect(history.map((h) => h.note)).toEqual(['buy a GPU', 'first']);
    expect(history[0]).toMatchObject({ currency: 'EUR', npv: second.result.npv });
    expect((await ok('roi:get', { projectId: invoices })).saved?.id).toBe(second.case.id);
  });

  it('roi:actuals:set converts decimal strings to exact minor units and lines them up', async () => {
    await ok('roi:actuals:set', { projectId: invoices, month: 0, cost: '0.10', benefit: 0.2 });
    const avp = await ok('roi:actuals:set', { projectId: invoices, month: 1, cost: '1234.56', benefit: '0.30', note: 'launch' });
    expect(avp.rows[1]).toMatchObject({ actualCost: 123456, actualBenefit: 30, note: 'launch' });
    // (0.20 − 0.10) + (0.30 − 1234.56) = −1234.16, summed as integers.
    expect(avp.rows[1]?.actualCumulative).toBe(-123416);
    expect(avp.continuousThrough).toBe(1);
    const bad = await invoke(app, 'roi:actuals:set', { projectId: invoices, month: 2, cost: -5, benefit: 0 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/cannot be negative/) } });
    const text = await invoke(app, 'roi:actuals:set', { projectId: invoices, month: 2, cost: '1,000', benefit: 0 });
    expect(text).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const removed = await ok('roi:actuals:delete', { projectId: invoices, month: 1 });
    expect(removed.continuousThrough).toBe(0);
  });

  it('roi:buy-vs-rent uses the measured hour per run and the case cadence', async () => {
    const out = await ok('roi:buy-vs-rent', { projectId: invoices, cloud: { ratePerGpuHour: 3, speedUp: 2 } });
    expect(out.input).toMatchObject({ secondsPerRunHere: 3600, powerWattsHere: 400, retrainsPerYear: 4 });
    const cloud = out.result.options.find((o) => o.id === 'cloud')!;
    // 4 runs a year → 1/3 run a month × 0.5 h × 3.00 = 0.50 a month.
    expect(cloud.monthly).toBe(50);
    expect(out.sources.trainingTime).toMatch(/measured by the trainer/);
    const none = await invoke(app, 'roi:buy-vs-rent', { projectId: bare });
    expect(none).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/not measured yet/) } });
  });

  it('roi:report returns a self-contained HTML with the question', async () => {
    const { html, fileName } = await ok('roi:report', { projectId: invoices });
    expect(fileName).toBe('invoices-executive-report.html');
    expect(html).toContain('Which invoices will be paid late?');
    expect(html).toContain('Return on investment');
    expect(html).not.toMatch(/NaN|Infinity/);
    const empty = await ok('roi:report', { projectId: bare });
    expect(empty.html).toMatch(/Not measured yet/);
  });

  it('the report gathers quality, fairness, metrics, hardware, registry and drift from the store', async () => {
    const db = app.store.write;
    const { projectId, versionId, runId } = seedProject(db, { name: 'full', question: 'Will a customer churn?', baseline: { volumePerMonth: 10 }, accuracy: 0.88, trainSeconds: 90, backend: 'tensorflow', gpuWatts: 300, successMetric: 'accuracy', successThreshold: 0.9 });
    const dataset = db
      .prepare(`INSERT INTO datasets (path, name, size_bytes, mtime_ms, sha256, delimiter, encoding, has_header, columns, row_count, imported_at) VALUES ('/d/churn.csv', 'churn.csv', 10, 1, ?, ',', 'utf-8', 1, '["a"]', 5000, 1) RETURNING id`)
      .get('9'.repeat(64)) as { id: number };
    const alerts = [{ code: 'x', severity: 'warning', column: 'age', message: 'age has 12 % missing values', fix: '' }, { code: 'y', severity: 'error', column: null, message: 'Customer id leaks the target', fix: '' }];
    const quality = db
      .prepare(`INSERT INTO quality_reports (dataset_id, dataset_sha256, options_key, options, score, report, created_at) VALUES (?, ?, '{}', '{}', 82, ?, 1) RETURNING id`)
      .get(dataset.id, '9'.repeat(64), JSON.stringify({ rows: 5000, columnsCount: 12, alerts })) as { id: number };
    db.prepare('UPDATE model_versions SET quality_report_id = ? WHERE id = ?').run(quality.id, versionId);
    db.prepare('UPDATE runs SET result = ? WHERE id = ?').run(
      JSON.stringify({ trainSeconds: 90, fairness: [{ column: 'sex', disparateImpact: 0.7, tprGap: 0.05, groups: [{ group: 'F', count: 400, accuracy: 0.9, selectionRate: 0.2 }, { group: 'M', count: 600, accuracy: 0.85, selectionRate: 0.3 }] }] }),
      runId,
    );
    db.prepare(`INSERT INTO drift_reports (version_id, reference_sha256, current_path, current_sha256, drift_share, dataset_drift, report, created_at) VALUES (?, ?, '/d/new.csv', ?, 0.6, 1, ?, 5)`).run(
      versionId, '9'.repeat(64), '8'.repeat(64), JSON.stringify({ summary: '6 of 10 inputs shifted', judgedColumns: 10, columns: [{ name: 'tenure', drifted: true, statistic: 0.4 }] }),
    );
    const { html } = await ok('roi:report', { projectId });
    expect(html).toContain('Will a customer churn?');
    expect(html).toContain('No — the success criterion is not met.'); // 88 % against 90 %
    expect(html).toMatch(/82 \/ 100/);
    expect(html.indexOf('Customer id leaks the target')).toBeLessThan(html.indexOf('age has 12 % missing values')); // most severe first
    expect(html).toMatch(/<strong>Concern\.<\/strong>/); // disparate impact 0.70 < 0.80
    expect(html).toMatch(/Major drift/);
    expect(html).toContain('tenure');
    expect(html).toMatch(/NVIDIA GeForce RTX 4090/);
    expect(html).toMatch(/stage <strong>production<\/strong>/);
    expect(html).not.toMatch(/NaN|Infinity|Not measured yet/);
    // Which inputs were measured and which assumed: the workbench's own figures, the Goal step's
    // cases per month (10), and defaults such as the loaded staff cost (60 an hour).
    expect(html).toMatch(/<strong>Measured by the workbench:<\/strong> model error rate 12 ?% \(test metrics of version 1\); training time 1 min 30 s a run; device power 300 W\./);
    expect(html).toMatch(/<div data-origin="goal"><dt>Cases per month <span class="origin">from the Goal step<\/span><\/dt><dd>10 /);
    expect(html).toMatch(/<div data-origin="default"><dt>Loaded staff cost <span class="origin">assumed, default<\/span>/);
    const state = await ok('roi:get', { projectId });
    expect(state.origins.find((o) => o.key === 'volumePerMonth')).toMatchObject({ origin: 'goal', value: 10 });
    expect(state.origins.find((o) => o.key === 'staffRatePerHour')).toMatchObject({ origin: 'default', value: 60 });
    // The headline figures carry the pessimistic-to-optimistic range beside them.
    expect(html).toMatch(/net present value <strong>[^<]+<\/strong> \([^)]+ to [^)]+, pessimistic to optimistic\)/);
  });

  it('a deleted model version after a save: no error benefit, model-deleted warning', async () => {
    const state = await ok('roi:get', { projectId: deleted.projectId });
    await ok('roi:save', { projectId: deleted.projectId, input: { ...state.input, todayErrorRatePercent: 30, costPerError: 5 } });
    app.store.write.prepare('DELETE FROM model_versions WHERE id = ?').run(deleted.versionId);
    const after = await ok('roi:get', { projectId: deleted.projectId });
    expect(after.measured.measured.modelVersionState).toBe('deleted');
    expect(after.result.warnings.map((w) => w.code)).toContain('model-deleted');
    expect(after.result.breakdown.find((b) => b.key === 'errorsAvoided')?.total).toBe(0);
  });

  it('a newer evaluation changes the ROI, and roi:get says what was measured differently since the save', async () => {
    const before = await ok('roi:get', { projectId: invoices });
    expect(before.measuredChanges).toEqual([]);
    const versionId = (app.store.read.prepare('SELECT id FROM model_versions WHERE project_id = ?').get(invoices) as { id: number }).id;
    app.store.write.prepare(`INSERT INTO evaluations (version_id, dataset_sha256, metrics, report, created_at) VALUES (?, ?, '{"accuracy":0.82}', '{}', ?)`).run(versionId, 'f'.repeat(64), Date.now());
    const after = await ok('roi:get', { projectId: invoices });
    expect(after.measuredChanges).toEqual(['Model error rate 15.00 % → 18.00 %']);
    // 500 × (20 % − 18 %) × 40 = 400 a month, 33 months.
    expect(after.result.breakdown.find((b) => b.key === 'errorsAvoided')?.total).toBe(1_320_000);
  });

  it('an unknown project is not-found; a bad project id is invalid-input', async () => {
    expect(await invoke(app, 'roi:get', { projectId: 999 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await invoke(app, 'roi:get', { projectId: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });
});
