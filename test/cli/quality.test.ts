/** `pilot quality` as a real process on the Adult census file: counts checked against the file itself, report reuse, --force, bad input. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');
const adult = fixture('adult.csv');

/** The reference: adult.csv read plainly (it has no quoted fields), independent of the engine. */
function reference() {
  const [header, ...lines] = readFileSync(adult, 'utf8').split(/\r?\n/u).filter((line) => line.trim() !== '');
  const names = header!.split(',');
  const rows = lines.map((line) => line.split(','));
  const col = (name: string) => names.indexOf(name);
  const positiveRate = (sex: string) => {
    const group = rows.filter((r) => r[col('sex')] === sex);
    return group.filter((r) => r[col('income')] === '>50K').length / group.length;
  };
  return {
    rows: rows.length,
    workclassMissing: rows.filter((r) => r[col('workclass')]!.trim() === '?').length,
    male: positiveRate('Male'),
    female: positiveRate('Female'),
  };
}

interface JsonReport {
  rows: number;
  duplicateRows: number;
  score: number;
  reportId: number;
  jobId: number | null;
  reused: boolean;
  columns: { name: string; type: string; count: number; missing: number; distinct: number; min: unknown; max: unknown; mean: unknown; std: unknown }[];
  alerts: { code: string; severity: string; column: string | null; message: string }[];
  bias: Record<string, { groups: { group: string; count: number; positiveRate: number }[]; disparateImpact: number; statisticalParityDifference: number; fourFifthsFailures: string[] }>;
}

const args = ['quality', adult, '--target', 'income', '--positive', '>50K', '--protected', 'sex,race', '--json'];
const qualityJobs = () => (JSON.parse(pilot(['jobs', 'list', '--json'], { dataDir }).stdout) as { kind: string }[]).filter((job) => job.kind === 'quality.score').length;

describe('pilot quality', () => {
  const ref = reference();
  let first: JsonReport;

  it('registers the file, scores it, and prints the documented JSON with counts that match the file', () => {
    const run = pilot([...args, '--html', join(dir, 'adult.html')], { dataDir });
    expect(run.stderr).not.toMatch(/pilot quality:/u);
    expect(run.code).toBe(0);
    first = JSON.parse(run.stdout) as JsonReport;
    expect(ref.rows).toBe(32_561);
    expect(first.rows).toBe(ref.rows);
    expect(first.reused).toBe(false);
    expect(first.score).toBeGreaterThanOrEqual(0);
    expect(first.score).toBeLessThanOrEqual(100);
    const workclass = first.columns.find((c) => c.name === 'workclass')!;
    expect(workclass.missing).toBe(ref.workclassMissing);
    expect(workclass.missing).toBe(1836);
    expect(Object.keys(workclass)).toEqual(expect.arrayContaining(['name', 'type', 'count', 'missing', 'distinct', 'min', 'max', 'mean', 'std']));
    expect(first.alerts.find((a) => a.code === 'MISSING' && a.column === 'workclass')).toMatchObject({ severity: expect.any(String), message: expect.any(String) });
    const sex = first.bias['sex']!;
    const rate = (g: string) => sex.groups.find((x) => x.group === g)!.positiveRate;
    expect(rate('Male')).toBeCloseTo(ref.male, 10);
    expect(rate('Female')).toBeCloseTo(ref.female, 10);
    expect(sex.disparateImpact).toBeCloseTo(ref.female / ref.male, 10);
    expect(sex.statisticalParityDifference).toBeCloseTo(ref.male - ref.female, 10);
    expect(sex.fourFifthsFailures).toEqual(['Female']);
    expect(readFileSync(join(dir, 'adult.html'), 'utf8')).toMatch(/^<!doctype html>/iu);
  });

  it('reuses the stored report on a second run (no new job) and recomputes with --force', () => {
    expect(qualityJobs()).toBe(1);
    const again = pilot(args, { dataDir });
    expect(again.code).toBe(0);
    const reused = JSON.parse(again.stdout) as JsonReport;
    expect(reused).toMatchObject({ reused: true, reportId: first.reportId, jobId: first.jobId, score: first.score });
    expect(again.stderr).toMatch(/--force computes again/u);
    expect(qualityJobs()).toBe(1);
    const forced = JSON.parse(pilot([...args, '--force'], { dataDir }).stdout) as JsonReport;
    expect(forced.reused).toBe(false);
    expect(forced.reportId).not.toBe(first.reportId);
    expect(forced.rows).toBe(ref.rows);
    expect(qualityJobs()).toBe(2);
  });

  it('prints a text summary with the breakdown and the four-fifths verdicts', () => {
    const run = pilot(['quality', adult, '--target', 'income', '--positive', '>50K', '--protected', 'sex,race'], { dataDir });
    expect(run.code).toBe(0);
    // The headline first, naming the worst finding; the four-fifths failures keep the score out of the green band.
    expect(run.stdout).toMatch(/^Check fairness before training: Positive outcomes of /u);
    expect(run.stdout).toMatch(/^Quality score 89\/100 \(capped: 9\d before, while a fairness alert stands\) — 32,561 rows × 15 columns/mu);
    expect(run.stdout).toMatch(/completeness \d+, uniqueness \d+, validity \d+, consistency \d+, balance \d+/u);
    expect(run.stdout).toMatch(/sex: disparate impact 0\.\d{3}, parity difference 0\.\d{3} — FAILS four-fifths for Female/u);
  });

  const errorLine = (run: { stderr: string }) => run.stderr.split('\n').filter((line) => line.startsWith('pilot quality:'));

  it('names the columns when the target or a protected column does not exist', () => {
    const target = pilot(['quality', fixture('iris.csv'), '--target', 'nope'], { dataDir });
    expect(target.code).toBe(1);
    expect(errorLine(target)).toHaveLength(1);
    expect(errorLine(target)[0]).toMatch(/target column "nope" is not in .*Its columns are: "sepal_length", "sepal_width", "petal_length", "petal_width", "species"/u);
    const attr = pilot(['quality', fixture('iris.csv'), '--target', 'species', '--positive', 'setosa', '--protected', 'colour'], { dataDir });
    expect(attr.code).toBe(1);
    expect(errorLine(attr)[0]).toMatch(/protected column "colour" is not in .*"species"/u);
  });

  it('says which values occur when the positive value never does', () => {
    const run = pilot(['quality', fixture('iris.csv'), '--target', 'species', '--positive', 'rose', '--protected', 'sepal_width'], { dataDir });
    expect(run.code).toBe(1);
    expect(errorLine(run)).toHaveLength(1);
    expect(errorLine(run)[0]).toMatch(/"rose" never occurs in "species".*"Iris-setosa"/u);
  });

  it('refuses an empty file and a binary file in one line', () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const binary = join(dir, 'binary.csv');
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 0xff, 0xfe, 0, 9, 0, 0]));
    for (const [file, pattern] of [
      [empty, /is empty/u],
      [binary, /binary file/u],
    ] as const) {
      const run = pilot(['quality', file], { dataDir });
      expect(run.code).toBe(1);
      expect(errorLine(run)).toHaveLength(1);
      expect(errorLine(run)[0]).toMatch(pattern);
    }
  });
});
