/** `pilot drift` as a real process: the bike-sharing years as a drift case, JSON shape, HTML file, errors. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');

function splitYears(): [string, string] {
  const [header, ...rows] = readFileSync(fixture('bike_day.csv'), 'utf8').trim().split('\n');
  const yr = header!.split(',').indexOf('yr');
  const write = (name: string, year: string) => {
    const path = join(dir, name);
    writeFileSync(path, [header, ...rows.filter((r) => r.split(',')[yr] === year)].join('\n'));
    return path;
  };
  return [write('2011.csv', '0'), write('2012.csv', '1')];
}

describe('pilot drift', () => {
  const [y2011, y2012] = splitYears();

  it('prints the summary and a table; cnt and registered drift between 2011 and 2012', () => {
    const run = pilot(['drift', y2011, y2012, '--ignore', 'instant,dteday,yr'], { dataDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^4 of 13 inputs shifted, the largest in registered/);
    expect(run.stdout).toMatch(/registered\s+ks\s+0\.615\s+2\.6e-65\s+1\.881\s+yes/);
    expect(run.stdout).toMatch(/temp\s+ks\s+0\.072\s+0\.292\s+0\.104\s+no/);
  });

  it('--json prints the documented shape and --html writes a standalone page', () => {
    const html = join(dir, 'report.html');
    const run = pilot(['drift', y2011, y2012, '--json', '--html', html], { dataDir });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ datasetDrift: false, predictionDrift: null, performance: null, missingColumns: [], extraColumns: [] });
    const cnt = report.columns.find((c: { name: string }) => c.name === 'cnt');
    expect(cnt).toMatchObject({ name: 'cnt', test: 'ks', drifted: true });
    for (const key of ['statistic', 'pValue', 'psi', 'explanation']) expect(cnt).toHaveProperty(key);
    expect(typeof report.driftShare).toBe('number');
    expect(readFileSync(html, 'utf8')).toContain(report.summary);
  });

  it('stores each check: drift history lists them, drift show prints one again', () => {
    const history = JSON.parse(pilot(['drift', 'history', '--json'], { dataDir }).stdout);
    expect(history.length).toBe(2);
    expect(history[0]).toMatchObject({ versionId: null, currentPath: y2012, datasetDrift: false });
    expect(history[0].summary).toMatch(/inputs shifted/);
    expect(pilot(['drift', 'history'], { dataDir }).stdout).toMatch(/2012\.csv\s+0\.\d\d\s+no\s+watch/);
    const show = pilot(['drift', 'show', String(history[1].id)], { dataDir });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^4 of 13 inputs shifted, the largest in registered/);
    expect(pilot(['drift', 'show', '999'], { dataDir }).code).toBe(1);
  });

  it('a missing current file fails in one line that says what to do', () => {
    const run = pilot(['drift', y2011, join(dir, 'nope.csv')], { dataDir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^pilot drift: File not found: .*nope\.csv\. Check the path/m);
  });

  it('wrong usage exits 2', () => {
    expect(pilot(['drift', y2011], { dataDir }).code).toBe(2);
    expect(pilot(['drift', y2011, y2012, '--drift-share', 'lots'], { dataDir }).code).toBe(2);
  });
});
