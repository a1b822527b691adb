import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContext, UserInputError } from '../../../workers/protocol.js';
import { scoreQuality, type QualityReport } from '../../../workers/quality/index.js';

// Two worker threads reading byte ranges must give the one-thread report: every count, value
// table, type, alert and duplicate exactly; sums (mean, std, skew, correlations) up to rounding.
// The fixtures are the files where a split can go wrong: quoted fields holding line breaks (the
// seams fall inside them), CRLF, duplicate rows far apart, a file smaller than one read, a header only.

const outDir = resolve('.tmp/quality-thread-fixtures');
const dir = mkdtempSync(join(tmpdir(), 'quality-thread-fixtures-'));

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { 'quality-thread': 'workers/quality/thread.ts' },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  process.env.PILOT_QUALITY_THREAD = join(outDir, 'quality-thread.mjs');
});
afterAll(() => {
  delete process.env.PILOT_QUALITY_THREAD;
});

const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const oneThread = (path: string) => scoreQuality({ path, threads: 1 }, makeContext());
/** Two threads, the file forced into several ranges whatever its size. */
const twoThreads = (path: string, ranges = 5) => scoreQuality({ path, threads: 2, ranges }, makeContext());

/** Paths where the two reports differ: numbers beyond rounding (relative 1e-9), anything else at all. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)) ? [] : [`${path}: ${a} ≠ ${b}`];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${path}: ${a.length} items ≠ ${b.length}`];
    return a.flatMap((x, i) => differences(x, b[i], `${path}[${i}]`));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return Object.is(a, b) ? [] : [`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`];
}
const comparable = (r: QualityReport) => ({ ...r, elapsedMs: 0 });

function expectSame(one: QualityReport, two: QualityReport): void {
  expect(differences(comparable(one), comparable(two))).toEqual([]);
}

describe('two threads give the one-thread report', () => {
  it('quoted fields with line breaks (seams inside them), CRLF, duplicates across ranges, missing markers', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 4000; i++) {
      // Most line breaks are inside quotes: a nominal seam almost always falls in a quoted field.
      const note = `"line one ${i % 97}\r\nline two, ""quoted""\nline three ${i % 13}"`;
      rows.push(`${i % 3500},${note},${i % 7 === 0 ? 'NA' : ((i * 37) % 101) + 0.25},c${i % 11},${i % 2 ? 'yes' : 'no'}`);
    }
    // Exact copies of early rows at the end: found only if hashes from different ranges meet.
    for (let i = 0; i < 50; i++) rows.push(rows[i * 3]!);
    const path = write('quoted.csv', `id,note,value,cat,flag\r\n${rows.join('\r\n')}\r\n`);
    const one = await oneThread(path);
    const two = await twoThreads(path, 7);
    expect(one.rows).toBe(4050);
    expect(one.duplicateRows).toBe(4050 - new Set(rows).size);
    expect(one.duplicateRows).toBeGreaterThanOrEqual(50);
    expect(one.columns.map((c) => c.name)).toEqual(['id', 'note', 'value', 'cat', 'flag']);
    expect(one.columns[2]!.missing).toBe(rows.filter((r) => r.split(',').at(-3) === 'NA').length);
    expectSame(one, two);
  });

  it('a file smaller than one read, split into more ranges than it has rows', async () => {
    const path = write('tiny.csv', 'a,b,c\n1,x,2.5\n2,y,\n1,x,2.5\n');
    const one = await oneThread(path);
    const two = await twoThreads(path, 8);
    expect([one.rows, one.duplicateRows]).toEqual([3, 1]);
    expectSame(one, two);
  });

  it('a wide mix of kinds past the exact-distinct table on no column, LF endings and a final line without one', async () => {
    const lines = ['id,amount,when,city,email,comment'];
    for (let i = 0; i < 9000; i++) {
      const day = String(1 + (i % 28)).padStart(2, '0');
      lines.push(`${i},${((i * 7919) % 5003) / 4 - 300},2024-03-${day} 10:${String(i % 60).padStart(2, '0')}:00,City ${i % 40},${i % 50 === 0 ? `user${i % 9}@example.org` : ''},"A comment, ${i % 300} words long for row ${i % 500}"`);
    }
    const path = write('mix.csv', lines.join('\n'));
    const one = await oneThread(path);
    const two = await twoThreads(path, 6);
    expect(one.rows).toBe(9000);
    expect(one.columns[4]!.pii).toMatchObject({ email: 180 });
    expectSame(one, two);
  });

  it('a header only: both refuse it with the same message', async () => {
    const path = write('header-only.csv', 'a,b,c\r\n');
    const refusal = async (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
    const one = await refusal(oneThread(path));
    const two = await refusal(twoThreads(path, 4));
    expect(one).toBeInstanceOf(UserInputError);
    expect(two).toBeInstanceOf(UserInputError);
    expect((two as Error).message).toBe((one as Error).message);
    expect((one as Error).message).toMatch(/header but no data rows/);
  });
});
