import { describe, expect, it } from 'vitest';
import { checkDrift } from '../../../workers/drift/index.js';
import type { ColumnDrift, DriftReport } from '../../../workers/drift/index.js';
import { makeContext } from '../../../workers/protocol.js';
import { numbers, readFixture, seeded, splitBy, tempDir, writeCsv } from './helpers.js';
import { join } from 'node:path';

// Bike sharing, 2011 (yr = 0) vs 2012 (yr = 1): ridership grew a lot, the weather did not.
// Reference values marked "scipy" were computed once with scipy 1.17.1 on the same split.

const ignore = ['instant', 'dteday', 'yr'];

function column(report: DriftReport, name: string): ColumnDrift {
  const c = report.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

/** PSI as written in the brief, independently: numpy-linear deciles of the reference, right-closed bins, 0.0001 floor. */
function referencePsi(reference: number[], current: number[]): number {
  const r = [...reference].sort((a, b) => a - b);
  const q = (p: number): number => {
    const h = (r.length - 1) * p;
    const lo = Math.floor(h);
    return (r[lo] as number) + (h - lo) * ((r[Math.min(lo + 1, r.length - 1)] as number) - (r[lo] as number));
  };
  const edges = [...new Set([1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => q(k / 10)))];
  const bin = (x: number): number => {
    const i = edges.findIndex((e) => x <= e);
    return i === -1 ? edges.length : i;
  };
  const share = (xs: number[]): number[] => {
    const s = new Array<number>(edges.length + 1).fill(0);
    for (const x of xs) s[bin(x)]! += 1 / xs.length;
    return s;
  };
  const rs = share(reference);
  const cs = share(current);
  return rs.reduce((acc, rv, i) => {
    const a = Math.max(rv, 1e-4);
    const b = Math.max(cs[i] as number, 1e-4);
    return acc + (b - a) * Math.log(b / a);
  }, 0);
}

describe('bike_day: 2011 vs 2012 (365 vs 366 rows: hypothesis tests)', () => {
  const dir = tempDir();
  const [y2011, y2012] = splitBy(dir, 'bike_day.csv', 'yr', '0', '1');

  it('finds drift in cnt and registered with KS p-values equal to scipy ks_2samp', async () => {
    const report = await checkDrift({ referencePath: y2011, currentPath: y2012, options: { ignoreColumns: ignore } }, makeContext());
    const cnt = column(report, 'cnt');
    expect(cnt.test).toBe('ks');
    expect(cnt.pValueMethod).toBe('exact');
    expect(cnt.statistic).toBeCloseTo(0.5982334007036455, 12); // scipy ks_2samp(cnt_2011, cnt_2012)
    expect(cnt.pValue! / 1.2227145356813115e-61).toBeCloseTo(1, 6);
    expect(cnt.drifted).toBe(true);
    const registered = column(report, 'registered');
    expect(registered.statistic).toBeCloseTo(0.6146867280485067, 12);
    expect(registered.pValue! / 2.569118219895175e-65).toBeCloseTo(1, 6);
    const hum = column(report, 'hum');
    expect(hum.pValue).toBeCloseTo(0.009282277053665076, 10);
    const temp = column(report, 'temp');
    expect(temp.pValue).toBeCloseTo(0.2917972124761999, 10);
    expect(temp.drifted).toBe(false);
    // weathersit has 3 values: chi-squared; scipy chi2_contingency(table, correction=False).
    const weather = column(report, 'weathersit');
    expect(weather.test).toBe('chi-squared');
    expect(weather.statistic).toBeCloseTo(4.121170256288819, 10);
    expect(weather.pValue).toBeCloseTo(0.12737941480418666, 10);
    // Binary flags: two-proportion Z.
    expect(column(report, 'holiday').test).toBe('z');
    expect(column(report, 'workingday').drifted).toBe(false);

    const { header, rows } = readFixture('bike_day.csv');
    const yr = header.indexOf('yr');
    const ref = rows.filter((r) => r[yr] === '0');
    const cur = rows.filter((r) => r[yr] === '1');
    expect(cnt.psi).toBeCloseTo(referencePsi(numbers(header, ref, 'cnt'), numbers(header, cur, 'cnt')), 12);
    expect(temp.psi).toBeCloseTo(referencePsi(numbers(header, ref, 'temp'), numbers(header, cur, 'temp')), 12);
    expect(cnt.psiBand).toBe('significant');

    // Drifted: hum, casual, registered, cnt — 4 of 13.
    expect(report.driftedColumns).toBe(4);
    expect(report.judgedColumns).toBe(13);
    expect(report.driftShare).toBeCloseTo(4 / 13, 15);
    expect(report.datasetDrift).toBe(false);
    expect(report.summary).toMatch(/^4 of 13 inputs shifted, the largest in registered/);
    expect(cnt.explanation).toMatch(/365 values \(≤ 1,000\).*Kolmogorov–Smirnov/);
  });

  it('random halves of 2011 (seeded) show no dataset drift and no drift in cnt or registered', async () => {
    const { header, rows } = readFixture('bike_day.csv');
    const yr = header.indexOf('yr');
    const random = seeded(20110101);
    const a: string[][] = [];
    const b: string[][] = [];
    for (const r of rows.filter((x) => x[yr] === '0')) (random() < 0.5 ? a : b).push(r);
    const report = await checkDrift(
      { referencePath: writeCsv(join(dir, 'a.csv'), header, a), currentPath: writeCsv(join(dir, 'b.csv'), header, b), options: { ignoreColumns: ignore } },
      makeContext(),
    );
    expect(report.datasetDrift).toBe(false);
    expect(report.driftedColumns).toBe(0);
    expect(column(report, 'cnt').drifted).toBe(false);
    expect(report.recommendation).toBe('none');
  });
});

describe('bike_hour: 2011 vs 2012 (8,645 vs 8,734 rows: distances)', () => {
  const dir = tempDir();
  const [y2011, y2012] = splitBy(dir, 'bike_hour.csv', 'yr', '0', '1');

  it('normed Wasserstein and Jensen–Shannon equal scipy, and cnt/registered drift', async () => {
    const report = await checkDrift({ referencePath: y2011, currentPath: y2012, options: { ignoreColumns: ignore } }, makeContext());
    // scipy: wasserstein_distance(a, b) / max(np.std(a), 0.001)
    const expected: [string, number, boolean][] = [
      ['cnt', 0.6792124618131067, true],
      ['registered', 0.7015938689881529, true],
      ['temp', 0.08060747513380068, false],
      ['hum', 0.17133124878087005, true],
      ['hr', 0.007741707335885433, false],
    ];
    for (const [name, w, drifted] of expected) {
      const c = column(report, name);
      expect(c.test).toBe('wasserstein');
      expect(c.statistic! / w).toBeCloseTo(1, 6);
      expect(c.drifted).toBe(drifted);
    }
    // scipy.spatial.distance.jensenshannon(counts_2011, counts_2012) over the category values.
    expect(column(report, 'weathersit').test).toBe('jensen-shannon');
    expect(column(report, 'weathersit').statistic).toBeCloseTo(0.022889013803375078, 12);
    expect(column(report, 'season').statistic).toBeCloseTo(0.00857968686020407, 12);
    expect(column(report, 'cnt').overlay?.kind).toBe('histogram');
  });

  it('random halves of 2011 (seeded) drift in no column', async () => {
    const { header, rows } = readFixture('bike_hour.csv');
    const yr = header.indexOf('yr');
    const random = seeded(7);
    const a: string[][] = [];
    const b: string[][] = [];
    for (const r of rows.filter((x) => x[yr] === '0')) (random() < 0.5 ? a : b).push(r);
    const report = await checkDrift(
      { referencePath: writeCsv(join(dir, 'a.csv'), header, a), currentPath: writeCsv(join(dir, 'b.csv'), header, b), options: { ignoreColumns: ['yr'] } },
      makeContext(),
    );
    expect(report.driftedColumns).toBe(0);
    expect(report.datasetDrift).toBe(false);
    for (const c of report.columns) if (c.psi !== null) expect(c.psi).toBeLessThan(0.1);
  });
});
