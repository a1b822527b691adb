/**
 * Text drift statistics against scipy. Documents of lower-case words ("waa", "wab" …) written by
 * fixed rules, so Python's `str.split` gives the tokenizer's tokens; the expected values come from
 * test/fixtures/text/drift_reference.py (/usr/bin/python3, scipy 1.10.1: `scipy.spatial.distance.jensenshannon` on the top-word counts plus an
 * "(other)" bin, `scipy.stats.ks_2samp` on words per document and on per-document unseen shares,
 * `scipy.stats.chi2_contingency(correction=False)` on predicted-class counts, PSI by its formula
 * with shares floored at 1e-4 over reference deciles `numpy.quantile`), run once when writing this
 * test and pasted below. The rules are repeated in the comments of each block.
 */
import { describe, expect, it } from 'vitest';
import { encodeTokens } from '../../../workers/text/corpus.js';
import { BloomFilter, buildTextReference } from '../../../workers/text/drift-reference.js';
import { countBatch, lengthDrift, predictionShift, unseenDrift, vocabularyDrift } from '../../../workers/text/drift-stats.js';
import { DEFAULT_THRESHOLDS as T } from '../../../workers/drift/select.js';

const W = Array.from({ length: 80 }, (_, i) => `w${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}`);
const docs = (from: number, to: number, length: (d: number) => number, word: (d: number, j: number) => number) =>
  Array.from({ length: to - from }, (_, i) => Array.from({ length: length(from + i) }, (_, j) => W[word(from + i, j)]!));
// train: d in 0..199, 5 + (7d mod 23) words, word (3d + j²) mod 40; test: d in 0..59, 5 + (5d mod 19) words, word (11d + 3j) mod 42.
const train = docs(0, 200, (d) => 5 + ((d * 7) % 23), (d, j) => (d * 3 + j * j) % 40);
const test = docs(0, 60, (d) => 5 + ((d * 5) % 19), (d, j) => (d * 11 + j * 3) % 42);
const corpus = encodeTokens([...train, ...test]);
const trainRows = train.map((_, i) => i);
const testRows = test.map((_, i) => 200 + i);
// The model's test predictions: 34 of class 0, 26 of class 1.
const reference = buildTextReference(corpus, trainRows, testRows, Array.from({ length: 60 }, (_, i) => (i < 34 ? 0 : 1)), 2);

describe('text drift statistics (vs scipy)', () => {
  it('a shifted batch: vocabulary, lengths, unseen words and predictions all drift, with scipy\'s figures', () => {
    // current: d in 0..79, 10 + (13d mod 31) words, word (7d + 5j) mod 55 (15 words never in training).
    const batch = countBatch(reference, docs(0, 80, (d) => 10 + ((d * 13) % 31), (d, j) => (d * 7 + j * 5) % 55));
    expect(reference.tokens).toBe(3197);
    expect(reference.vocabulary.terms).toBe(40);
    expect(batch.tokens).toBe(1983);
    const vocab = vocabularyDrift(reference, batch, T);
    expect(vocab.statistic).toBeCloseTo(0.32550162626515505, 12);
    expect(vocab.threshold).toBeCloseTo(0.14331401013064024, 12); // max(0.1, 1.5 × 0.130335 × √((1/3197 + 1/1983) / (1/3197 + 1/828)))
    expect(vocab.psi).toBeCloseTo(2.2523267849051183, 10);
    expect(vocab.drifted).toBe(true);
    const length = lengthDrift(reference, batch, T);
    expect(length.statistic).toBeCloseTo(0.4125, 12);
    expect(length.pValue!).toBeCloseTo(3.3071451881854015e-9, 14);
    expect(length.psi).toBeCloseTo(2.1945950940462966, 10);
    expect(length.drifted).toBe(true);
    const unseen = unseenDrift(reference, batch, T);
    expect(unseen.statistic).toBeCloseTo(0.9666666666666667, 12);
    expect(unseen.pValue! / 8.60865729384615e-37).toBeCloseTo(1, 6);
    expect(unseen.psi).toBeCloseTo(9.118997333337896, 9);
    expect(unseen.drifted).toBe(true);
    expect(batch.unseen / batch.tokens).toBeCloseTo(0.27332324760463944, 12);
    expect(reference.test.unseen / reference.test.tokens).toBeCloseTo(0.04710144927536232, 12);
    expect(unseen.explanation).toMatch(/27\.3 % of the new documents' words never occur.*held-out test documents had 4\.7 %/);
    const predictions = predictionShift(reference, ['ham', 'spam'], [20, 60], T);
    expect(predictions.statistic).toBeCloseTo(14.51047947171978, 10);
    expect(predictions.pValue!).toBeCloseTo(0.00013938201687262365, 12);
    expect(predictions.drifted).toBe(true);
  });

  it('a batch from the training rule: nothing drifts, and fewer unseen words than the test split is not drift', () => {
    // current: d in 200..279 of the training rule; predictions 33 / 27.
    const batch = countBatch(reference, docs(200, 280, (d) => 5 + ((d * 7) % 23), (d, j) => (d * 3 + j * j) % 40));
    const vocab = vocabularyDrift(reference, batch, T);
    expect(vocab.statistic).toBeCloseTo(0.02884366131728331, 12);
    expect(vocab.threshold).toBeCloseTo(0.16578781405703036, 12);
    expect(vocab.psi).toBeCloseTo(0.006660652344144452, 10);
    expect(vocab.drifted).toBe(false);
    const length = lengthDrift(reference, batch, T);
    expect(length.statistic).toBeCloseTo(0.0125, 12);
    expect(length.pValue).toBeCloseTo(1, 12);
    expect(length.drifted).toBe(false);
    const unseen = unseenDrift(reference, batch, T);
    // scipy: D = 0.48333, p = 9.3e-8 — significant, but towards fewer unseen words (0 % vs 4.7 %).
    expect(unseen.statistic).toBeCloseTo(0.48333333333333334, 12);
    expect(unseen.pValue! / 9.309301426103779e-8).toBeCloseTo(1, 6);
    expect(unseen.drifted).toBe(false);
    expect(unseen.explanation).toMatch(/Fewer new words than held-out documents have/);
    const predictions = predictionShift(reference, ['ham', 'spam'], [33, 27], T);
    expect(predictions.statistic).toBeCloseTo(0.03379329766263024, 12);
    expect(predictions.pValue).toBeCloseTo(0.8541471859758135, 12);
    expect(predictions.drifted).toBe(false);
  });

  it('keeps the reference bounded and the vocabulary filter honest', () => {
    expect(JSON.stringify(reference).length).toBeLessThan(20_000);
    // 100,000 words: the filter stays at 2^20 bits (10 per word, rounded up to a power of two), and
    // none of them is missed (a Bloom filter has no false negatives); false positives near the formula's 0.8 %.
    const filter = new BloomFilter(100_000);
    for (let i = 0; i < 100_000; i++) filter.add(`word${i}`);
    for (let i = 0; i < 100_000; i += 97) expect(filter.has(`word${i}`)).toBe(true);
    let fp = 0;
    for (let i = 0; i < 20_000; i++) if (filter.has(`other${i}`)) fp++;
    const saved = filter.save();
    expect(saved.size).toBe(2 ** 20);
    expect(saved.falsePositive).toBeCloseTo((1 - Math.exp((-7 * 100_000) / 2 ** 20)) ** 7, 12);
    expect(fp / 20_000).toBeLessThan(0.02);
    expect(new BloomFilter(0, saved).has('word5')).toBe(true);
    // The largest filter, whatever the vocabulary: 4 Mbit (512 KB).
    expect(new BloomFilter(10_000_000).size).toBe(2 ** 22);
  });
});
