/**
 * A 1,000,000-row table trains. Before: `Maximum call stack size exceeded` in `splitRows`, which
 * spread each class's row indices into `push`. The table is generated here (4 columns, ~20 MB)
 * and training is kept to one epoch; the cap on training rows makes a seeded sample whose rule
 * the result states.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxOf, minOf } from '../../../workers/extent.js';
import { makeContext } from '../../../workers/protocol.js';
import { trainInputSchema, trainModel as trainEngine } from '../../../workers/trainer/index.js';
import { DEFAULT_TRAINING_ROWS } from '../../../workers/trainer/prepare.js';
import { Rng } from '../../../workers/trainer/random.js';
import { splitRows } from '../../../workers/trainer/split.js';
import { tempDir } from './helpers.js';

const ROWS = 1_000_000;

function bigCsv(dir: string): string {
  const path = join(dir, 'million.csv');
  const fd = openSync(path, 'w');
  const rng = new Rng(3);
  writeSync(fd, 'x1,x2,plan,label\n');
  for (let block = 0; block < ROWS / 10_000; block++) {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const x1 = Math.round(rng.next() * 1000) / 10;
      const x2 = Math.round(rng.next() * 100);
      const plan = rng.next() < 0.5 ? 'a' : 'b';
      lines.push(`${x1},${x2},${plan},${x1 + (plan === 'a' ? 10 : -10) + rng.next() * 20 > 60 ? 'yes' : 'no'}`);
    }
    writeSync(fd, `${lines.join('\n')}\n`);
  }
  closeSync(fd);
  return path;
}

describe('a table of a million rows', () => {
  it('splits a million row indices without spreading them onto the stack', () => {
    const strata = new Int32Array(ROWS).map((_, i) => i % 2);
    const split = splitRows(ROWS, { validation: 0.15, test: 0.15 }, 1, strata);
    expect(split.train.length + split.validation.length + split.test.length).toBe(ROWS);
    expect(maxOf(split.train)).toBeLessThan(ROWS);
    expect(minOf(new Float64Array(ROWS).fill(2))).toBe(2);
  });

  it('trains, reading every row but keeping a seeded sample whose rule the result states', async () => {
    const dir = tempDir();
    const file = bigCsv(dir);
    // A small cap keeps the test's training tiny; the default cap (DEFAULT_TRAINING_ROWS) is the same path.
    const result = await trainEngine(trainInputSchema.parse({ file, target: 'label', epochs: 1, maxRows: 20_000, seed: 5 }), makeContext({ dataDir: dir }));
    expect(result.sampling).toMatchObject({ rows: 20_000, of: ROWS, seed: 5 });
    expect(result.sampling?.rule).toMatch(/uniform random sample of 20,000 of the file's 1,000,000 rows, .*seed 5\)/);
    expect(result.rows.train + result.rows.validation + result.rows.test).toBe(20_000);
    expect(DEFAULT_TRAINING_ROWS).toBeLessThan(ROWS);
    expect(result.warnings.join(' ')).toMatch(/Trained on a uniform random sample/);
    // The label follows x1 and plan: even one epoch beats always answering the majority class.
    expect(result.summary.network).toBeGreaterThan(result.summary.majority);
  }, 600_000);
});
