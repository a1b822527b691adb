/**
 * The bad input through `pilot train` on real files: each is refused with the engine's
 * message (exit 1), and nothing is lost: the file is unchanged, no model version or model folder
 * appears, and the run is recorded as failed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, pilot, tempDir } from '../helpers.js';
import { hourlyCounts } from '../workers/forecast/helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function csv(name: string, header: string[], rows: Array<Array<string | number>>): string {
  const path = join(dir, name);
  writeFileSync(path, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return path;
}

/** Trains with `args` on `file` and expects the refusal `message`, with nothing registered or written. */
function refused(file: string, args: string[], message: RegExp): void {
  const before = sha(file);
  const run = pilot(['train', file, ...args], { dataDir: dir });
  expect(run.stderr).toMatch(message);
  expect(run.code).toBe(1);
  expect(sha(file)).toBe(before);
  expect(JSON.parse(pilot(['models', 'list', '--json'], { dataDir: dir }).stdout)).toEqual([]);
  expect(existsSync(join(dir, 'models')) ? readdirSync(join(dir, 'models')) : []).toEqual([]);
}

describe('pilot train --kind forecast refuses bad input clearly and loses nothing', () => {
  it('unparseable and mixed time formats, 5 points, a horizon longer than the history, constant values', () => {
    const rows = hourlyCounts(400);
    const forecast = ['--kind', 'forecast', '--time', 'time', '--target', 'calls'];
    refused(
      csv(
        'soon.csv',
        ['time', 'calls'],
        rows.map(([t, v], i) => [i === 7 ? 'soon' : t, v]),
      ),
      forecast,
      /'soon' \(rows 8\)/,
    );
    const mixed = rows.map(([t, v], i) => [i % 50 === 3 ? `${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)} ${t.slice(11)}` : t, v]);
    refused(csv('mixed.csv', ['time', 'calls'], mixed), forecast, /mixes time formats/);
    refused(csv('five.csv', ['time', 'calls'], hourlyCounts(5)), [...forecast, '--horizon', '1'], /only 5 hourly point\(s\)/);
    refused(
      csv('short.csv', ['time', 'calls'], hourlyCounts(200)),
      [...forecast, '--horizon', '500'],
      /horizon \(500 hourly steps\) is longer than the history \(200 step/,
    );
    refused(
      csv(
        'flat.csv',
        ['time', 'calls'],
        hourlyCounts(600).map(([t]) => [t, 7]),
      ),
      forecast,
      /never change .*always 7/,
    );
    // Each refusal is a failed job with an input error (kept in the history of what was tried).
    const jobs = (
      JSON.parse(pilot(['jobs', 'list', '--json'], { dataDir: dir }).stdout) as Array<{ kind: string; status: string; error: { kind: string } | null }>
    ).filter((j) => j.kind === 'train.forecast');
    expect(jobs).toHaveLength(5);
    expect(jobs.every((j) => j.status === 'failed' && j.error?.kind === 'input')).toBe(true);
  }, 300_000);

  it('10,000 series of 3 points each', () => {
    const rows: Array<[string, string, number]> = [];
    for (let s = 0; s < 10_000; s++) for (const [t, v] of hourlyCounts(3, s)) rows.push([t, `shop${s}`, v]);
    refused(
      csv('shops.csv', ['time', 'shop', 'sales'], rows),
      ['--kind', 'forecast', '--time', 'time', '--target', 'sales', '--id', 'shop'],
      /All 10,000 series are too short.*leave out the id column/,
    );
  }, 120_000);
});

describe('pilot train --kind anomaly refuses a label without both classes', () => {
  it('no anomalies, or only anomalies', () => {
    const lines = readFileSync(fixture('anomaly/breast_cancer_anomaly.csv'), 'utf8').trim().split('\n');
    const benign = join(dir, 'benign.csv');
    writeFileSync(benign, [lines[0], ...lines.slice(1).filter((l) => l.endsWith(',benign'))].join('\n') + '\n');
    refused(benign, ['--kind', 'anomaly', '--label', 'diagnosis', '--normal', 'benign'], /marks no row as an anomaly/);
    const malignant = join(dir, 'malignant.csv');
    writeFileSync(malignant, [lines[0], ...lines.slice(1).filter((l) => l.endsWith(',malignant'))].join('\n') + '\n');
    refused(malignant, ['--kind', 'anomaly', '--label', 'diagnosis', '--normal', 'benign'], /No row of "diagnosis" has the value "benign"/);
  }, 120_000);
});
