import { describe, expect, it } from 'vitest';
import { groupFairness } from '../../../workers/trainer/fairness.js';
import { trainingCost, defaultHyperparameters, classWeightsFor } from '../../../workers/trainer/hyper.js';
import { permutationImportance } from '../../../workers/trainer/importance.js';

describe('group fairness of test predictions', () => {
  it('selection rate, TPR, FPR per group and the disparate-impact ratio, by hand', () => {
    // Group A: actual 1 1 0 0, predicted 1 0 1 0 → selection 2/4, TPR 1/2, FPR 1/2.
    // Group B: actual 1 0 0 0, predicted 1 0 0 0 → selection 1/4, TPR 1, FPR 0.
    const groups = ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B'];
    const actual = [1, 1, 0, 0, 1, 0, 0, 0];
    const predicted = [1, 0, 1, 0, 1, 0, 0, 0];
    const f = groupFairness('g', groups, 'binary', actual, predicted);
    expect(f.groups).toEqual([
      { group: 'A', count: 4, accuracy: 0.5, selectionRate: 0.5, tpr: 0.5, fpr: 0.5 },
      { group: 'B', count: 4, accuracy: 1, selectionRate: 0.25, tpr: 1, fpr: 0 },
    ]);
    expect(f.disparateImpact).toBeCloseTo(0.5, 12);
    expect(f.tprGap).toBeCloseTo(0.5, 12);
  });

  it('regression: MAE per group', () => {
    const f = groupFairness('g', ['x', 'y', 'x'], 'regression', [1, 2, 3], [2, 2, 1]);
    expect(f.groups.find((g) => g.group === 'x')!.mae).toBeCloseTo(1.5, 12);
  });
});

describe('sizing', () => {
  it('counts parameters and FLOPs of the network in closed form', () => {
    const cost = trainingCost(1000, 100, { hiddenLayers: [64, 64], maxEpochs: 10, linearSkip: false });
    expect(cost.parameters).toBe(100 * 64 + 64 + 64 * 64 + 64 + 64 + 1);
    expect(cost.flopsPerEpoch).toBe(6 * (100 * 64 + 64 * 64 + 64) * 1000);
  });

  it('balanced class weights make each class weigh the same in total', () => {
    const y = Float32Array.from([0, 0, 0, 0, 0, 0, 1, 1]);
    const w = classWeightsFor(y, 2, 'balanced');
    expect(6 * w[0]!).toBeCloseTo(2 * w[1]!, 12);
    expect(defaultHyperparameters(100, 4, {}, 'none', 1).hiddenLayers).toEqual([16]);
    expect(defaultHyperparameters(100_000, 300, { batchSize: 512 }, 'none', 1)).toMatchObject({ batchSize: 512, hiddenLayers: [128, 64] });
  });
});

describe('permutation importance', () => {
  it('ranks the column the score depends on first and gives an unused column zero', () => {
    // Score = share of rows where x0 > 0 agrees with the label; x1 is noise the score ignores.
    const n = 400;
    const x = new Float32Array(n * 2);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x[2 * i] = i % 2 ? 1 : -1;
      x[2 * i + 1] = (i * 7919) % 13;
      y[i] = i % 2;
    }
    const scoreOf = (data: Float32Array, rows: number) => {
      let right = 0;
      for (let i = 0; i < rows; i++) if ((data[2 * i]! > 0 ? 1 : 0) === y[i]) right++;
      return right / rows;
    };
    const importance = permutationImportance(x, n, 2, [{ column: 'x0', start: 0, end: 1 }, { column: 'x1', start: 1, end: 2 }], scoreOf, 1);
    expect(importance[0]!.column).toBe('x0');
    expect(importance[0]!.importance).toBeGreaterThan(0.3);
    expect(importance[1]).toEqual({ column: 'x1', importance: 0, std: 0 });
  });
});
