import { describe, expect, it } from 'vitest';
import { chiSquaredHomogeneity, twoProportionZ } from '../../../workers/drift/categorical.js';
import { fromValues, meanStd } from '../../../workers/drift/distribution.js';
import { jensenShannon, normedWasserstein, wasserstein1 } from '../../../workers/drift/distance.js';
import { ksAsymptoticPValue, ksExactPValue, ksStatistic, ksTwoSample } from '../../../workers/drift/ks.js';
import { binShares, psi, psiBand, quantileEdges, quantileSorted } from '../../../workers/drift/psi.js';
import { chiSquaredSf, gammaQ, kolmogorovSf, logGamma, normalSf } from '../../../workers/drift/special.js';

// Reference values marked "scipy" were computed once with scipy 1.17.1 / numpy (the exact call
// is in each comment) and hard-coded; the others are closed forms or brute force in this file.

describe('special functions', () => {
  it('logGamma matches factorials', () => {
    for (let n = 1; n <= 20; n++) {
      let f = 1;
      for (let k = 2; k < n; k++) f *= k;
      expect(logGamma(n)).toBeCloseTo(Math.log(f), 10);
    }
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('gammaQ matches scipy.special.gammaincc and a closed form', () => {
    expect(gammaQ(2.5, 1.3)).toBeCloseTo(0.761365267845014, 12); // scipy gammaincc(2.5, 1.3)
    expect(gammaQ(0.5, 9.0) / 2.2090496998585475e-5).toBeCloseTo(1, 10); // gammaincc(0.5, 9.0)
    expect(gammaQ(30, 45)).toBeCloseTo(0.007337199297796568, 12); // gammaincc(30, 45)
    // Closed form for integer a = 1: Q(1, x) = e^{−x}.
    expect(gammaQ(1, 3.7)).toBeCloseTo(Math.exp(-3.7), 14);
  });

  it('chi-squared tail matches scipy.stats.chi2.sf', () => {
    const cases: [number, number, number][] = [
      [3.84, 1, 0.05004352124870519],
      [10, 3, 0.01856613546304325],
      [50, 40, 0.1335748340856504],
      [0.5, 7, 0.9994464813904249],
      [200, 150, 0.003973185970821635],
    ];
    for (const [x, df, p] of cases) expect(chiSquaredSf(x, df) / p).toBeCloseTo(1, 10);
    // df = 2 closed form: sf = e^{−x/2}.
    expect(chiSquaredSf(5, 2)).toBeCloseTo(Math.exp(-2.5), 14);
  });

  it('normal tail matches scipy.stats.norm.sf', () => {
    const cases: [number, number][] = [
      [0.5, 0.3085375387259869],
      [1.96, 0.024997895148220435],
      [3.0, 0.0013498980316300933],
      [6.0, 9.865876450376946e-10],
    ];
    for (const [z, p] of cases) expect(normalSf(z) / p).toBeCloseTo(1, 10);
    expect(normalSf(0)).toBeCloseTo(0.5, 15);
  });

  it('Kolmogorov tail matches scipy.stats.kstwobign.sf on both series', () => {
    const cases: [number, number][] = [
      [0.3, 0.9999906941986655],
      [0.5, 0.9639452436648751],
      [0.8, 0.5441424115741981],
      [1.0, 0.26999967167735456],
      [1.2, 0.11224966667072497],
      [1.36, 0.049485876755377876],
      [2.0, 0.0006709252557796953],
      [3.0, 3.045995948942526e-8],
    ];
    for (const [x, p] of cases) expect(kolmogorovSf(x) / p).toBeCloseTo(1, 9);
  });
});

/** Brute force: every way to split the pooled sample into groups of n and m, the share with D ≥ d. */
function permutationKsPValue(a: number[], b: number[]): number {
  const pooled = [...a, ...b];
  const n = a.length;
  const observed = ksStatistic(fromValues(a), fromValues(b));
  let hits = 0;
  let total = 0;
  const choose = (start: number, picked: number[]): void => {
    if (picked.length === n) {
      const x = picked.map((i) => pooled[i] as number);
      const y = pooled.filter((_, i) => !picked.includes(i));
      total++;
      if (ksStatistic(fromValues(x), fromValues(y)) >= observed - 1e-12) hits++;
      return;
    }
    for (let i = start; i < pooled.length; i++) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  return hits / total;
}

describe('Kolmogorov–Smirnov', () => {
  const a = [0.1, 0.5, 0.9, 1.3, 2.0, 2.2, 3.1];
  const b = [0.2, 0.3, 0.35, 0.4, 0.6, 0.7, 0.8, 1.0];

  it('statistic and exact p-value match scipy ks_2samp(a, b, method="exact")', () => {
    const r = ksTwoSample(fromValues(a), fromValues(b));
    expect(r.statistic).toBeCloseTo(0.5892857142857143, 14);
    expect(r.pValue).toBeCloseTo(0.11810411810411808, 12);
    expect(r.method).toBe('exact');
  });

  it('exact p-value equals the brute-force permutation distribution', () => {
    expect(ksExactPValue(a.length, b.length, ksStatistic(fromValues(a), fromValues(b)))).toBeCloseTo(
      permutationKsPValue(a, b),
      12,
    );
    const c = [5, 1, 9, 3];
    const d = [2, 8, 4, 7, 6, 10];
    expect(ksTwoSample(fromValues(c), fromValues(d)).pValue).toBeCloseTo(permutationKsPValue(c, d), 12);
  });

  it('handles ties and unequal sizes like scipy (ks_2samp([1,2,2,3,3,3,4,5], [2,3,4,4,5,5,6,6,7], method="exact"))', () => {
    const r = ksTwoSample(fromValues([1, 2, 2, 3, 3, 3, 4, 5]), fromValues([2, 3, 4, 4, 5, 5, 6, 6, 7]));
    expect(r.statistic).toBeCloseTo(0.5277777777777778, 14);
    expect(r.pValue).toBeCloseTo(0.14232825997531878, 12);
  });

  it('exact p-value for 300 vs 400 matches scipy (np.arange(300)/300 vs (np.arange(400)/400)**1.2)', () => {
    const x = Array.from({ length: 300 }, (_, i) => i / 300);
    const y = Array.from({ length: 400 }, (_, i) => (i / 400) ** 1.2);
    const r = ksTwoSample(fromValues(x), fromValues(y));
    expect(r.statistic).toBeCloseTo(0.06916666666666667, 12);
    expect(r.pValue).toBeCloseTo(0.3704466385193764, 9);
  });

  it('switches to the asymptotic Kolmogorov distribution for large samples', () => {
    const x = Array.from({ length: 20_000 }, (_, i) => i / 20_000);
    const y = Array.from({ length: 1_000 }, (_, i) => (i / 1_000) ** 1.1);
    const r = ksTwoSample(fromValues(x), fromValues(y));
    expect(r.method).toBe('asymptotic');
    const en = (20_000 * 1_000) / 21_000;
    expect(r.pValue).toBeCloseTo(kolmogorovSf(Math.sqrt(en) * r.statistic), 14);
    expect(ksAsymptoticPValue(100, 100, 0)).toBe(1);
  });

  it('weighted reference (distinct values with counts) gives the same D as the expanded sample', () => {
    const weighted = { values: [1, 2, 3], weights: [2, 1, 3], total: 6 };
    const expanded = fromValues([1, 1, 2, 3, 3, 3]);
    const cur = fromValues([1.5, 2, 2.5, 3, 4]);
    expect(ksStatistic(weighted, cur)).toBeCloseTo(ksStatistic(expanded, cur), 15);
  });
});

describe('chi-squared homogeneity and two-proportion Z', () => {
  it('matches scipy chi2_contingency(table, correction=False)', () => {
    const r = chiSquaredHomogeneity([10, 20, 30, 0], [15, 15, 20, 5]);
    expect(r.statistic).toBeCloseTo(8.512987012987015, 12);
    expect(r.pValue).toBeCloseTo(0.036518265535318936, 12);
    expect(r.df).toBe(3);
  });

  it('2×2 chi-squared equals the squared two-proportion z and has the same p-value', () => {
    const chi = chiSquaredHomogeneity([120, 80], [90, 110]);
    expect(chi.statistic).toBeCloseTo(9.022556390977442, 12); // chi2_contingency([[120,80],[90,110]], correction=False)
    expect(chi.pValue).toBeCloseTo(0.0026666817936140982, 12);
    const z = twoProportionZ(120, 200, 90, 200);
    // Closed form: p1 = 0.6, p2 = 0.45, pooled 0.525.
    expect(z.statistic).toBeCloseTo(0.15 / Math.sqrt(0.525 * 0.475 * (2 / 200)), 12);
    expect(z.statistic ** 2).toBeCloseTo(chi.statistic, 10);
    expect(z.pValue).toBeCloseTo(chi.pValue, 12);
  });

  it('identical or constant samples give p = 1', () => {
    expect(chiSquaredHomogeneity([5, 5], [10, 10]).pValue).toBeCloseTo(1, 12);
    expect(chiSquaredHomogeneity([5, 0], [7, 0]).pValue).toBe(1);
    expect(twoProportionZ(10, 10, 30, 30).pValue).toBe(1);
  });
});

describe('distances', () => {
  it('W1 matches scipy wasserstein_distance', () => {
    expect(wasserstein1(fromValues([0, 1, 3]), fromValues([5, 6, 8]))).toBeCloseTo(5, 14);
    expect(wasserstein1(fromValues([0, 1, 3, 3.5, 7]), fromValues([1, 1.5, 2, 9]))).toBeCloseTo(1.4250000000000003, 14);
    // wasserstein_distance([0,1,2], [0.5,2.5], [3,1,2], [1,1])
    const weighted = { values: [0, 1, 2], weights: [3, 1, 2], total: 6 };
    expect(wasserstein1(weighted, fromValues([0.5, 2.5]))).toBeCloseTo(0.6666666666666666, 14);
  });

  it('normed W1 divides by the population std, floored at 0.001', () => {
    const ref = fromValues([1, 2, 3, 4]);
    const { std } = meanStd(ref);
    expect(std).toBeCloseTo(Math.sqrt(1.25), 14);
    // Shifting every value by c moves W1 by exactly |c|.
    expect(normedWasserstein(ref, fromValues([1.5, 2.5, 3.5, 4.5]), std)).toBeCloseTo(0.5 / Math.sqrt(1.25), 14);
    expect(normedWasserstein(fromValues([2, 2]), fromValues([2.01, 2.01]), 0)).toBeCloseTo(10, 10);
  });

  it('Jensen–Shannon distance matches scipy.spatial.distance.jensenshannon (base e)', () => {
    expect(jensenShannon([0.1, 0.4, 0.5], [0.3, 0.3, 0.4])).toBeCloseTo(0.18035965602712561, 14);
    expect(jensenShannon([1, 0, 0], [0, 1, 0])).toBeCloseTo(Math.sqrt(Math.LN2), 14);
    expect(jensenShannon([10, 20, 0, 5], [3, 3, 3, 3])).toBeCloseTo(0.3562833090089261, 14);
    expect(jensenShannon([2, 4], [1, 2])).toBeCloseTo(0, 7);
  });
});

describe('PSI', () => {
  it('quantiles match numpy.quantile([3,1,4,1,5,9,2,6,5,3,5], [0.1, 0.25, 0.5, 0.9])', () => {
    const sorted = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]).sort();
    expect([0.1, 0.25, 0.5, 0.9].map((p) => quantileSorted(sorted, p))).toEqual([1, 2.5, 4, 6]);
  });

  it('ten reference-quantile bins hold a tenth each, and ties merge bins', () => {
    const ref = Float64Array.from({ length: 1000 }, (_, i) => i);
    const edges = quantileEdges(ref);
    expect(edges.length).toBe(9);
    for (const s of binShares(ref, edges)) expect(s).toBeCloseTo(0.1, 12);
    const flag = Float64Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : 1));
    // numpy.quantile(flag, [0.1, …, 0.9]) = [0, 0, 0, 0, 0, 0, 0.3, 1, 1]; duplicates dropped.
    const flagEdges = quantileEdges(flag);
    expect(flagEdges.length).toBe(3);
    expect(flagEdges[0]).toBe(0);
    expect(flagEdges[1]).toBeCloseTo(0.3, 12);
    expect(flagEdges[2]).toBe(1);
    expect(binShares(flag, [0])).toEqual([0.7, 0.3]);
  });

  it('PSI equals the hand-computed sum and uses the 0.0001 floor for empty bins', () => {
    const r = [0.5, 0.3, 0.2];
    const c = [0.4, 0.4, 0.2];
    const hand = (0.4 - 0.5) * Math.log(0.4 / 0.5) + (0.4 - 0.3) * Math.log(0.4 / 0.3);
    expect(psi(r, c)).toBeCloseTo(hand, 15);
    expect(psi([0.5, 0.5], [1, 0])).toBeCloseTo(0.5 * Math.log(2) + (0.0001 - 0.5) * Math.log(0.0001 / 0.5), 12);
    expect(psiBand(0.05)).toBe('stable');
    expect(psiBand(0.1)).toBe('moderate');
    expect(psiBand(0.3)).toBe('significant');
  });
});
