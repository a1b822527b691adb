import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { scoreQuality } from '../../../workers/quality/index.js';

// The thread entry must be JavaScript: bundle it the way the app build does, inside the repo
// (git-ignored .tmp/) so its npm imports resolve, and point the engine at it.
const outDir = resolve('.tmp/quality-thread-test');
const dir = mkdtempSync(join(tmpdir(), 'quality-threads-'));

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

describe('worker threads', () => {
  it('gives the same report on threads as in-process, sketches and estimates included', async () => {
    const lines = ['id,amount,cat,key,label,sex'];
    for (let i = 0; i < 25_000; i++) {
      lines.push(`${i % 24_000},${((i * 7919) % 100_003) / 7},c${i % 11},"k${(i * 31) % 25_000}, x",${i % 3 === 0 ? 'y' : 'n'},${i % 2 ? 'F' : 'M'}`);
    }
    const path = join(dir, 'threads.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const input = { path, target: 'label', positive: 'y', protected: ['sex'], ranges: 4 };
    const inProcess = await scoreQuality({ ...input, threads: 1 }, makeContext());
    const threaded = await scoreQuality({ ...input, threads: 2 }, makeContext());
    expect(threaded.rows).toBe(25_000);
    expect(threaded.duplicateRows).toBe(inProcess.duplicateRows);
    expect(threaded.duplicateRows).toBe(25_000 - new Set(lines.slice(1)).size);
    for (let c = 0; c < 6; c++) {
      const [a, b] = [inProcess.columns[c]!, threaded.columns[c]!];
      expect([b.name, b.type, b.count, b.missing, b.distinct, b.distinctEstimated]).toEqual([a.name, a.type, a.count, a.missing, a.distinct, a.distinctEstimated]);
      expect(b.quantiles).toEqual(a.quantiles);
      if (a.mean !== null) expect(b.mean!).toBeCloseTo(a.mean, 9);
    }
    expect(threaded.columns[1]!.distinctEstimated).toBe(true); // amount overflowed the exact map: HLL + KLL crossed threads
    expect(threaded.bias!.sex!.groups.map((g) => [g.group, g.count, g.positives])).toEqual(inProcess.bias!.sex!.groups.map((g) => [g.group, g.count, g.positives]));
  });
});
