import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { averagePathLength, DEFAULT_FOREST, IsolationForest } from '../../../workers/anomaly/forest.js';
import { comparePrAuc, histogram, labelledMetrics, stability } from '../../../workers/anomaly/evaluate.js';
import { fitRobust, robustScores } from '../../../workers/anomaly/robust.js';
import { alertRateThreshold, chooseThreshold, tradeOffCurve } from '../../../workers/anomaly/threshold.js';
import { averagePrecision, rocAuc } from '../../../workers/trainer/metrics.js';
import { Rng } from '../../../workers/trainer/random.js';

const dir = new URL('../../fixtures/anomaly/', import.meta.url);
/** Values computed by scikit-learn in make_fixtures.py. */
const reference = JSON.parse(readFileSync(new URL('reference.json', dir), 'utf8')) as {
  ranking: { rocAuc: number; averagePrecision: number };
  breastCancer: { isolationForestRocAuc: { mean: number; std: number } };
  fashion: { isolationForestRocAuc: { mean: number; std: number } };
};

/** Numeric columns of a fixture, and 1 for rows whose last column is not `normal`. */
function table(name: string, normal: string): { x: Float32Array; n: number; d: number; y: Uint8Array } {
  const lines = readFileSync(new URL(name, dir), 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(','));
  const d = rows[0]!.length - 1;
  const x = new Float32Array(rows.length * d);
  rows.forEach((r, i) => r.slice(0, d).forEach((v, j) => (x[i * d + j] = Number(v))));
  return { x, n: rows.length, d, y: Uint8Array.from(rows, (r) => (r[d] === normal ? 0 : 1)) };
}

describe('isolation forest', () => {
  for (const [fixture, normal, key] of [
    ['breast_cancer_anomaly.csv', 'benign', 'breastCancer'],
    ['fashion_anomaly.csv', 'tshirt', 'fashion'],
  ] as const) {
    it(`ranks ${fixture} as scikit-learn's IsolationForest does (ROC AUC, mean of 5 seeds)`, () => {
      const { x, n, d, y } = table(fixture, normal);
      const aucs = [1, 2, 3, 4, 5].map((seed) => rocAuc(new IsolationForest(x, n, d, { ...DEFAULT_FOREST, seed }).score(x, n), y));
      const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
      // scikit-learn over 20 seeds: breast cancer 0.948 ± 0.006, fashion 0.978 ± 0.003 (reference.json).
      expect(Math.abs(mean - reference[key].isolationForestRocAuc.mean)).toBeLessThan(0.015);
    });
  }

  it('gives an isolated point a score near 1 and ordinary points about 0.5; c(n) as in the paper', () => {
    const rng = new Rng(5);
    const n = 300;
    const x = new Float32Array(n * 2);
    for (let i = 0; i < x.length; i++) x[i] = rng.next();
    x[0] = 8;
    x[1] = 8;
    const scores = new IsolationForest(x, n, 2, { ...DEFAULT_FOREST, seed: 1 }).score(x, n);
    expect(scores[0]).toBeGreaterThan(0.75);
    const median = Float64Array.from(scores).sort()[n >> 1]!;
    expect(median).toBeGreaterThan(0.4);
    expect(median).toBeLessThan(0.55);
    // c(256) = 2(ln 255 + γ) − 2·255/256 = 10.2448 (Liu et al. 2008, eq. 1).
    expect(averagePathLength(256)).toBeCloseTo(2 * (Math.log(255) + 0.5772156649) - (2 * 255) / 256, 8);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(1)).toBe(0);
  });
});

describe('robust z-score rule', () => {
  it('scores a row by its most unusual input in robust standard deviations', () => {
    // Column 1: median 3, MAD median(|−2,−1,0,1,97|) = 1 → scale 1.4826. Column 2: MAD 0, mean absolute deviation 0.4 → 0.4·1.2533.
    const x = Float32Array.from([1, 0, 2, 0, 3, 0, 4, 1, 100, 1]);
    const scaler = fitRobust(x, 5, 2);
    expect(scaler.median).toEqual([3, 0]);
    expect(scaler.scale[0]).toBeCloseTo(1.4826, 6);
    expect(scaler.scale[1]).toBeCloseTo(0.4 * 1.2533141373155, 6);
    const scores = robustScores(scaler, x, 5);
    expect(scores[4]).toBeCloseTo(97 / 1.4826, 4);
    expect(scores[2]).toBe(0);
    // A column that never varies is left out instead of dividing by zero.
    const flat = fitRobust(Float32Array.from([5, 5, 5]), 3, 1);
    expect(flat.scale).toEqual([0]);
    expect(Array.from(robustScores(flat, Float32Array.from([9]), 1))).toEqual([0]);
  });
});

describe('ranking metrics', () => {
  const lines = readFileSync(new URL('ranking.csv', dir), 'utf8').trim().split('\n').slice(1);
  const scores = lines.map((l) => Number(l.split(',')[0]));
  const labels = lines.map((l) => Number(l.split(',')[1]));

  it('ROC AUC and average precision match scikit-learn on a ranking with ties', () => {
    expect(rocAuc(scores, labels)).toBeCloseTo(reference.ranking.rocAuc, 10);
    expect(averagePrecision(scores, labels)).toBeCloseTo(reference.ranking.averagePrecision, 10);
    const m = labelledMetrics(scores, labels, 1.5);
    expect(m.prAuc).toBeCloseTo(reference.ranking.averagePrecision, 10);
    // Precision at k and at the threshold, counted directly.
    const k = labels.filter((l) => l === 1).length;
    const top = scores.map((s, i) => [s, labels[i]!] as const).sort((a, b) => b[0] - a[0]).slice(0, k);
    expect(m.k).toBe(k);
    expect(m.precisionAtK).toBeCloseTo(top.filter(([, l]) => l === 1).length / k, 12);
    const flagged = scores.map((s, i) => [s, labels[i]!] as const).filter(([s]) => s >= 1.5);
    expect(m.precision).toBeCloseTo(flagged.filter(([, l]) => l).length / flagged.length, 12);
    expect(m.recall).toBeCloseTo(flagged.filter(([, l]) => l).length / k, 12);
  });

  it('the paired bootstrap calls a clearly better ranking better, and a ranking against itself the same', () => {
    const random = scores.map((_, i) => (i * 7919) % 300);
    const better = comparePrAuc(scores, random, labels, 'random', 1);
    expect(better.verdict).toBe('network better');
    expect(better.interval[0]).toBeGreaterThan(0);
    expect(comparePrAuc(scores, scores, labels, 'same', 1).verdict).toBe('about the same');
    expect(comparePrAuc(random, scores, labels, 'x', 1).verdict).toBe('baseline better');
  });

  it('stability: identical rankings agree fully; the histogram counts every row once', () => {
    expect(stability(scores, scores, 10)).toMatchObject({ spearman: 1, topKOverlap: 1, k: 10 });
    expect(stability(scores, scores.map((s) => -s), 10).spearman).toBeCloseTo(-1, 10);
    const bins = histogram(scores, labels);
    expect(bins.reduce((sum, b) => sum + b.normal + b.anomaly, 0)).toBe(300);
    expect(bins.reduce((sum, b) => sum + b.anomaly, 0)).toBe(labels.filter((l) => l).length);
  });
});

describe('thresholds', () => {
  it('an alert rate is a quantile of the normal rows’ scores', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const t = alertRateThreshold(values, 0.05);
    expect(values.filter((v) => v >= t).length).toBe(50);
    const chosen = chooseThreshold({ mode: 'alertRate', rate: 0.05 }, values, undefined, values);
    expect(chosen.value).toBe(t);
    expect(chosen.at.alertRate).toBeCloseTo(0.05, 10);
  });

  it('precision/recall rules pick the threshold counted by hand', () => {
    // Scores high to low with labels 1 1 0 1 0 0 0 0: thresholds 8..1.
    const scores = [8, 7, 6, 5, 4, 3, 2, 1];
    const labels = [1, 1, 0, 1, 0, 0, 0, 0];
    const curve = tradeOffCurve(scores, labels);
    expect(curve.map((p) => p.precision)).toEqual([1, 1, 2 / 3, 3 / 4, 3 / 5, 3 / 6, 3 / 7, 3 / 8]);
    // Best F1: at 5 (precision 3/4, recall 1, F1 6/7) against 7 (1, 2/3, F1 0.8).
    expect(chooseThreshold({ mode: 'bestF1' }, scores, labels, []).value).toBe(5);
    expect(chooseThreshold({ mode: 'recall', target: 0.6 }, scores, labels, []).value).toBe(7);
    expect(chooseThreshold({ mode: 'precision', target: 0.9 }, scores, labels, []).value).toBe(7);
    expect(chooseThreshold({ mode: 'precision', target: 0.7 }, scores, labels, []).value).toBe(5);
  });
});

describe('reconstruction scores', () => {
  it('weight each input’s squared error, sum one-hot groups per column, and give shares that add up to 1', async () => {
    const { reconstructionScores, topContributions } = await import('../../../workers/anomaly/reconstruction.js');
    const blocks = [
      { column: 'amount', start: 0, end: 1 },
      { column: 'country', start: 1, end: 3 },
    ];
    // Row 0: errors 1, 0.5, 0.5 → weighted 1·4, 0.25·1, 0.25·1; row 1: perfect.
    const x = [1, 1, 0, 0, 0, 1];
    const out = [0, 0.5, 0.5, 0, 0, 1];
    const r = reconstructionScores(x, out, 2, blocks, [4, 1, 1]);
    expect(r.scores[0]).toBeCloseTo((4 + 0.25 + 0.25) / 3, 12);
    expect(r.scores[1]).toBe(0);
    const top = topContributions(r, 0, blocks);
    expect(top).toEqual([
      { column: 'amount', share: 4 / 4.5 },
      { column: 'country', share: 0.5 / 4.5 },
    ]);
    expect(topContributions(r, 1, blocks).every((c) => c.share === 0)).toBe(true);
  });
});
