import { describe, expect, it } from 'vitest';
import { compareModels, mcnemarExact, scoredFrom } from '../../../workers/trainer/significance.js';

// p-values from scipy.stats.binomtest(min(b, c), b + c, 0.5) — reference/mcnemar.py, output in reference/mcnemar.out.
const SCIPY: [number, number, number][] = [
  [0, 0, 1.0],
  [5, 0, 0.0625],
  [10, 3, 0.09228515625],
  [3, 10, 0.09228515625],
  [25, 25, 1.0],
  [40, 60, 0.05688793364098088],
  [120, 95, 0.10145232764870683],
  [230, 180, 0.0154210216714613],
  [7, 1, 0.0703125],
  [1000, 1100, 0.030720707864242486],
];

describe("McNemar's exact test", () => {
  it.each(SCIPY)('b=%i c=%i matches scipy', (b, c, p) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(p, 10);
  });
});

describe('compareModels', () => {
  it('calls a small accuracy gain "about the same" and a large one "better"', () => {
    const n = 1000;
    const actual = Float64Array.from({ length: n }, (_, i) => i % 2);
    // A and B disagree on 13 rows: A right on 8, B right on 5 (p = 0.58): a 0.3-point gain.
    const mk = (wrong: (i: number) => boolean) => ({ kind: 'classes' as const, probs: Float32Array.from({ length: 2 * n }, (_, j) => {
      const i = j >> 1;
      const right = !wrong(i);
      const p1 = (actual[i] === 1) === right ? 0.9 : 0.1;
      return j % 2 ? p1 : 1 - p1;
    }) });
    const a = scoredFrom('binary', actual, mk((i) => i < 100 || (i >= 200 && i < 205)), 2);
    const b = scoredFrom('binary', actual, mk((i) => i < 108), 2);
    const acc = compareModels(a, b, { resamples: 200, seed: 1 }).find((c) => c.metric === 'accuracy')!;
    expect(acc.method).toBe('mcnemar');
    expect(acc.discordant).toEqual({ aOnly: 8, bOnly: 5 });
    expect(acc.difference).toBeCloseTo(0.003, 10);
    expect(acc.pValue).toBeCloseTo(0.5810546875, 8); // scipy.stats.binomtest(5, 13, 0.5).pvalue
    expect(acc.verdict).toBe('about the same');
    const c = scoredFrom('binary', actual, mk((i) => i < 160), 2);
    const big = compareModels(a, c, { resamples: 200, seed: 1 }).find((x) => x.metric === 'accuracy')!;
    expect(big.verdict).toBe('better');
    expect(compareModels(c, a, { resamples: 200, seed: 1 }).find((x) => x.metric === 'accuracy')!.verdict).toBe('worse');
  });

  it("bootstraps MAE's difference as numpy does, and lower MAE is better", () => {
    const n = 300;
    const actual = Float64Array.from({ length: n }, (_, i) => i % 17);
    const a = Float64Array.from(actual, (v, i) => v + (((7 * i) % 5) - 2) * 0.5);
    const b = Float64Array.from(actual, (v, i) => v + (((11 * i) % 7) - 3) * 0.6);
    const out = compareModels(scoredFrom('regression', actual, { kind: 'values', values: a }, 0), scoredFrom('regression', actual, { kind: 'values', values: b }, 0), { resamples: 2000, seed: 7 });
    const mae = out.find((c) => c.metric === 'mae')!;
    expect(mae.a).toBeCloseTo(0.6, 10);
    expect(mae.b).toBeCloseTo(1.032, 10);
    // numpy, 20,000 resamples: 2.5 % −0.5113, 97.5 % −0.3523 (reference/mcnemar.out); 2,000 draws are within 0.02.
    expect(mae.low!).toBeCloseTo(-0.5113, 1);
    expect(Math.abs(mae.low! + 0.5113)).toBeLessThan(0.02);
    expect(Math.abs(mae.high! + 0.3523)).toBeLessThan(0.02);
    expect(mae.verdict).toBe('better');
    expect(out.find((c) => c.metric === 'rmse')!.verdict).toBe('better');
  });
});
