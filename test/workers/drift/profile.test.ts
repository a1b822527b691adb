import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReferenceProfile, checkDrift, referenceProfileSchema } from '../../../workers/drift/index.js';
import type { NumericColumnProfile } from '../../../workers/drift/index.js';
import { makeContext } from '../../../workers/protocol.js';
import { FIXTURES, normal, seeded, splitBy, tempDir, writeCsv } from './helpers.js';

const dir = tempDir();
const readOptions = { signal: new AbortController().signal, onProgress: () => {} };

describe('reference profiles', () => {
  it('a cached profile (JSON round trip) gives the same report as the file, without reading the reference again', async () => {
    const [y2011, y2012] = splitBy(dir, 'bike_hour.csv', 'yr', '0', '1');
    const fromFile = await checkDrift({ referencePath: y2011, currentPath: y2012, options: { includeProfile: true } }, makeContext());
    const cached = JSON.parse(JSON.stringify(fromFile.referenceProfile));
    expect(referenceProfileSchema.safeParse(cached).success).toBe(true);
    rmSync(y2011); // the check below must not need it
    const fromProfile = await checkDrift({ referenceProfile: cached, currentPath: y2012 }, makeContext());
    expect(fromProfile.columns).toEqual(fromFile.columns);
    expect(fromProfile.summary).toBe(fromFile.summary);
    expect(fromProfile.referenceProfile).toBeUndefined();
    expect(JSON.stringify(cached).length).toBeLessThan(400_000);
  });

  it('keeps exact distributions and PSI deciles for a small reference', async () => {
    const path = join(dir, 'day.csv');
    copyFileSync(join(FIXTURES, 'bike_day.csv'), path);
    const profile = await buildReferenceProfile(path, readOptions);
    expect(profile.rows).toBe(731);
    expect(profile.source).toEqual({ file: 'day.csv', bytes: statSync(path).size, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') });
    const cnt = profile.columns.find((c) => c.name === 'cnt') as NumericColumnProfile;
    expect(cnt.exact).toBe(true);
    expect(cnt.weights.reduce((a, b) => a + b, 0)).toBe(731);
    const values = readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',').at(-1)));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(cnt.mean).toBeCloseTo(mean, 9);
    expect(cnt.std).toBeCloseTo(Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length), 9);
    expect(cnt.min).toBe(Math.min(...values));
    expect(cnt.max).toBe(Math.max(...values));
    expect(cnt.psiShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (const share of cnt.psiShares) expect(Math.abs(share - 0.1)).toBeLessThan(0.01);
    expect(profile.columns.find((c) => c.name === 'dteday')?.kind).toBe('categorical');
  });

  it('a large continuous reference is summarised by 2,000 quantile points; normed W1 stays within 1% of the exact value', async () => {
    const n = 20_000;
    const random = seeded(99);
    const gauss = normal(random);
    const ref = Array.from({ length: n }, () => 100 + 15 * gauss());
    const cur = Array.from({ length: n }, () => 103 + 16 * gauss());
    const refPath = writeCsv(join(dir, 'big-ref.csv'), ['x'], ref.map((v) => [v]));
    const curPath = writeCsv(join(dir, 'big-cur.csv'), ['x'], cur.map((v) => [v]));
    const profile = await buildReferenceProfile(refPath, readOptions);
    const x = profile.columns[0] as NumericColumnProfile;
    expect(x.exact).toBe(false);
    expect(x.points.length).toBe(2000);
    // Exact reference: for equal sample sizes W1 is the mean distance between order statistics.
    const a = [...ref].sort((p, q) => p - q);
    const b = [...cur].sort((p, q) => p - q);
    const w1 = a.reduce((s, v, i) => s + Math.abs(v - (b[i] as number)), 0) / n;
    const mean = ref.reduce((s, v) => s + v, 0) / n;
    const std = Math.sqrt(ref.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const report = await checkDrift({ referenceProfile: profile, currentPath: curPath }, makeContext());
    const col = report.columns[0]!;
    expect(col.test).toBe('wasserstein');
    expect(Math.abs(col.statistic! / (w1 / std) - 1)).toBeLessThan(0.01);
    expect(col.drifted).toBe(w1 / std >= 0.1);
  });
});
