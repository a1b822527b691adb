import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { encodeTokens } from '../../../workers/text/corpus.js';
import { BASELINE_TOL, fitLogistic, fitTfidf, fitTfidfIds, predictLogistic, transformTfidf, transformTfidfIds } from '../../../workers/text/linear.js';

// Values computed once by scikit-learn: test/fixtures/text/sklearn_reference.py (script and
// settings in its header), on the same tokens and the same fixed split.
interface Reference {
  vocabulary: number;
  idf: Record<string, number>;
  label: { classes: string[]; accuracy: number; probabilities: number[][] };
  group: { classes: string[]; accuracy: number; probabilities: number[][] };
}
const reference = JSON.parse(readFileSync('test/fixtures/text/sklearn-reference.json', 'utf8')) as Reference;
const rows = parse(readFileSync('test/fixtures/text/spamassassin.csv'), { columns: true }) as Array<Record<string, string>>;
const tokens = rows.map((r) => r.text!.toLowerCase().match(/[a-z0-9]{2,}/g) ?? []);
const isTest = rows.map((_, i) => i % 5 === 0);
const train = tokens.filter((_, i) => !isTest[i]);
const test = tokens.filter((_, i) => isTest[i]);

describe('TF-IDF + logistic regression against scikit-learn', () => {
  const tfidf = fitTfidf(train);
  const xTrain = transformTfidf(tfidf, train);
  const xTest = transformTfidf(tfidf, test);

  it("gives TfidfVectorizer's vocabulary size and idf values", () => {
    expect(tfidf.vocabulary.size).toBe(reference.vocabulary);
    for (const [word, idf] of Object.entries(reference.idf)) expect(tfidf.idf[tfidf.vocabulary.get(word)!]).toBeCloseTo(idf, 10);
  });

  it.each([
    ['label', 1e-7],
    ['group', 1e-7],
    ['label', BASELINE_TOL],
    ['group', BASELINE_TOL],
  ] as const)("gives LogisticRegression(C=1)'s probabilities and accuracy (%s, L-BFGS tolerance %s: converged, and the engine's setting)", (target, tol) => {
    const ref = reference[target];
    const classes = ref.classes;
    const y = rows.filter((_, i) => !isTest[i]).map((r) => classes.indexOf(r[target]!));
    const yTest = rows.filter((_, i) => isTest[i]).map((r) => classes.indexOf(r[target]!));
    const model = fitLogistic(xTrain, y, classes.length, { tol, maxIter: 2000 });
    const probs = predictLogistic(model, xTest);
    const k = classes.length;
    ref.probabilities.forEach((row, r) => row.forEach((p, c) => expect(Math.abs(probs[r * k + c]! - p)).toBeLessThan(2e-4)));
    let correct = 0;
    yTest.forEach((yr, r) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[r * k + c]! > probs[r * k + best]!) best = c;
      if (best === yr) correct++;
    });
    expect(correct / yTest.length).toBeCloseTo(ref.accuracy, 10);
  });

  it.each(['label', 'group'] as const)('fits the same weights to the last bit with the matrix passes in WebAssembly as with the JavaScript loops (%s), class weights too', (target) => {
    const classes = reference[target].classes;
    const y = rows.filter((_, i) => !isTest[i]).map((r) => classes.indexOf(r[target]!));
    const sampleWeights = y.map((c) => 1 + c / 2);
    for (const options of [{ tol: BASELINE_TOL, maxIter: 100 }, { tol: BASELINE_TOL, maxIter: 100, sampleWeights }]) {
      const js = fitLogistic(xTrain, y, classes.length, { ...options, loops: 'javascript' });
      const wasm = fitLogistic(xTrain, y, classes.length, options);
      expect(wasm.iterations).toBe(js.iterations);
      expect(wasm.iterations).toBeGreaterThan(5);
      expect(Array.from(wasm.w)).toEqual(Array.from(js.w));
      expect(Array.from(wasm.b)).toEqual(Array.from(js.b));
    }
  });

  it('builds the same vocabulary, idf and TF-IDF rows from encoded documents (the path the engine takes)', () => {
    const corpus = encodeTokens(tokens);
    const trainRows = tokens.map((_, i) => i).filter((i) => !isTest[i]);
    const testRows = tokens.map((_, i) => i).filter((i) => isTest[i]);
    const ids = fitTfidfIds(corpus, trainRows);
    expect([...ids.vocabulary]).toEqual([...tfidf.vocabulary]);
    expect(Array.from(ids.idf)).toEqual(Array.from(tfidf.idf));
    for (const [a, b] of [
      [transformTfidfIds(ids, corpus, trainRows), xTrain],
      [transformTfidfIds(ids, corpus, testRows), xTest],
    ] as const) {
      expect(Array.from(a.indptr)).toEqual(Array.from(b.indptr));
      expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
      expect(Array.from(a.values)).toEqual(Array.from(b.values));
    }
  });
});
