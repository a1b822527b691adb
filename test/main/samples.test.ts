/**
 * The shipped examples: every entry of samples/samples.json is a file that exists, is small, has
 * the row count and outcome column it claims (counted here from the file itself), and names its
 * licence and source.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { listSamples } from '../../main/samples.js';

describe('example datasets', () => {
  const samples = listSamples();
  it('ships three, each with a licence and a source', () => {
    expect(samples.map((s) => s.file)).toEqual(['breast-cancer-wisconsin.csv', 'iris.csv', 'bike-sharing-day.csv']);
    for (const s of samples) {
      expect(s.licence).toBe('CC BY 4.0');
      expect(s.source).toMatch(/UCI Machine Learning Repository: .*doi:10\.24432\//);
    }
  });

  it.each(listSamples().map((s) => [s.file, s] as const))('%s has the rows and the outcome column it claims, and is small', (_file, s) => {
    expect(statSync(s.path).size).toBeLessThan(200_000);
    const rows = parse(readFileSync(s.path), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(s.rows);
    expect(Object.keys(rows[0]!)).toContain(s.target);
    expect(rows.every((r) => r[s.target] !== '')).toBe(true);
  });
});
