import { describe, expect, it } from 'vitest';
import { groupFairness } from '../../../workers/trainer/fairness.js';
import { trainingCost, defaultHyperparameters, classWeightsFor } from '../../../workers/trainer/hyper.js';
import { permutationImportance } from '../../../workers/trainer/importance.js';

describe('group fairness of test predictions', () => {
  it('selection rate, TPR, FPR per group and the disparate-impact ratio, by hand', () => {
    // Group A: actual 1 1 0 0, predicted 1 0 1 0 → selection 2/4, TPR 1/2, FPR 1/2 — repeated 10×.
    // Group B: actual 1 0 0 0, predicted 1 0 0 0 → selection 1/4, TPR 1, FPR 0 — repeated 10×.
    const groups = Array.from({ length: 10 }, () => ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B']).flat();
    const actual = Array.from({ length: 10 }, () => [1, 1, 0, 0, 1, 0, 0, 0]).flat();
    const predicted = Array.from({ length: 10 }, () => [1, 0, 1, 0, 1, 0, 0, 0]).flat();
    const f = groupFairness('g', groups, 'binary', actual, predicted);
    expect(f.groups.map(({ selectionRateInterval: _s, tprInterval: _t, ...g }) => g)).toEqual([
      { group: 'A', count: 40, judged: true, small: true, accuracy: 0.5, selectionRate: 0.5, tpr: 0.5, fpr: 0.5 },
      { group: 'B', count: 40, judged: true, small: true, accuracy: 1, selectionRate: 0.25, tpr: 1, fpr: 0 },
    ]);
    expect(f.disparateImpact).toBeCloseTo(0.5, 12);
    expect(f.tprGap).toBeCloseTo(0.5, 12);
    expect([f.lowestGroup, f.highestGroup]).toEqual(['B', 'A']);
  });

  it('gives Wilson intervals, marks small groups, and leaves groups under 30 rows out of the ratio', () => {
    // big: 200 rows, 60 selected (60 of its 80 positives are the selected ones: TPR 45/60 below uses its own rows).
    // thirty: 30 rows, none selected (judged, but small). dozen: 12 rows, none selected (not judged).
    const groups: string[] = [];
    const actual: number[] = [];
    const predicted: number[] = [];
    const add = (group: string, n: number, selected: number, positives: number, caught: number) => {
      for (let i = 0; i < n; i++) {
        groups.push(group);
        const positive = i < positives;
        actual.push(positive ? 1 : 0);
        // The first `caught` positives are selected, then enough negatives to reach `selected`.
        predicted.push(positive ? (i < caught ? 1 : 0) : i - positives < selected - caught ? 1 : 0);
      }
    };
    add('big', 200, 60, 60, 45);
    add('thirty', 30, 0, 10, 0);
    add('dozen', 12, 0, 4, 0);
    const f = groupFairness('g', groups, 'binary', actual, predicted);
    const [big, thirty, dozen] = f.groups;
    expect([big!.count, big!.selectionRate, big!.tpr]).toEqual([200, 0.3, 0.75]);
    // Wilson 95 % intervals from scipy.stats.binomtest(k, n).proportion_ci(method='wilson') (scipy 1.x, at test-writing time).
    expect(big!.selectionRateInterval![0]).toBeCloseTo(0.24074744682371402, 12);
    expect(big!.selectionRateInterval![1]).toBeCloseTo(0.36679068372719265, 12);
    expect(big!.tprInterval![0]).toBeCloseTo(0.6276792992295218, 12);
    expect(big!.tprInterval![1]).toBeCloseTo(0.8422347746994333, 12);
    expect(thirty!.selectionRateInterval![1]).toBeCloseTo(0.11351339317396875, 12);
    expect(dozen!.selectionRateInterval![1]).toBeCloseTo(0.24249400665524085, 12);
    expect([big!.judged, big!.small, thirty!.judged, thirty!.small, dozen!.judged, dozen!.small]).toEqual([true, false, true, true, false, true]);
    // The ratio is 0.00, driven by the 30-row group; its plausible range is 0 / 0.3668 … 0.1135 / 0.2407 = 0 … 0.4715.
    expect(f.disparateImpact).toBe(0);
    expect([f.lowestGroup, f.highestGroup]).toEqual(['thirty', 'big']);
    expect(f.disparateImpactRange![0]).toBe(0);
    expect(f.disparateImpactRange![1]).toBeCloseTo(0.4715040374118206, 12);
    // The dozen-row group's TPR of 0 is not in the gap either: 0.75 − 0 comes from the 30-row group.
    expect(f.tprGap).toBeCloseTo(0.75, 12);
  });

  it('with only one judged group, no ratio is claimed', () => {
    const f = groupFairness('g', [...Array(40).fill('A'), ...Array(5).fill('B')], 'binary', Array(45).fill(1), [...Array(40).fill(1), ...Array(5).fill(0)]);
    expect([f.disparateImpact, f.disparateImpactRange, f.lowestGroup]).toEqual([null, null, null]);
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
