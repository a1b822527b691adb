/**
 * `predict` output: an existing file is refused unless forced (before: silently overwritten), and
 * cells a spreadsheet would run as formulas are prefixed with `'` (before: `=HYPERLINK(…)`,
 * `+cmd|…`, `@SUM(…)` passed through), with an option to write them as they were.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { predictFile, trainInputSchema, trainModel as trainEngine } from '../../../workers/trainer/index.js';
import { defuse } from '../../../workers/trainer/predict.js';
import { Rng } from '../../../workers/trainer/random.js';
import { tempDir } from './helpers.js';

const HOSTILE = ['=HYPERLINK("http://evil.example","x")', '+cmd|\' /C calc\'!A0', '@SUM(1+1)*cmd|\' /C calc\'!A0', '-2+3+cmd|\' /C calc\'!A0'];

describe('predict output', () => {
  it('refuses an existing file unless forced, and defuses formula cells', async () => {
    const rng = new Rng(4);
    const rows = Array.from({ length: 200 }, (_, i) => {
      const x = Math.round(rng.next() * 100);
      return [x, i < 4 ? HOSTILE[i]! : `note ${i}`, x > 50 ? 'yes' : 'no'];
    });
    const dir = tempDir();
    const quote = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    const file = join(dir, 'hostile.csv');
    writeFileSync(file, `x,note,label\n${rows.map((r) => r.map(quote).join(',')).join('\n')}\n`);
    const trained = await trainEngine(trainInputSchema.parse({ file, target: 'label', epochs: 1, exclude: ['note'] }), makeContext({ dataDir: dir }));
    const out = join(dir, 'predictions.csv');
    writeFileSync(out, 'precious\n');
    await expect(predictFile(trained.artifactDir, file, out)).rejects.toThrow(/already exists\. Choose another output file, or pass --force/);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');

    await predictFile(trained.artifactDir, file, out, undefined, { force: true });
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(/(^|,)"?[=+@]/m);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(text).toContain(`'@SUM(1+1)*cmd|' /C calc'!A0`);

    const raw = join(dir, 'raw.csv');
    await predictFile(trained.artifactDir, file, raw, undefined, { escapeFormulas: false });
    expect(readFileSync(raw, 'utf8')).toContain('+cmd|');
  }, 120_000);

  it('keeps numbers as numbers', () => {
    expect(['-3.5', '+2', '-1e-3', 'abc', '-', '=1'].map(defuse)).toEqual(['-3.5', '+2', '-1e-3', 'abc', "'-", "'=1"]);
  });
});
