import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { scoreQuality, type QualityReport } from '../../../workers/quality/index.js';

const ADULT = 'test/fixtures/adult.csv';
const COMPAS = 'test/fixtures/compas-scores-two-years.csv';

/** Plain statistics, computed the obvious way. */
function plain(xs: number[]) {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const sorted = xs.slice().sort((a, b) => a - b);
  return { mean, std, sorted, min: sorted[0]!, max: sorted[n - 1]! };
}
const rankOf = (sorted: number[], x: number) => sorted.filter((v) => v <= x).length / sorted.length;
const rankBelow = (sorted: number[], x: number) => sorted.filter((v) => v < x).length / sorted.length;

describe('Adult census income', () => {
  let report: QualityReport;
  const records = parse(readFileSync(ADULT), { columns: true }) as Record<string, string>[];
  beforeAll(async () => {
    report = await scoreQuality({ path: ADULT, target: 'income', positive: '>50K', protected: ['sex', 'race'] }, makeContext());
  });
  const col = (name: string) => report.columns.find((c) => c.name === name)!;

  it('reproduces the documented missing counts ("?" in adult.data)', () => {
    expect(report.rows).toBe(32561);
    expect(col('workclass').missing).toBe(1836);
    expect(col('occupation').missing).toBe(1843);
    expect(col('native-country').missing).toBe(583);
    expect(col('native-country').missingMarkers).toEqual({ '?': 583 });
    expect(report.alerts.some((a) => a.code === 'MISSING' && a.column === 'workclass')).toBe(true);
  });

  it('matches plain mean, std, min, max and (within the sketch error) quantiles', () => {
    for (const name of ['age', 'fnlwgt', 'hours-per-week', 'capital-gain']) {
      const p = plain(records.map((r) => Number(r[name])));
      const c = col(name);
      expect(c.type).toBe('integer');
      expect(c.mean!).toBeCloseTo(p.mean, 8);
      expect(c.std!).toBeCloseTo(p.std, 6);
      expect(c.min).toBe(p.min);
      expect(c.max).toBe(p.max);
      const q = c.quantiles!;
      for (const [k, v] of Object.entries({ p5: 0.05, p25: 0.25, p50: 0.5, p75: 0.75, p95: 0.95 })) {
        // The returned value's rank interval must come within 1 % of the asked rank (ties make intervals).
        const value = q[k as keyof typeof q];
        expect(rankBelow(p.sorted, value)).toBeLessThanOrEqual(v + 0.01);
        expect(rankOf(p.sorted, value)).toBeGreaterThanOrEqual(v - 0.01);
      }
    }
  });

  it('counts exact duplicate rows as extra copies, like pandas duplicated().sum()', () => {
    const lines = readFileSync(ADULT, 'utf8').split('\n').slice(1).filter((l) => l !== '');
    expect(report.duplicateRows).toBe(lines.length - new Set(lines).size);
  });

  it('computes positive rates per group, the four-fifths rule and intersections from plain counts', () => {
    const rate = (sex: string) => {
      const g = records.filter((r) => r.sex === sex);
      return g.filter((r) => r.income === '>50K').length / g.length;
    };
    const sex = report.bias!.sex!;
    const female = sex.groups.find((g) => g.group === 'Female')!;
    const male = sex.groups.find((g) => g.group === 'Male')!;
    expect(female.positiveRate!).toBeCloseTo(rate('Female'), 12);
    expect(male.positiveRate!).toBeCloseTo(rate('Male'), 12);
    expect(sex.mostFavoured).toBe('Male');
    expect(sex.disparateImpact!).toBeCloseTo(rate('Female') / rate('Male'), 12);
    expect(sex.statisticalParityDifference!).toBeCloseTo(rate('Male') - rate('Female'), 12);
    expect(sex.fourFifthsFailures).toEqual(['Female']);
    expect(female.positiveRateInterval![0]).toBeLessThan(rate('Female'));
    expect(female.positiveRateInterval![1]).toBeGreaterThan(rate('Female'));
    const both = report.bias!['sex × race']!;
    const ff = both.groups.find((g) => g.group === 'Female × Other')!;
    expect(ff.count).toBe(records.filter((r) => r.sex === 'Female' && r.race === 'Other').length);
    expect(report.target!.classes.map((c) => c.value)).toEqual(['<=50K', '>50K']);
    expect(report.alerts.some((a) => a.code === 'DISPARATE_IMPACT' && a.column === 'sex')).toBe(true);
    expect(report.score).toBeGreaterThan(0);
    expect(report.score).toBeLessThanOrEqual(100);
  });
});

describe('COMPAS (ProPublica)', () => {
  it('reproduces ProPublica\'s error rates by race for decile_score ≥ 5 and a plain computation', async () => {
    const report = await scoreQuality(
      { path: COMPAS, target: 'two_year_recid', positive: '1', protected: ['race'], prediction: 'decile_score', threshold: 5 },
      makeContext(),
    );
    // The header repeats decile_score and priors_count: renamed with a suffix, with a warning.
    const names = report.columns.map((c) => c.name);
    expect(names).toContain('decile_score_2');
    expect(names).toContain('priors_count_2');
    expect(report.warnings.some((w) => w.includes('decile_score'))).toBe(true);

    const rows = parse(readFileSync(COMPAS), { columns: false, from_line: 2 }) as string[][];
    const header = (parse(readFileSync(COMPAS), { to_line: 1 }) as string[][])[0]!;
    const [iRace, iScore, iRecid] = [header.indexOf('race'), header.indexOf('decile_score'), header.indexOf('two_year_recid')];
    const plainRates = (race: string) => {
      const g = rows.filter((r) => r[iRace] === race);
      const pos = (r: string[]) => Number(r[iScore]) >= 5;
      const y = (r: string[]) => r[iRecid] === '1';
      return {
        fpr: g.filter((r) => pos(r) && !y(r)).length / g.filter((r) => !y(r)).length,
        fnr: g.filter((r) => !pos(r) && y(r)).length / g.filter((r) => y(r)).length,
      };
    };
    const race = report.bias!.race!;
    const aa = race.groups.find((g) => g.group === 'African-American')!;
    const w = race.groups.find((g) => g.group === 'Caucasian')!;
    expect(aa.fpr!).toBeCloseTo(plainRates('African-American').fpr, 12);
    expect(aa.fnr!).toBeCloseTo(plainRates('African-American').fnr, 12);
    expect(w.fpr!).toBeCloseTo(plainRates('Caucasian').fpr, 12);
    expect(w.fnr!).toBeCloseTo(plainRates('Caucasian').fnr, 12);
    // ProPublica, "How We Analyzed the COMPAS Recidivism Algorithm" (2016): 44.85 %, 23.45 %, 27.99 %, 47.72 %.
    expect(aa.fpr!).toBeCloseTo(0.4485, 3);
    expect(w.fpr!).toBeCloseTo(0.2345, 3);
    expect(aa.fnr!).toBeCloseTo(0.2799, 3);
    expect(w.fnr!).toBeCloseTo(0.4772, 3);
    expect(aa.tpr! + aa.fnr!).toBeCloseTo(1, 12);
    // Small groups (Native American: 18 rows) are reported but not judged.
    const native = race.groups.find((g) => g.group === 'Native American')!;
    expect(native.judged).toBe(false);
    expect(native.disparateImpact).toBeNull();
    const judged = race.groups.filter((g) => g.judged);
    const tprs = judged.map((g) => g.tpr!);
    const fprs = judged.map((g) => g.fpr!);
    expect(race.equalOpportunityDifference!).toBeCloseTo(Math.max(...tprs) - Math.min(...tprs), 12);
    expect(race.equalizedOddsDifference!).toBeCloseTo(Math.max(Math.max(...tprs) - Math.min(...tprs), Math.max(...fprs) - Math.min(...fprs)), 12);
    expect(report.alerts.some((a) => a.code === 'EQUALIZED_ODDS')).toBe(true);
    expect(report.columns.find((c) => c.name === 'id')!.type).toBe('identifier');
  });
});

describe('Pima diabetes', () => {
  it('flags zeros that stand for missing values, not zeros that are real', async () => {
    const report = await scoreQuality({ path: 'test/fixtures/pima.csv', header: true }, makeContext());
    const flagged = report.columns.filter((c) => c.flags.suspiciousZeros).map((c) => c.name);
    const names = report.columns.map((c) => c.name);
    // Documented: zeros in glucose (col 2), blood pressure (3), skin thickness (4), insulin (5), BMI (6) mean missing.
    for (const i of [1, 2, 3, 4, 5]) expect(flagged).toContain(names[i]);
    expect(flagged).not.toContain(names[0]); // pregnancies: zero is a real count
  });
});
