import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDrift, driftInputSchema } from '../../../workers/drift/index.js';
import type { DriftReport } from '../../../workers/drift/index.js';
import { CancelledError, makeContext, UserInputError } from '../../../workers/protocol.js';
import { normal, seeded, tempDir, writeCsv } from './helpers.js';

const dir = tempDir();

/** 200 rows: a numeric column, a three-way category and a 0/1 flag. */
function baseRows(seed: number, n = 200): (string | number)[][] {
  const random = seeded(seed);
  const gauss = normal(random);
  return Array.from({ length: n }, (_, i) => [(50 + 10 * gauss()).toFixed(3), ['red', 'green', 'blue'][i % 3] as string, i % 4 === 0 ? 1 : 0]);
}

const header = ['amount', 'colour', 'flag'];
const reference = writeCsv(join(dir, 'reference.csv'), header, baseRows(1));

async function run(current: string, options = {}): Promise<DriftReport> {
  return checkDrift({ referencePath: reference, currentPath: current, options }, makeContext());
}

describe('bad input', () => {
  it('identical files: nothing drifts, every statistic says "same"', async () => {
    const report = await run(reference);
    expect(report.driftedColumns).toBe(0);
    expect(report.datasetDrift).toBe(false);
    for (const c of report.columns) {
      expect(c.status).toBe('judged');
      expect(c.psi).toBeCloseTo(0, 12);
      expect(c.pValue).toBeCloseTo(1, 9);
      expect(c.statistic === null ? 0 : Math.abs(c.statistic)).toBeCloseTo(0, 12);
    }
    expect(report.recommendation).toBe('none');
    expect(report.summary).toMatch(/^None of 3 inputs shifted/);
    expect(report.files.current.sha256).toBe(createHash('sha256').update(readFileSync(reference)).digest('hex'));
    expect(report.files.reference).toEqual(report.files.current);
  });

  it('missing and extra columns are reported, not a crash', async () => {
    const rows = baseRows(2).map((r) => [r[0] as string, r[2] as number, 'x']);
    const report = await run(writeCsv(join(dir, 'cols.csv'), ['amount', 'flag', 'note'], rows));
    expect(report.missingColumns).toEqual(['colour']);
    expect(report.extraColumns).toEqual(['note']);
    expect(report.columns.map((c) => c.name)).toEqual(['amount', 'flag']);
    expect(report.summary).toContain('missing from the new file: colour');
  });

  it('a numeric column that became text is reported as a type change and counts as drift', async () => {
    const rows = baseRows(3).map((r, i) => [`EUR ${r[0]}`, r[1] as string, i % 4 === 0 ? 1 : 0]);
    const report = await run(writeCsv(join(dir, 'type.csv'), header, rows));
    const amount = report.columns.find((c) => c.name === 'amount')!;
    expect(amount.status).toBe('type-changed');
    expect(amount.drifted).toBe(true);
    expect(amount.explanation).toMatch(/200 of 200 current values are text \(e\.g\. "EUR /);
    expect(report.summary).toMatch(/the largest in amount \(its type changed\)/);
  });

  it('a few stray text cells in a numeric column are ignored and mentioned', async () => {
    const rows = baseRows(4);
    rows[5]![0] = 'n.a.';
    const amount = (await run(writeCsv(join(dir, 'stray.csv'), header, rows))).columns.find((c) => c.name === 'amount')!;
    expect(amount.status).toBe('judged');
    expect(amount.current.count).toBe(199);
    expect(amount.explanation).toContain('1 non-numeric current value(s) were ignored');
  });

  it('a 3-row file: each test says it cannot judge', async () => {
    const report = await run(writeCsv(join(dir, 'three.csv'), header, baseRows(5, 3)));
    expect(report.judgedColumns).toBe(0);
    expect(report.datasetDrift).toBe(false);
    expect(report.recommendation).toBe('unknown');
    for (const c of report.columns) {
      expect(c.status).toBe('insufficient-data');
      expect(c.drifted).toBe(false);
      expect(c.pValue).toBeNull();
      expect(c.explanation).toMatch(/Cannot judge: the current file has 3 non-missing values; at least 30/);
    }
  });

  it('a header-only current file says so', async () => {
    const report = await run(writeCsv(join(dir, 'header-only.csv'), header, []));
    expect(report.rows.current).toBe(0);
    expect(report.summary).toMatch(/^The current file has no data rows, only a header; .*check the files and run again\.$/);
  });

  it('an emptied category is named, and a wholly empty column cannot be judged', async () => {
    const rows = baseRows(6).map((r) => [r[0] as string, r[1] === 'blue' ? 'red' : (r[1] as string), '']);
    const report = await run(writeCsv(join(dir, 'empty-cat.csv'), header, rows));
    const colour = report.columns.find((c) => c.name === 'colour')!;
    expect(colour.test).toBe('chi-squared');
    expect(colour.drifted).toBe(true);
    expect(colour.explanation).toContain('Categories now empty: "blue"');
    const flag = report.columns.find((c) => c.name === 'flag')!;
    expect(flag.status).toBe('insufficient-data');
    expect(flag.current).toEqual({ count: 0, missing: 200 });
  });

  it('a shifted numeric column drifts; a new category is named', async () => {
    const rows = baseRows(7).map((r, i) => [(Number(r[0]) + 8).toFixed(3), i % 10 === 0 ? 'purple' : (r[1] as string), r[2] as number]);
    const report = await run(writeCsv(join(dir, 'shift.csv'), header, rows));
    expect(report.columns.find((c) => c.name === 'amount')!.drifted).toBe(true);
    expect(report.columns.find((c) => c.name === 'colour')!.explanation).toContain('New categories: "purple"');
  });

  it('text categories that became numbers are a type change', async () => {
    const rows = baseRows(8).map((r, i) => [r[0] as string, String(i % 3), r[2] as number]);
    const colour = (await run(writeCsv(join(dir, 'codes.csv'), header, rows))).columns.find((c) => c.name === 'colour')!;
    expect(colour.status).toBe('type-changed');
    expect(colour.drifted).toBe(true);
    expect(colour.explanation).toMatch(/text categories in the reference .* only numbers now/);
  });

  it('reports progress from 0 to 1, in order', async () => {
    const ctx = makeContext();
    await checkDrift({ referencePath: reference, currentPath: reference }, ctx);
    const fractions = ctx.reports.map((r) => r.fraction);
    expect(fractions.length).toBeGreaterThan(3);
    expect(fractions.every((f, i) => i === 0 || f >= (fractions[i - 1] as number))).toBe(true);
    expect(fractions.at(-1)).toBe(1);
  });

  it('missing, empty and binary files give a UserInputError that says what to do', async () => {
    await expect(run(join(dir, 'nope.csv'))).rejects.toThrow(UserInputError);
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    await expect(run(empty)).rejects.toThrow(/empty/);
    const binary = join(dir, 'binary.csv');
    writeFileSync(binary, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3]));
    await expect(run(binary)).rejects.toThrow(/binary/);
  });

  it('a column asked for that the reference lacks is refused', async () => {
    await expect(run(reference, { columns: ['amount', 'price'] })).rejects.toThrow(/not in the reference: price/);
  });

  it('cancellation stops the job with CancelledError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(checkDrift({ referencePath: reference, currentPath: reference }, makeContext({ signal: controller.signal }))).rejects.toThrow(
      CancelledError,
    );
  });

  it('cancelling while the current file is being read stops at the next chunk', async () => {
    const big = writeCsv(join(dir, 'big.csv'), header, Array.from({ length: 120_000 }, (_, i) => [i % 100, 'red', i % 2]));
    const controller = new AbortController();
    const ctx = makeContext({ signal: controller.signal });
    const progress = ctx.progress;
    ctx.progress = (report) => {
      progress(report);
      if (report.stage === 'Reading the current file' && report.fraction > 0.45) controller.abort();
    };
    await expect(checkDrift({ referencePath: reference, currentPath: big }, ctx)).rejects.toThrow(CancelledError);
    expect(ctx.reports.at(-1)!.fraction).toBeLessThan(0.9);
  });

  it('only the columns asked for are compared', async () => {
    const report = await run(reference, { columns: ['flag'] });
    expect(report.columns.map((c) => c.name)).toEqual(['flag']);
    expect(report.missingColumns).toEqual([]);
  });

  it('the input schema wants exactly one of referencePath and referenceProfile', () => {
    expect(driftInputSchema.safeParse({ currentPath: 'a.csv', referencePath: 'b.csv' }).success).toBe(true);
    expect(driftInputSchema.safeParse({ currentPath: 'a.csv' }).success).toBe(false);
    expect(driftInputSchema.safeParse({ currentPath: 'a.csv', referencePath: 'b.csv', options: { driftShare: 2 } }).success).toBe(false);
  });
});
