import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { verifyArtifact } from '../../../workers/trainer/artifact.js';
import { predictTexts, textInputSchema, trainText, type TextTrainResult } from '../../../workers/text/index.js';

const CSV = 'test/fixtures/text/spamassassin.csv';

describe('train.text on the SpamAssassin fixture (seed 42, wasm)', () => {
  let result: TextTrainResult;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'text-engine-'));
    result = await trainText(textInputSchema.parse({ path: CSV, textColumn: 'text', target: 'label', backend: 'wasm', seed: 42 }), makeContext({ dataDir }));
  }, 120_000);

  it('is at least as accurate as the TF-IDF linear baseline, within a point, and beats the majority class', () => {
    expect(result.summary.metric).toBe('accuracy');
    expect(result.summary.network).toBeGreaterThanOrEqual(result.summary.linear - 0.01);
    expect(result.summary.network).toBeGreaterThan(result.summary.majority + 0.2);
    expect(result.summary.majority).toBeCloseTo(0.6, 2); // 300 ham of 500, stratified test split
    expect(result.classes).toEqual(['ham', 'spam']);
    expect(result.rows).toEqual({ train: 350, validation: 75, test: 75 });
    expect(result.metrics.confusionMatrix.matrix.flat().reduce((a, b) => a + b, 0)).toBe(75);
  });

  it('records the backend and why, per-epoch progress and the early stop with the best epoch restored', () => {
    expect(result.backend).toBe('wasm');
    expect(result.backendReason).toMatch(/wasm/);
    expect(result.epochs.length).toBeGreaterThanOrEqual(result.bestEpoch);
    const best = Math.min(...result.epochs.map((e) => e.valLoss));
    // Later epochs did not improve on the best one by more than the 0.001 the loop asks for.
    expect(result.epochs[result.bestEpoch - 1]!.valLoss - best).toBeLessThanOrEqual(1e-3);
    if (result.stoppedEarly) expect(result.epochs.length - result.bestEpoch).toBe(result.hyperparameters.patience);
    for (const e of result.epochs) expect(e.samplesPerSec).toBeGreaterThan(0);
  });

  it('explains: spammy words push spam in both models; wrong documents come with highlighted words', () => {
    const spamWords = (terms: Array<{ term: string }>) => terms.map((t) => t.term);
    const linearSpam = spamWords(result.topTerms.linear.find((c) => c.label === 'spam')!.terms);
    const networkSpam = spamWords(result.topTerms.network.find((c) => c.label === 'spam')!.terms);
    expect(linearSpam.some((w) => ['click', 'free', 'money', 'remove', 'offer'].includes(w))).toBe(true);
    expect(networkSpam.some((w) => ['click', 'free', 'money', 'remove', 'offer', 'business', 'pay'].includes(w))).toBe(true);
    for (const h of [...result.confidentlyWrong, ...result.examples]) {
      expect(h.words.length).toBeGreaterThan(0);
      expect(h.confidence).toBeGreaterThanOrEqual(0.5);
    }
    for (const h of result.confidentlyWrong) expect(h.actual).not.toBe(h.predicted);
  });

  it('writes a checksummed tfjs artifact of kind text that predictTexts reads back', async () => {
    await verifyArtifact(result.artifactDir);
    const metadata = JSON.parse(readFileSync(join(result.artifactDir, 'metadata.json'), 'utf8')) as { kind: string };
    expect(metadata.kind).toBe('text');
    const pre = JSON.parse(readFileSync(join(result.artifactDir, 'preprocessing.json'), 'utf8')) as { tokenizer: { buckets: number; bigrams: boolean } };
    expect(pre.tokenizer).toMatchObject({ buckets: 65536, bigrams: true });
    const out = join(dataDir, 'predictions.csv');
    const predicted = await predictTexts(result.artifactDir, CSV, out);
    expect(predicted.addedColumns).toEqual(['prediction', 'probability_ham', 'probability_spam']);
    const rows = parse(readFileSync(out), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(500);
    let right = 0;
    for (const row of rows) {
      expect(Number(row.probability_ham) + Number(row.probability_spam)).toBeCloseTo(1, 5);
      expect(row.prediction).toBe(Number(row.probability_spam) >= 0.5 ? 'spam' : 'ham');
      if (row.prediction === row.label) right++;
    }
    // Mostly training documents: the saved model must agree with the labels at least as often as on the test split.
    expect(right / rows.length).toBeGreaterThanOrEqual(result.summary.network - 0.02);
  });

  it('flags the duplicates the corpus has, with per-class lengths', () => {
    expect(result.quality.exactDuplicates).toBeGreaterThan(0);
    expect(result.quality.alerts.map((a) => a.code)).toContain('DUPLICATE_TEXTS');
    expect(result.quality.lengths.map((l) => l.label)).toEqual(['ham', 'spam']);
    expect(result.quality.languages.english).toBeGreaterThan(450);
  });
});
