/** `predict.run` on an anomaly model writes the input's cells back: formula-like ones get a leading ' (CSV injection), unless asked not to. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { predictEngine, predictInputSchema } from '../../../workers/predict/index.js';
import { Rng } from '../../../workers/trainer/random.js';
import { tempDir, writeCsv } from '../trainer/helpers.js';
import { runAnomaly } from './run.js';

describe('anomaly predictions and formula-like cells', () => {
  it('defuses = and @ cells of the input and keeps negative numbers as numbers', async () => {
    const rng = new Rng(9);
    const rows = Array.from({ length: 120 }, (_, i) => [
      (rng.next() * 10 - 5).toFixed(3),
      (rng.next() * 4).toFixed(3),
      i === 0 ? '=1+2' : i === 1 ? '@SUM(A1)' : `note${i % 3}`,
    ]);
    const file = writeCsv(['x', 'y', 'note'], rows);
    const r = await runAnomaly({ file, epochs: 2, stability: false, alertRate: 0.1 }, makeContext({ dataDir: tempDir() }));
    const cells = async (escapeFormulas?: boolean) => {
      const outPath = join(tempDir(), 'scored.csv');
      await predictEngine(
        predictInputSchema.parse({ artifactDir: r.artifactDir, path: file, outPath, ...(escapeFormulas === undefined ? {} : { escapeFormulas }) }),
        makeContext(),
      );
      return readFileSync(outPath, 'utf8').split('\n').slice(1, 3);
    };
    const [first, second] = await cells();
    // The numbers (some negative) stay as they were; the formulas get their '.
    expect(first!.startsWith(`${rows[0]![0]},${rows[0]![1]},'=1+2,`)).toBe(true);
    expect(second).toMatch(/,'@SUM\(A1\),/);
    const [raw] = await cells(false);
    expect(raw!.startsWith(`${rows[0]![0]},${rows[0]![1]},=1+2,`)).toBe(true);
  });
});
