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

interface DriftCheck {
  verdict: string;
  value: number | null;
}
interface DriftJson {
  recommendation: string;
  datasetDrift: boolean;
  columns: unknown[];
  forecast: { verdict: string; residuals: DriftCheck; level: DriftCheck; seasonality: DriftCheck };
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

    // Drift: the history up to June (inside the training stretch) against the same history with the last two weeks tripled.
    const calm = JSON.parse(pilot(['drift', 'rentals@1', history, '--json']).stdout) as DriftJson;
    expect(calm.forecast.residuals.value).toBeLessThan(1.5);
    expect(calm.forecast.level.verdict).not.toBe('drift');
    const surged = join(dir, 'surged.csv');
    const cut = end - 14 * 24;
    writeFileSync(
      surged,
      [...lines.slice(0, cut), ...lines.slice(cut, end).map((l) => l.replace(/,(\d+)$/, (_, v: string) => `,${3 * Number(v)}`))].join('\n') + '\n',
    );
    const drift = pilot(['drift', 'rentals@1', surged, '--json']);
    expect(drift.code).toBe(0);
    const report = JSON.parse(drift.stdout) as DriftJson;
    // Errors are measured relative to each window's level, so a surge in level is the level check's to see.
    expect(report.forecast).toMatchObject({ verdict: 'drift', level: { verdict: 'drift' } });
    expect(report.forecast.level.value).toBeGreaterThan(1);
    expect(report).toMatchObject({ recommendation: 'retrain', datasetDrift: true, columns: [] });
    // Each day's hours in reverse order for the last two weeks: the level stays, the daily rhythm and the errors do not.
    const reversed = join(dir, 'reversed.csv');
    const days = new Map<string, string[]>();
    for (const l of lines.slice(cut, end)) days.set(l.split(',')[0]!, [...(days.get(l.split(',')[0]!) ?? []), l]);
    const flipped = [...days.values()].flatMap((day) => {
      const counts = day.map((l) => l.split(',').at(-1)!).reverse();
      return day.map((l, i) => l.replace(/,\d+$/, `,${counts[i]}`));
    });
    writeFileSync(reversed, [...lines.slice(0, cut), ...flipped].join('\n') + '\n');
    const rhythm = JSON.parse(pilot(['drift', 'rentals@1', reversed, '--json']).stdout) as DriftJson;
    expect(rhythm.forecast.level.verdict).toBe('ok');
    expect(rhythm.forecast.residuals.verdict).toBe('drift');
    expect(rhythm.forecast.seasonality.value).toBeLessThan(calm.forecast.seasonality.value!);
    const history2 = JSON.parse(pilot(['drift', 'history', String(r.modelVersionId), '--json']).stdout) as unknown[];
    expect(history2).toHaveLength(3);

    // A bundle carries the version to another installation, which forecasts the same numbers.
    const bundle = join(dir, 'rentals.pilotmodel');
    expect(pilot(['models', 'export', 'rentals@1', bundle]).code).toBe(0);
    const other = tempDir();
    try {
      const imported = spawnSync(process.execPath, [join(root, 'bin', 'pilot.js'), 'models', 'import', bundle, '--json', '--data-dir', other.dir], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(imported.status).toBe(0);
      expect(JSON.parse(imported.stdout)).toMatchObject({ kind: 'forecast', task: 'forecast', target: 'cnt' });
      const again = join(other.dir, 'forecast.csv');
      const p2 = spawnSync(
        process.execPath,
        [join(root, 'bin', 'pilot.js'), 'predict', '1', history, '--horizon', '3', '--out', again, '--data-dir', other.dir],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(p2.status).toBe(0);
      expect(readFileSync(again, 'utf8')).toBe(readFileSync(out, 'utf8'));
    } finally {
      other.cleanup();
    }
  }, 400_000);

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
