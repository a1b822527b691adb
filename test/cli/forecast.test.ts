/**
 * `pilot train --kind forecast` and `pilot predict --horizon` on bike_hour from March to December
 * 2012 (UCI Bike Sharing, test/fixtures/forecast/bike_hour_2012.csv), as real processes. The
 * baselines' errors are checked against pandas (test/cli/forecast_reference.py, run once; its
 * printed values are copied here): validation from 2012-10-31 20:00, test from 2012-12-01 10:00,
 * 729 test windows, seasonal naive MAE 65.1166 (MASE 1.0519), naive MAE 125.3793 (MASE 2.0254).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, root, tempDir, type CliRun } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** `pilot ARGS` with room for a training run on a loaded machine (the shared helper stops at 60 s). */
function pilot(args: string[]): CliRun {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'pilot.js'), ...args, '--data-dir', dir], { encoding: 'utf8', cwd: root, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Metrics {
  mae: number;
  mase: number;
  windows: number;
}

describe('pilot train --kind forecast on bike_hour (2012)', () => {
  it('beats seasonal naive (MASE < 1) on the last months held out, registers a forecast version, and predicts the next hours', () => {
    const file = fixture('forecast/bike_hour_2012.csv');
    const run = pilot([
      'train',
      file,
      '--kind',
      'forecast',
      '--time',
      'dteday+hr',
      '--target',
      'cnt',
      '--holiday',
      'holiday',
      '--horizon',
      '6',
      '--epochs',
      '12',
      '--seed',
      '42',
      '--project',
      'rentals',
      '--json',
    ]);
    expect(run.stderr).toMatch(/epoch 1 {2}loss \d/);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as {
      kind: string;
      task: string;
      target: string;
      version: number;
      modelVersionId: number;
      summary: { metric: string; lowerIsBetter: boolean; network: number; seasonalNaive: number; naive: number; linear: number };
      baselines: { naive: Metrics; seasonalNaive: Metrics; linear: Metrics };
      metrics: Metrics;
      stretches: { validation: [string, string]; test: [string, string] };
      hyperparameters: { seed: number; horizon: number };
    };
    expect(r).toMatchObject({
      kind: 'forecast',
      task: 'forecast',
      target: 'cnt',
      version: 1,
      summary: { metric: 'mase', lowerIsBetter: true },
      hyperparameters: { seed: 42, horizon: 6 },
    });
    expect(r.stretches.validation[0]).toBe('2012-10-31 20:00');
    expect(r.stretches.test[0]).toBe('2012-12-01 10:00');
    // The baselines on the same 729 test windows (December), as pandas computes them.
    expect(r.baselines.seasonalNaive.windows).toBe(729);
    expect(r.baselines.seasonalNaive.mae).toBeCloseTo(65.1166, 2);
    expect(r.summary.seasonalNaive).toBeCloseTo(1.0519, 3);
    expect(r.baselines.naive.mae).toBeCloseTo(125.3793, 2);
    expect(r.summary.naive).toBeCloseTo(2.0254, 3);
    // The quality bar: MASE below 1, and below every baseline's.
    expect(r.summary.network).toBeLessThan(1);
    expect(r.summary.network).toBeLessThan(Math.min(r.summary.seasonalNaive, r.summary.naive, r.summary.linear));
    const versions = JSON.parse(pilot(['models', 'list', 'rentals', '--json']).stdout) as Array<{ id: number; kind: string; task: string }>;
    expect(versions).toEqual([expect.objectContaining({ id: r.modelVersionId, kind: 'forecast', task: 'forecast' })]);

    // History up to 2012-06-30 23:00: the next three hours are forecast.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const end = lines.findIndex((l) => l.startsWith('2012-07-01,'));
    expect(end).toBeGreaterThan(1);
    const history = join(dir, 'history.csv');
    writeFileSync(history, lines.slice(0, end).join('\n') + '\n');
    const out = join(dir, 'forecast.csv');
    const predicted = pilot(['predict', 'rentals@1', history, '--horizon', '3', '--out', out, '--json']);
    expect(predicted.code).toBe(0);
    expect(JSON.parse(predicted.stdout)).toMatchObject({
      kind: 'forecast',
      task: 'forecast',
      rows: 3,
      series: 1,
      horizon: 3,
      intervalLevel: 0.9,
      modelVersionId: r.modelVersionId,
      addedColumns: ['time', 'step', 'forecast', 'lower', 'upper'],
    });
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual(['time', 'step', 'forecast', 'lower', 'upper']);
    expect(rows.slice(1).map((c) => c[0])).toEqual(['2012-07-01', '2012-07-01 01:00', '2012-07-01 02:00']);
    for (const [, , f, lo, hi] of rows.slice(1).map((c) => c.map(Number))) {
      expect(lo).toBeLessThanOrEqual(f!);
      expect(f).toBeLessThanOrEqual(hi!);
      expect(lo).toBeGreaterThanOrEqual(0);
    }

    // Beyond the trained horizon: refused with the way out, and nothing written.
    const far = pilot(['predict', 'rentals@1', history, '--horizon', '48', '--out', join(dir, 'far.csv')]);
    expect(far.code).toBe(1);
    expect(far.stderr).toMatch(/forecasts at most 6 step\(s\) ahead \(hourly\); 48 were asked/);
    expect(existsSync(join(dir, 'far.csv'))).toBe(false);
  }, 300_000);

  it('usage errors name the missing flags and every kind (exit 2)', () => {
    const file = fixture('forecast/bike_hour_2012.csv');
    const noTime = pilot(['train', file, '--kind', 'forecast', '--target', 'cnt']);
    expect(noTime.code).toBe(2);
    expect(noTime.stderr).toMatch(/--time COLUMN .* and --target COLUMN/);
    const kind = pilot(['train', file, '--kind', 'weather', '--target', 'cnt']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/--kind is tabular, image, text, anomaly or forecast, not "weather"/);
  });
});
