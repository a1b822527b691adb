/**
 * Leakage for every kind of target, on the training rows: bike_day's `cnt = casual + registered`
 * (a numeric target), a control table without the leaking columns, and a class target with a
 * column recorded after the outcome. R² references: reference/leakage.py (pandas + scikit-learn),
 * output in reference/leakage.out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeContext, type JobContext } from '../../../workers/protocol.js';
import { numericLeaks } from '../../../workers/quality/numeric-leakage.js';
import { findLeaks } from '../../../workers/trainer/leakage.js';
import { trainInputSchema, trainModel as trainEngine, type TrainInputRaw } from '../../../workers/trainer/index.js';
import { fixture, tempDir, writeCsv } from './helpers.js';

/** The engine takes validated input (the worker entry parses it); tests write it short. */
const trainModel = (raw: TrainInputRaw, ctx: JobContext) => trainEngine(trainInputSchema.parse(raw), ctx);

function bikeDay(): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(fixture('bike_day.csv'), 'utf8').trim().split('\n');
  return { header: head!.split(','), rows: lines.map((l) => l.split(',')) };
}
const col = (t: { header: string[]; rows: string[][] }, name: string) => t.rows.map((r) => r[t.header.indexOf(name)]!);

describe('numeric leakage', () => {
  const t = bikeDay();
  const numeric = t.header.filter((h) => !['cnt', 'dteday', 'instant'].includes(h));
  const y = col(t, 'cnt').map(Number);
  const features = numeric.map((name) => ({ name, values: col(t, name).map(Number) }));

  it('finds cnt = casual + registered, and neither alone (scikit-learn: R² 0.4527 and 0.8940)', () => {
    const leaks = numericLeaks(y, features);
    expect(leaks).toEqual([{ columns: ['registered', 'casual'], formula: '"registered" + "casual"', r2: 1 }]);
    // The strongest other pair (workingday − registered, R² 0.8941) stays far below the limit.
    expect(numericLeaks(y, features.filter((f) => f.name !== 'casual'))).toEqual([]);
  });

  it('leaves out the leaking columns with the reason, and says nothing about a control table', () => {
    const cols = numeric.map((name) => ({ name, numeric: true, values: col(t, name) }));
    const leaks = findLeaks('regression', 'cnt', col(t, 'cnt'), cols);
    expect(leaks.map((l) => l.column).sort()).toEqual(['casual', 'registered']);
    expect(leaks[0]!.reason).toMatch(/^gives the answer away: "registered" \+ "casual" predicts "cnt" almost exactly \(R² 1\.0000/);
    expect(findLeaks('regression', 'cnt', col(t, 'cnt'), cols.filter((c) => c.name !== 'casual' && c.name !== 'registered'))).toEqual([]);
  });

  it('a class target: a column recorded after the outcome is caught; honest columns are not', () => {
    const rows = Array.from({ length: 300 }, (_, i) => [i % 7, (i * 13) % 5, i % 3 === 0 ? 'yes' : 'no']);
    const outcome = rows.map((r) => String(r[2]));
    const refunded = outcome.map((o, i) => (o === 'yes' ? (i % 50 === 0 ? 'no' : 'refund') : 'no'));
    const leaks = findLeaks('binary', 'churn', outcome, [
      { name: 'a', numeric: true, values: rows.map((r) => String(r[0])) },
      { name: 'b', numeric: true, values: rows.map((r) => String(r[1])) },
      { name: 'refunded', numeric: false, values: refunded },
    ]);
    expect(leaks.map((l) => l.column)).toEqual(['refunded']);
    expect(leaks[0]!.reason).toMatch(/names "churn" right in 99\.\d % of the training rows \(guessing the commonest class: 66\.7 %\)/);
  });
});

describe('the trainer on bike_day', () => {
  it('excludes casual and registered by default, so the model is honest (R² well below 1)', async () => {
    const r = await trainModel({ file: fixture('bike_day.csv'), target: 'cnt', epochs: 30, seed: 1 }, makeContext({ dataDir: tempDir() }));
    expect(r.excluded.filter((e) => e.reason.startsWith('gives the answer away')).map((e) => e.column).sort()).toEqual(['casual', 'registered']);
    expect(r.features).not.toContain('casual');
    expect(r.metrics).toHaveProperty('r2');
    expect(r.summary.network).toBeLessThan(0.99);
    // The user can bring them back (then the verdict calls the score suspiciously perfect).
    const back = await trainModel({ file: fixture('bike_day.csv'), target: 'cnt', epochs: 30, seed: 1, include: ['casual', 'registered'] }, makeContext({ dataDir: tempDir() }));
    expect(back.features).toEqual(expect.arrayContaining(['casual', 'registered']));
    expect(back.summary.linear).toBeGreaterThan(0.99);
  }, 60_000);

  it('a control table trains with no leak exclusion', async () => {
    const file = writeCsv(['x', 'z', 'y'], Array.from({ length: 200 }, (_, i) => [i % 10, (i * 7) % 11, ((i % 10) * 2 + ((i * 7) % 11) + (i % 3)).toString()]));
    const r = await trainModel({ file, target: 'y', task: 'regression', epochs: 5 }, makeContext({ dataDir: tempDir() }));
    expect(r.excluded).toEqual([]);
  }, 30_000);
});
