/**
 * checkDrift with a model version, in-process: a hand-made binary classifier (its predictions
 * computed here from its weights), the profile built on the first run, then read from a file.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { checkDrift, type DriftModel } from '../../../workers/drift/index.js';
import { BINARY, binaryArtifact } from '../evaluate/helpers.js';
import { tempDir, writeCsv } from './helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let model: DriftModel;

/** The classifier by hand: logit = 2x + [red] − [blue] − 0.5; "yes" when σ(logit) ≥ 0.5, i.e. logit ≥ 0. */
const predict = (x: number, color: string) => (2 * x + (color === 'red' ? BINARY.w[1]! : color === 'blue' ? BINARY.w[2]! : 0) + BINARY.b >= 0 ? 'yes' : 'no');
const colors = ['red', 'blue', 'green'];

beforeAll(async () => {
  model = { artifactDir: await binaryArtifact(dir), task: 'binary', target: 'y', testMetrics: { accuracy: 0.9, f1: 0.8 } };
});

describe('checkDrift with a model', () => {
  // Reference: x in [-1, 1), labelled by the model itself. Current: x moved up by 0.75, and every
  // fourth label flipped, so the accuracy is exactly 0.75 (computed below from the rows).
  const refRows = Array.from({ length: 300 }, (_, i) => {
    const x = -1 + (2 * i) / 300;
    const color = colors[i % 3]!;
    return [x, color, predict(x, color)];
  });
  const curRows = refRows.map(([x, color], i) => {
    const shifted = (x as number) + 0.75;
    const right = predict(shifted, color as string);
    return [shifted, color as string, i % 4 === 0 ? (right === 'yes' ? 'no' : 'yes') : right];
  });
  const reference = writeCsv(join(dir, 'ref.csv'), ['x', 'color', 'y'], refRows);
  const current = writeCsv(join(dir, 'cur.csv'), ['x', 'color', 'y'], curRows);

  it('profiles the model outputs on the reference, compares them, and measures accuracy against the registered value', async () => {
    const report = await checkDrift({ referencePath: reference, currentPath: current, model, options: { includeProfile: true } }, makeContext());
    const expected = curRows.filter(([x, color, y]) => predict(x as number, color as string) === y).length / curRows.length;
    expect(expected).toBe(0.75);
    expect(report.performance).toMatchObject({ metric: 'accuracy', reference: 0.9, current: 0.75, rows: 300, degraded: true });
    expect(report.performance?.drop).toBeCloseTo(0.15, 12);

    // The "yes" share of the model's outputs, by hand, on each side: a two-proportion Z test decides.
    const yesShare = (rows: (string | number)[][]) => rows.filter(([x, c]) => predict(x as number, c as string) === 'yes').length / rows.length;
    const [p1, p2] = [yesShare(refRows), yesShare(curRows)];
    const pooled = (p1 + p2) / 2;
    const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (2 / 300));
    expect(report.predictionDrift).toMatchObject({ name: 'prediction', test: 'z', drifted: true });
    expect(Math.abs(report.predictionDrift?.statistic ?? 0)).toBeCloseTo(Math.abs(z), 9);

    expect(report.labelDrift?.name).toBe('y');
    expect(report.columns.map((c) => c.name)).toEqual(['x', 'color']);
    expect(report.referenceProfile?.predictions?.kind).toBe('categorical');
    expect(report.summary).toMatch(/accuracy fell from 0\.90 to 0\.75; retrain recommended\.$/);

    // The same check from the cached profile's file gives the same verdicts without the reference file.
    const profilePath = join(dir, 'profile.json');
    writeFileSync(profilePath, JSON.stringify(report.referenceProfile));
    const cached = await checkDrift({ referenceProfilePath: profilePath, currentPath: current, model }, makeContext());
    expect(cached.predictionDrift?.statistic).toBe(report.predictionDrift?.statistic);
    expect(cached.columns).toEqual(report.columns);
    expect(cached.performance).toEqual(report.performance);
    expect(cached.referenceProfile).toBeUndefined();
  });

  it('does not judge performance on a handful of labelled rows, and says so', async () => {
    const few = writeCsv(join(dir, 'few.csv'), ['x', 'color', 'y'], curRows.slice(0, 5));
    const report = await checkDrift({ referencePath: reference, currentPath: few, model }, makeContext());
    expect(report.performance).toBeNull();
    expect(report.warnings).toContain("Only 5 labelled row(s): too few to judge the model's accuracy (at least 30 are needed).");
    expect(report.recommendation).not.toBe('retrain');
  });

  it('a damaged cached profile is refused with what to do', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, rows: 'many' }));
    await expect(checkDrift({ referenceProfilePath: bad, currentPath: current, model }, makeContext())).rejects.toThrow(/damaged\. Delete it and run the check again/);
  });
});
