import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDrift } from '../../../workers/drift/index.js';
import { makeContext } from '../../../workers/protocol.js';
import { seeded, tempDir, writeCsv } from './helpers.js';

describe('prediction, label and performance drift', () => {
  const dir = tempDir();
  const random = seeded(3);
  const header = ['age', 'label', 'prediction'];
  // Reference: 300 rows, predictions right 90% of the time. Current: 200 rows, right on rows i % 5 ≠ 0 (80%).
  const ref = Array.from({ length: 300 }, (_, i) => {
    const label = i % 2 === 0 ? 'yes' : 'no';
    return [Math.round(20 + 40 * random()), label, i % 10 === 0 ? (label === 'yes' ? 'no' : 'yes') : label];
  });
  const cur = Array.from({ length: 200 }, (_, i) => {
    const label = i % 2 === 0 ? 'yes' : 'no';
    return [Math.round(20 + 40 * random()), label, i % 5 === 0 ? (label === 'yes' ? 'no' : 'yes') : label];
  });
  const refPath = writeCsv(join(dir, 'ref.csv'), header, ref);
  const curPath = writeCsv(join(dir, 'cur.csv'), header, cur);

  it('accuracy fell from 0.9 to 0.8: degraded, retrain recommended', async () => {
    const report = await checkDrift(
      {
        referencePath: refPath,
        currentPath: curPath,
        options: { labelColumn: 'label', predictionColumn: 'prediction', referenceMetric: { metric: 'accuracy', value: 0.9 } },
      },
      makeContext(),
    );
    expect(report.columns.map((c) => c.name)).toEqual(['age']);
    // The interval is scipy.stats.binomtest(160, 200).proportion_ci(method='wilson') (computed when writing the test).
    expect(report.performance).toEqual({
      metric: 'accuracy', reference: 0.9, current: 0.8, drop: expect.closeTo(0.1, 12), degraded: true, rows: 200,
      interval: [expect.closeTo(0.7391448134346212, 12), expect.closeTo(0.8495479907390189, 12)],
    });
    expect(report.predictionDrift?.name).toBe('prediction');
    expect(report.predictionDrift?.test).toBe('z');
    expect(report.labelDrift?.drifted).toBe(false);
    expect(report.recommendation).toBe('retrain');
    expect(report.summary).toContain('accuracy fell from 0.90 to 0.80; retrain recommended');
  });

  it('without predictions in the reference, predictions are compared with the reference labels', async () => {
    const labelsOnly = writeCsv(join(dir, 'labels-only.csv'), ['age', 'label'], ref.map((r) => [r[0] as number, r[1] as string]));
    // Current predictions say "yes" 3 times in 4 while the labels were half "yes": the Z test must see it.
    const skewed = writeCsv(join(dir, 'skewed.csv'), header, cur.map((r, i) => [r[0] as number, r[1] as string, i % 4 === 0 ? 'no' : 'yes']));
    const report = await checkDrift({ referencePath: labelsOnly, currentPath: skewed, options: { labelColumn: 'label', predictionColumn: 'prediction' } }, makeContext());
    expect(report.extraColumns).toEqual([]);
    const p = report.predictionDrift!;
    expect(p.name).toBe('prediction');
    expect(p.test).toBe('z');
    expect(p.explanation).toMatch(/^The reference has no prediction column, so the predictions are compared with the reference labels \(label\)/);
    // Hand computation: reference 150 "no" of 300, current 50 "no" of 200; pooled 200/500.
    const z = (150 / 300 - 50 / 200) / Math.sqrt(0.4 * 0.6 * (1 / 300 + 1 / 200));
    expect(Math.abs(p.statistic!)).toBeCloseTo(z, 12);
    expect(p.drifted).toBe(true);
    expect(report.summary).toContain("the model's predictions shifted");
  });

  it('MAE and RMSE are computed on numeric labels (hand-computed)', async () => {
    const h = ['x', 'y', 'p'];
    const rows = Array.from({ length: 40 }, (_, i) => [i, i, i + (i % 2 === 0 ? 1 : -3)]);
    const path = writeCsv(join(dir, 'reg.csv'), h, rows);
    const options = { labelColumn: 'y', predictionColumn: 'p', referenceMetric: { metric: 'mae' as const, value: 1.5 } };
    const mae = await checkDrift({ referencePath: path, currentPath: path, options }, makeContext());
    expect(mae.performance?.current).toBeCloseTo((20 * 1 + 20 * 3) / 40, 12);
    expect(mae.performance?.drop).toBeCloseTo(0.5, 12);
    const rmse = await checkDrift(
      { referencePath: path, currentPath: path, options: { ...options, referenceMetric: { metric: 'rmse', value: Math.sqrt(5) } } },
      makeContext(),
    );
    expect(rmse.performance?.current).toBeCloseTo(Math.sqrt((20 * 1 + 20 * 9) / 40), 12);
    expect(rmse.performance?.degraded).toBe(false);
    // Normal intervals of the mean |e| and of the mean e² (square-rooted), with the sample SD: numpy/scipy,
    // m ± norm.ppf(0.975)·std(ddof=1)/√40, computed when writing the test.
    expect(mae.performance?.interval?.[0]).toBeCloseTo(1.6861545856311388, 12);
    expect(mae.performance?.interval?.[1]).toBeCloseTo(2.313845414368861, 12);
    expect(rmse.performance?.interval?.[0]).toBeCloseTo(1.9351016362260034, 12);
    expect(rmse.performance?.interval?.[1]).toBeCloseTo(2.5010760998968915, 12);
    expect(rmse.summary).toContain('RMSE about the same as at registration (2.24)');
  });

  it('a change smaller than the rows can tell is "about the same", not "fell"', async () => {
    // 500 labelled rows, 428 right (0.856) against 0.861 registered: the Wilson interval 0.8225–0.8841
    // (scipy binomtest(428, 500).proportion_ci(method='wilson')) holds 0.861, so no fall is claimed.
    const rows = Array.from({ length: 500 }, (_, i) => [i, i % 2 ? 'yes' : 'no', i < 72 ? (i % 2 ? 'no' : 'yes') : i % 2 ? 'yes' : 'no']);
    const path = writeCsv(join(dir, 'same.csv'), header, rows);
    const report = await checkDrift(
      { referencePath: refPath, currentPath: path, options: { labelColumn: 'label', predictionColumn: 'prediction', referenceMetric: { metric: 'accuracy', value: 0.861 } } },
      makeContext(),
    );
    expect(report.performance?.current).toBeCloseTo(0.856, 12);
    expect(report.performance?.degraded).toBe(false);
    expect(report.summary).toContain('accuracy about the same as at registration (0.856 on these 500 rows, 0.861 then: a difference this small is within what 500 rows can tell)');
    expect(report.summary).not.toMatch(/accuracy fell/);
  });
});
