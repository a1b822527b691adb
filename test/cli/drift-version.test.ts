/**
 * `pilot drift VERSION CURRENT_FILE` as real processes: a version trained on 2011 bike rentals,
 * checked against 2012. The MAE is recomputed here from `pilot predict`'s output.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('pilot-drift-version-cli-');
afterAll(cleanup);
const dataDir = join(dir, 'home');

function year(name: string, value: string): string {
  const [header, ...rows] = readFileSync(fixture('bike_day.csv'), 'utf8').trim().split('\n');
  const yr = header!.split(',').indexOf('yr');
  const path = join(dir, name);
  writeFileSync(path, `${[header, ...rows.filter((r) => r.split(',')[yr] === value)].join('\n')}\n`);
  return path;
}
const y2011 = year('rentals.csv', '0');
const y2012 = year('rentals2012.csv', '1');

beforeAll(() => {
  const run = pilot(['train', y2011, '--target', 'cnt', '--exclude', 'casual,registered', '--epochs', '5', '--project', 'rentals'], { dataDir });
  expect(run.stderr + run.stdout).not.toMatch(/^error/m);
  expect(run.code).toBe(0);
});

describe('pilot drift VERSION', () => {
  it('--json: the columns against the training data, prediction drift, and the MAE against the registered one', () => {
    const shown = pilot(['models', 'show', 'rentals@1', '--json'], { dataDir });
    const registeredMae = (JSON.parse(shown.stdout) as { version: { testMetrics: { mae: number } } }).version.testMetrics.mae;

    const run = pilot(['drift', 'rentals@1', y2012, '--json'], { dataDir });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.rows).toEqual({ reference: 365, current: 366 });
    expect(report.columns.find((c: { name: string }) => c.name === 'yr')).toMatchObject({ test: 'z', drifted: true });
    // instant (the row number) was left out of training as identifier-like, so drift leaves it out too;
    // casual and registered were excluded by the user and are still compared.
    const names = report.columns.map((c: { name: string }) => c.name);
    expect(names).not.toContain('instant');
    expect(names).toEqual(expect.arrayContaining(['casual', 'registered', 'temp']));
    expect(report.labelDrift).toMatchObject({ name: 'cnt', drifted: true });
    // Trained on one year only, the model cannot see yr move, so its outputs may or may not shift:
    // check the KS statistic on its outputs against one computed here from pilot predict.
    expect(report.predictionDrift).toMatchObject({ name: 'prediction', test: 'ks', status: 'judged' });

    // The MAE of the same model on the same rows, from pilot predict's output.
    const predicted = (file: string) => {
      const out = join(dir, `predicted-${file.endsWith('2012.csv') ? 2012 : 2011}.csv`);
      expect(pilot(['predict', 'rentals@1', file, '--out', out], { dataDir }).code).toBe(0);
      const [header, ...lines] = readFileSync(out, 'utf8').trim().split('\n');
      const names = header!.split(',');
      return lines.map((l) => l.split(',')).map((cells) => ({ y: Number(cells[names.indexOf('cnt')]), p: Number(cells[names.indexOf('prediction')]) }));
    };
    const now = predicted(y2012);
    const before = predicted(y2011);
    const mae = now.reduce((s, r) => s + Math.abs(r.y - r.p), 0) / now.length;
    expect(report.predictionDrift.statistic).toBeCloseTo(ksStatistic(before.map((r) => r.p), now.map((r) => r.p)), 9);
    expect(report.performance.metric).toBe('mae');
    expect(report.performance.reference).toBeCloseTo(registeredMae, 9);
    expect(report.performance.current).toBeCloseTo(mae, 3);
    expect(report.performance.drop).toBeCloseTo(mae - registeredMae, 3);
    expect(report.summary).toMatch(/MAE rose from \d+ to \d+; retrain recommended\.$/);
  });

  it('drift history VERSION_ID lists the version\'s checks; an unknown version fails in one line', () => {
    const versions = JSON.parse(pilot(['models', 'list', '--json'], { dataDir }).stdout) as Array<{ id: number }>;
    const history = JSON.parse(pilot(['drift', 'history', String(versions[0]!.id), '--json'], { dataDir }).stdout) as Array<{ versionId: number }>;
    expect(history.length).toBeGreaterThan(0);
    expect(history.every((h) => h.versionId === versions[0]!.id)).toBe(true);
    const bad = pilot(['drift', 'rentals@7', y2012], { dataDir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/rentals has no version "7"/);
  });
});

/** Two-sample KS D = max |F₁(x) − F₂(x)| over all observed x, straight from the definition. */
function ksStatistic(a: number[], b: number[]): number {
  const cdf = (xs: number[], x: number) => xs.filter((v) => v <= x).length / xs.length;
  return Math.max(...[...a, ...b].map((x) => Math.abs(cdf(a, x) - cdf(b, x))));
}
