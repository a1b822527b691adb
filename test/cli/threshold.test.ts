/**
 * The operating threshold, end to end with real processes: a binary pilot trained on Pima, its
 * threshold set to 0.35 from the CLI, then `pilot predict` and `pilot evaluate` decide at it. The
 * expected labels and counts are computed here from the probabilities the prediction file holds,
 * independently of the code under test (count rows with P(positive) ≥ 0.35).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('pilot-threshold-');
afterAll(cleanup);
const dataDir = join(dir, 'home');
const pima = fixture('pima.csv');

const json = (args: string[]) => {
  const run = pilot([...args, '--json'], { dataDir });
  expect(run.stderr + run.stdout, run.stderr).not.toMatch(/^error/m);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
};

let versionId = 0;
beforeAll(() => {
  const trained = json(['train', pima, '--target', 'Outcome', '--epochs', '8', '--seed', '3', '--model', 'network', '--project', 'diabetes']);
  versionId = trained.modelVersionId;
}, 120_000);

describe('operating threshold', () => {
  it('is refused off the threshold table and for other values than numbers', () => {
    const off = pilot(['models', 'threshold', String(versionId), '0.33'], { dataDir });
    expect(off.code).not.toBe(0);
    expect(off.stderr).toMatch(/not in diabetes@1's threshold table.*0\.35/);
    expect(pilot(['models', 'threshold', String(versionId), 'low'], { dataDir }).code).toBe(2);
  });

  it('is stored with the version, recorded in its history, and used by predict and evaluate', () => {
    const set = json(['models', 'threshold', 'diabetes@1', '0.35', '--reason', 'catch 75 % of cases']);
    expect(set.version.threshold).toBeCloseTo(0.35, 12);
    expect(json(['models', 'show', 'diabetes@1']).version.threshold).toBeCloseTo(0.35, 12);
    const history = json(['models', 'history', 'diabetes', '--of', 'diabetes@1']).events as Array<{ action: string; reason: string }>;
    expect(history.find((e) => e.action === 'threshold')?.reason).toBe('0.50 → 0.35. catch 75 % of cases');

    const out = join(dir, 'scored.csv');
    json(['predict', 'diabetes@1', pima, '--out', out]);
    const rows = parse(readFileSync(out), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(768);
    const p = rows.map((r) => Number(r.probability_1));
    // Independent: the label must be "1" exactly when P(1) ≥ 0.35 (6 decimals in the file; skip rows within rounding of the line).
    const clear = rows.filter((_, i) => Math.abs(p[i]! - 0.35) > 1e-6);
    expect(clear.every((r) => (r.prediction === '1') === Number(r.probability_1) >= 0.35)).toBe(true);
    const between = rows.filter((r) => Number(r.probability_1) >= 0.35 && Number(r.probability_1) < 0.5);
    expect(between.length).toBeGreaterThan(0);
    expect(between.every((r) => r.prediction === '1')).toBe(true);

    // Evaluate on the same file: the confusion matrix counts rows as the threshold decides them.
    const evaluation = json(['evaluate', 'diabetes@1', pima]);
    const result = evaluation;
    expect(result.threshold).toBeCloseTo(0.35, 12);
    let tp = 0, fp = 0, fn = 0, tn = 0;
    rows.forEach((r, i) => {
      const called = p[i]! >= 0.35;
      const actual = r.Outcome === '1';
      if (called && actual) tp++;
      else if (called) fp++;
      else if (actual) fn++;
      else tn++;
    });
    const matrix = result.metrics.confusionMatrix.matrix as number[][];
    // Rows right at the line may fall either way after rounding to 6 decimals: allow that many.
    const near = rows.length - clear.length;
    expect(Math.abs(matrix[1]![1]! - tp)).toBeLessThanOrEqual(near);
    expect(Math.abs(matrix[0]![1]! - fp)).toBeLessThanOrEqual(near);
    expect(matrix[0]![0]! + matrix[0]![1]! + matrix[1]![0]! + matrix[1]![1]!).toBe(tp + fp + fn + tn);
  });

  it('goes back to the default', () => {
    expect(json(['models', 'threshold', 'diabetes@1', 'default']).version.threshold).toBeNull();
  });
});
