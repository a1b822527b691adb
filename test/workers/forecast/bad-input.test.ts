/** Input a forecast cannot be made from: each gets a UserInputError that says what to do, and nothing is written. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContext, UserInputError } from '../../../workers/protocol.js';
import { predictForecast } from '../../../workers/forecast/index.js';
import { trainInputSchema, trainModel } from '../../../workers/trainer/index.js';
import { fixture, hourlyCounts, tempDir, train, writeCsv } from './helpers.js';

async function refused(input: Parameters<typeof train>[0], message: RegExp): Promise<void> {
  const dataDir = tempDir();
  const error = await train(input, makeContext({ dataDir })).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserInputError);
  expect((error as Error).message).toMatch(message);
  expect(existsSync(join(dataDir, 'models'))).toBe(false);
}

describe('trainForecast refuses, clearly', () => {
  it('a time column with unparseable or mixed formats', async () => {
    const rows = hourlyCounts(400);
    const broken = rows.map(([t, v], i) => [i === 7 ? 'soon' : t, v]);
    await refused({ file: writeCsv(['time', 'calls'], broken), time: 'time', target: 'calls' }, /'soon' \(rows 8\)/);
    const mixed = rows.map(([t, v], i) => [i % 50 === 3 ? `${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)} ${t.slice(11)}` : t, v]);
    await refused({ file: writeCsv(['time', 'calls'], mixed), time: 'time', target: 'calls' }, /mixes time formats: 392 row\(s\) as ISO .*like .*\d\d\/01\/2024 .*rows 4, 54, 104/);
  });

  it('a series of 5 points', async () => {
    await refused({ file: writeCsv(['day', 'sales'], hourlyCounts(5).map(([t, v]) => [t, v])), time: 'day', target: 'sales', horizon: 1 }, /The series has only 5 hourly point\(s\).* needs at least \d+/);
  });

  it('a horizon longer than the history', async () => {
    await refused({ file: writeCsv(['time', 'calls'], hourlyCounts(200)), time: 'time', target: 'calls', horizon: 500 }, /horizon \(500 hourly steps\) is longer than the history \(200 step/);
  });

  it('all-constant values', async () => {
    await refused({ file: writeCsv(['time', 'calls'], hourlyCounts(600).map(([t]) => [t, 7])), time: 'time', target: 'calls' }, /never change .*always 7/);
  });

  it('10,000 series of 3 points each', async () => {
    const rows: Array<[string, string, number]> = [];
    for (let s = 0; s < 10_000; s++) for (const [t, v] of hourlyCounts(3, s)) rows.push([t, `shop${s}`, v]);
    await refused({ file: writeCsv(['time', 'shop', 'sales'], rows), time: 'time', target: 'sales', id: 'shop' }, /All 10,000 series are too short: the longest has 3 hourly point\(s\).*leave out the id column/);
  });

  it('a value column that is not numeric, and a missing column', async () => {
    const rows = hourlyCounts(300).map(([t, v], i) => [t, i === 4 ? 'n/a?' : v]);
    await refused({ file: writeCsv(['time', 'calls'], rows), time: 'time', target: 'calls' }, /must hold numbers.*'n\/a\?' \(row 5\)/);
    await refused({ file: writeCsv(['time', 'calls'], hourlyCounts(300)), time: 'when', target: 'calls' }, /no time column 'when'.*dteday\+hr/);
  });
});

describe('predictForecast refuses, clearly', () => {
  it('a horizon beyond the trained one, a too-short history, and a tabular model', async () => {
    const dataDir = tempDir();
    const file = writeCsv(['time', 'calls'], hourlyCounts(24 * 7 * 5));
    const r = await train({ file, time: 'time', target: 'calls', horizon: 4, lags: 24, epochs: 1 }, makeContext({ dataDir }));
    const out = join(tempDir(), 'out.csv');
    await expect(predictForecast(r.artifactDir, file, out, { horizon: 10 })).rejects.toThrow(/at most 4 step\(s\) ahead.*--horizon 10/);
    await expect(predictForecast(r.artifactDir, writeCsv(['time', 'calls'], hourlyCounts(10)), out)).rejects.toThrow(/needs the last 24 hourly value\(s\)/);
    expect(existsSync(out)).toBe(false);
    const tabular = await trainModel(trainInputSchema.parse({ file: fixture('iris.csv'), target: 'species', epochs: 1 }), makeContext({ dataDir }));
    await expect(predictForecast(tabular.artifactDir, file, out)).rejects.toThrow(/is not a forecasting model/);
  });
});
