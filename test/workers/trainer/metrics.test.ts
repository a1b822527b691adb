import { describe, expect, it } from 'vitest';
import { averagePrecision, classificationMetrics, regressionMetrics, rocAuc } from '../../../workers/trainer/metrics.js';
import { Rng } from '../../../workers/trainer/random.js';

/** ROC AUC by its definition: over all (positive, negative) pairs, 1 if the positive scores higher, ½ on ties. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let sum = 0;
  let pairs = 0;
  scores.forEach((sp, i) => {
    if (!labels[i]) return;
    scores.forEach((sn, j) => {
      if (labels[j]) return;
      pairs++;
      sum += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return sum / pairs;
}

describe('classification metrics', () => {
  it('ROC AUC equals the pairwise definition, ties included', () => {
    const rng = new Rng(3);
    const scores = Array.from({ length: 200 }, () => Math.round(rng.next() * 20) / 20);
    const labels = scores.map((s) => (rng.next() < s ? 1 : 0));
    expect(rocAuc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
  });

  it('average precision of a hand-worked example', () => {
    // Ranked: 0.9(+) 0.8(−) 0.7(+) 0.1(−): AP = ½·1 + ½·(2/3) = 5/6.
    expect(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo(5 / 6, 12);
  });

  it('binary: confusion matrix, precision/recall of the positive class, log loss', () => {
    const classes = ['no', 'yes'];
    const y = [1, 1, 1, 0, 0, 0, 0, 0];
    const p = [0.9, 0.6, 0.2, 0.7, 0.1, 0.3, 0.4, 0.05];
    const probs = Float32Array.from(p.flatMap((q) => [1 - q, q]));
    const m = classificationMetrics(classes, y, probs, true);
    // At 0.5: TP = 2 (0.9, 0.6), FN = 1 (0.2), FP = 1 (0.7), TN = 4.
    expect(m.confusionMatrix.matrix).toEqual([
      [4, 1],
      [1, 2],
    ]);
    expect(m.accuracy).toBeCloseTo(6 / 8, 12);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.balancedAccuracy).toBeCloseTo((2 / 3 + 4 / 5) / 2, 12);
    const logLoss = -y.reduce((s, yi, i) => s + Math.log(yi ? p[i]! : 1 - p[i]!), 0) / y.length;
    expect(m.logLoss).toBeCloseTo(logLoss, 6);
    expect(m.positiveClass).toBe('yes');
    const at05 = m.thresholds!.find((t) => t.threshold === 0.5)!;
    expect(at05.recall).toBeCloseTo(2 / 3, 12);
    expect(m.calibration.reduce((s, b) => s + b.count, 0)).toBe(8);
  });

  it('multiclass: per-class and macro F1', () => {
    const y = [0, 0, 1, 1, 2, 2];
    const predicted = [0, 1, 1, 1, 2, 0];
    const probs = Float32Array.from(predicted.flatMap((c) => [0, 1, 2].map((j) => (j === c ? 0.8 : 0.1))));
    const m = classificationMetrics(['a', 'b', 'c'], y, probs, false);
    // a: P=1/2 R=1/2; b: P=2/3 R=1; c: P=1 R=1/2.
    const f1 = (p: number, r: number) => (2 * p * r) / (p + r);
    expect(m.perClass.map((c) => c.f1)).toEqual([f1(0.5, 0.5), f1(2 / 3, 1), f1(1, 0.5)].map((v) => expect.closeTo(v, 12)));
    expect(m.macro.f1).toBeCloseTo((f1(0.5, 0.5) + f1(2 / 3, 1) + f1(1, 0.5)) / 3, 12);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.rocAuc).toBeUndefined();
  });
});

describe('regression metrics', () => {
  it('MAE, RMSE, R², MAPE by hand', () => {
    const actual = [1, 2, 3, 4];
    const predicted = [1.5, 2, 2, 5];
    const m = regressionMetrics(actual, predicted);
    expect(m.mae).toBeCloseTo((0.5 + 0 + 1 + 1) / 4, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt((0.25 + 0 + 1 + 1) / 4), 12);
    expect(m.r2).toBeCloseTo(1 - 2.25 / 5, 12);
    expect(m.mape).toBeCloseTo((0.5 + 0 + 1 / 3 + 1 / 4) / 4, 12);
    expect(m.residuals).toHaveLength(4);
  });
});
