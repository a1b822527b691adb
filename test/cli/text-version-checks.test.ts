/**
 * A text version checked after training, as real processes: `pilot evaluate VERSION FOLDER` on a
 * folder of class subfolders, and `pilot drift VERSION FILE|FOLDER`. Accuracies are checked
 * against the version's own predictions written by `pilot predict` (a different code path:
 * a CSV of predictions, compared here with the class folder of each file).
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextTrainOutcome } from '../../main/contract/text.js';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');
let version = 0;

beforeAll(() => {
  const run = pilot(['train', fixture('text/spamassassin-eml'), '--kind', 'text', '--epochs', '3', '--seed', '3', '--json'], { dataDir });
  expect(run.code, run.stderr).toBe(0);
  version = (JSON.parse(run.stdout) as TextTrainOutcome).modelVersionId;
}, 180_000);

describe('pilot evaluate VERSION FOLDER (text)', () => {
  it('scores a folder of class subfolders with the accuracy its predictions give, and warns about a folder that is not a class', () => {
    const folder = join(dir, 'eval');
    cpSync(fixture('text/spamassassin-eml'), folder, { recursive: true });
    mkdirSync(join(folder, 'newsletters'));
    writeFileSync(join(folder, 'newsletters', 'a.txt'), 'weekly digest of the team news');
    const out = join(dir, 'eval-predictions.csv');
    expect(pilot(['predict', String(version), fixture('text/spamassassin-eml'), '--out', out], { dataDir }).code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    const right = lines.filter((line) => line.split('/')[0] === line.split(',')[1]).length;

    const run = pilot(['evaluate', String(version), folder, '--json'], { dataDir });
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as { rows: { total: number; scored: number; unknownLabel: number }; metrics: { accuracy: number }; warnings: string[]; evaluationId: number };
    expect(r.rows).toMatchObject({ total: 81, scored: 80, unknownLabel: 1 });
    expect(r.metrics.accuracy).toBeCloseTo(right / 80, 10);
    expect(r.warnings.join(' ')).toMatch(/1 document\(s\) are in a subfolder that is not a class the model learned \(e\.g\. "newsletters"; its classes: ham, spam\)/);
    expect(r.evaluationId).toBeGreaterThan(0);
  }, 120_000);

  it('scores a folder holding one class only', () => {
    const folder = join(dir, 'only-spam');
    cpSync(join(fixture('text/spamassassin-eml'), 'spam'), join(folder, 'spam'), { recursive: true });
    const run = pilot(['evaluate', String(version), folder, '--json'], { dataDir });
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as { rows: { scored: number } };
    expect(r.rows.scored).toBe(40);
  }, 60_000);
});
