import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '../../fixtures');

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'drift-test-'));
}

/** Header and rows of a simple (unquoted) fixture CSV. */
export function readFixture(name: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(join(FIXTURES, name), 'utf8').trim().split(/\r?\n/);
  return { header: (lines[0] as string).split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

export function writeCsv(path: string, header: string[], rows: (string | number)[][]): string {
  writeFileSync(path, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return path;
}

/** Mulberry32: a small seeded generator, so "random" splits are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller) from a seeded generator. */
export function normal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Splits a fixture by the value of one column into two files; returns their paths. */
export function splitBy(dir: string, fixture: string, column: string, a: string, b: string): [string, string] {
  const { header, rows } = readFixture(fixture);
  const k = header.indexOf(column);
  return [
    writeCsv(join(dir, `${column}-${a}.csv`), header, rows.filter((r) => r[k] === a)),
    writeCsv(join(dir, `${column}-${b}.csv`), header, rows.filter((r) => r[k] === b)),
  ];
}

/** Numeric column values of the rows. */
export function numbers(header: string[], rows: string[][], column: string): number[] {
  const k = header.indexOf(column);
  return rows.map((r) => Number(r[k]));
}
