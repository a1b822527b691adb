import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { predictTexts, textInputSchema, trainText } from '../../../workers/text/index.js';

describe('train.text, multiclass (spam / easy ham / hard ham), masked personal data', () => {
  it('trains three classes with a softmax head, on a masked copy, and predicts one probability per class', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'text-multi-'));
    const csv = 'test/fixtures/text/spamassassin.csv';
    const r = await trainText(textInputSchema.parse({ path: csv, textColumn: 'text', target: 'group', backend: 'wasm', epochs: 3, maskPii: true }), makeContext({ dataDir }));
    expect(r.task).toBe('multiclass');
    expect(r.classes).toEqual(['easy_ham', 'hard_ham', 'spam']);
    expect(r.metrics.confusionMatrix.labels).toEqual(r.classes);
    expect(r.topTerms.linear.map((c) => c.label)).toEqual(r.classes);
    expect(r.summary.network).toBeGreaterThan(r.summary.majority);
    const pre = JSON.parse(readFileSync(join(r.artifactDir, 'preprocessing.json'), 'utf8')) as { maskPii: boolean; spec: { outputs: number } };
    expect(pre).toMatchObject({ maskPii: true, spec: { outputs: 3 } });
    const out = join(dataDir, 'p.csv');
    await predictTexts(r.artifactDir, csv, out);
    const rows = parse(readFileSync(out), { columns: true }) as Array<Record<string, string>>;
    for (const row of rows.slice(0, 50)) {
      const p = r.classes.map((c) => Number(row[`probability_${c}`]));
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(row.prediction).toBe(r.classes[p.indexOf(Math.max(...p))]);
    }
  }, 90_000);
});
