/**
 * The figures at a chosen threshold, derived from what training records (the confusion matrix at
 * 0.5 and the threshold table), against scikit-learn on the same 40 rows. Reference, run once:
 *
 *   rng = np.random.default_rng(7); y = rng.integers(0, 2, 40)
 *   s = np.round(np.clip(0.3 * y + rng.random(40) * 0.7, 0, 0.999), 3)
 *   p = (s >= t).astype(int); accuracy_score, balanced_accuracy_score, precision_score,
 *   recall_score, f1_score, confusion_matrix(y, p)
 *   t = 0.35: 0.575, 0.5208333333, 0.6129032258, 0.7916666667, 0.6909090909, [[4, 12], [5, 19]]
 *   t = 0.70: 0.55, 0.625, 1.0, 0.25, 0.4, [[16, 0], [18, 6]]
 */
import { describe, expect, it } from 'vitest';
import { metricsAtThreshold, operatingPoint, tableThresholds } from '../../common/operating.js';
import { classificationMetrics } from '../../workers/trainer/metrics.js';

const y = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1];
const s = [0.451, 0.412, 0.729, 0.331, 0.325, 0.66, 0.626, 0.642, 0.44, 0.36, 0.348, 0.473, 0.308, 0.135, 0.484, 0.44, 0.259, 0.303, 0.581, 0.108, 0.487, 0.616, 0.357, 0.593, 0.748, 0.519, 0.364, 0.379, 0.355, 0.91, 0.553, 0.719, 0.341, 0.571, 0.526, 0.405, 0.871, 0.566, 0.685, 0.713];
const probs = new Float32Array(s.flatMap((p) => [1 - p, p]));
const trained = classificationMetrics(['no', 'yes'], y, probs, true) as unknown as Record<string, unknown>;

describe('metrics at an operating threshold', () => {
  it('match scikit-learn at 0.35 and 0.70', () => {
    const low = operatingPoint(trained, 0.35)!;
    expect(low.counts).toEqual({ tn: 4, fp: 12, fn: 5, tp: 19 });
    expect(low.accuracy).toBeCloseTo(0.575, 10);
    expect(low.balancedAccuracy).toBeCloseTo(0.5208333333333333, 10);
    expect(low.precision).toBeCloseTo(0.6129032258064516, 10);
    expect(low.recall).toBeCloseTo(0.7916666666666666, 10);
    expect(low.f1).toBeCloseTo(0.6909090909090909, 10);
    const high = metricsAtThreshold(trained, 0.7);
    expect(high.confusionMatrix).toEqual({ labels: ['no', 'yes'], matrix: [[16, 0], [18, 6]] });
    expect([high.accuracy, high.balancedAccuracy, high.precision, high.recall, high.f1]).toEqual([0.55, 0.625, 1, 0.25, 0.4]);
    expect(high.operatingThreshold).toBe(0.7);
    expect(high.rocAuc).toBe(trained.rocAuc);
  });

  it('agree with scoring the rows again at that threshold', () => {
    for (const t of tableThresholds(trained)) {
      const direct = classificationMetrics(['no', 'yes'], y, probs, true, t);
      const derived = metricsAtThreshold(trained, t);
      expect(derived.confusionMatrix).toEqual(direct.confusionMatrix);
      expect(derived.accuracy as number).toBeCloseTo(direct.accuracy, 12);
      expect(derived.balancedAccuracy as number).toBeCloseTo(direct.balancedAccuracy, 12);
    }
  });

  it('leave the metrics alone at the default, and have nothing off the table', () => {
    expect(metricsAtThreshold(trained, null)).toBe(trained);
    expect(metricsAtThreshold(trained, 0.5)).toBe(trained);
    expect(operatingPoint(trained, 0.33)).toBeNull();
    expect(metricsAtThreshold(trained, 0.33)).toBe(trained);
    expect(operatingPoint({ accuracy: 0.9 }, 0.35)).toBeNull();
  });
});
