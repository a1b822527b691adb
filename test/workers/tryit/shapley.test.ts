/**
 * The sampling Shapley estimator against exact values computed independently:
 * - a small ReLU network (weights below) whose exact interventional Shapley values were computed
 *   with numpy by enumerating every subset of its 4 features (/usr/bin/python3, the script is in
 *   the comment of NETWORK_EXACT), and again here by the same enumeration in TypeScript;
 * - a linear model, whose exact values are w_i · (x_i − mean of the background's x_i);
 * - efficiency: base + Σ contributions = f(x), and the base is the background's mean output.
 */
import { describe, expect, it } from 'vitest';
import { roundedSamples, shapleySampling, type Block } from '../../../workers/tryit/shapley.js';

const W1 = [
  [0.8, -0.5, 0.3],
  [-0.6, 0.9, 0.2],
  [0.4, 0.4, -0.7],
  [0.1, -0.3, 0.5],
  [0.7, 0.2, 0.6],
];
const B1 = [0.1, -0.2, 0.05];
const W2 = [1.2, -0.9, 0.7];
const B2 = 0.3;
const X = Float32Array.from([1.5, -0.7, 1.0, 0.0, 0.9]);
const BACKGROUND = [
  [0.0, 0.0, 0.0, 1.0, 0.0],
  [-1.0, 0.5, 1.0, 0.0, -0.3],
  [0.3, 1.2, 0.0, 1.0, 0.8],
  [0.9, -1.1, 0.0, 0.0, -1.0],
  [-0.4, 0.2, 1.0, 0.0, 0.4],
];
/** Input 2–3 is one one-hot-like block, as a category's inputs are. */
const BLOCKS: Block[] = [
  { column: 'a', start: 0, end: 1 },
  { column: 'b', start: 1, end: 2 },
  { column: 'c', start: 2, end: 4 },
  { column: 'd', start: 4, end: 5 },
];
/**
 * numpy, exact: f = relu(X@W1+b1)@W2+b2; v(S) = mean over background rows of f with the blocks in
 * S set to x's; phi_j = Σ_S |S|!(p−|S|−1)!/p! (v(S∪{j}) − v(S)) over every S ⊆ others.
 * Printed: [1.7909833333333334, 0.7718166666666666, -0.17494999999999988, 0.8219499999999997],
 * v(∅) = 0.5302, f(x) = 3.74.
 */
const NETWORK_EXACT = [1.7909833333333334, 0.7718166666666666, -0.17494999999999988, 0.8219499999999997];
const NETWORK_BASE = 0.5302;
const NETWORK_OUTPUT = 3.74;

const d = 5;
const flat = (rows: number[][]) => Float32Array.from(rows.flat());

/** The network on float64 arithmetic from float32 inputs. */
function network(x: Float32Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let y = B2;
    for (let h = 0; h < 3; h++) {
      let z = B1[h]!;
      for (let i = 0; i < d; i++) z += x[r * d + i]! * W1[i]![h]!;
      y += Math.max(0, z) * W2[h]!;
    }
    out[r] = y;
  }
  return out;
}

/** Exact Shapley values by enumerating every subset (the reference, written independently of the estimator). */
function exact(f: (x: Float32Array, n: number) => Float64Array, x: Float32Array, blocks: Block[], background: number[][]): number[] {
  const p = blocks.length;
  const value = (mask: number) => {
    const rows = background.map((row) => {
      const copy = row.slice();
      blocks.forEach((b, j) => {
        if (mask & (1 << j)) for (let i = b.start; i < b.end; i++) copy[i] = x[i]!;
      });
      return copy;
    });
    const out = f(flat(rows), rows.length);
    return out.reduce((a, b) => a + b, 0) / rows.length;
  };
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  return blocks.map((_, j) => {
    let phi = 0;
    for (let mask = 0; mask < 1 << p; mask++) {
      if (mask & (1 << j)) continue;
      const size = [...mask.toString(2)].filter((c) => c === '1').length;
      phi += ((factorial(size) * factorial(p - size - 1)) / factorial(p)) * (value(mask | (1 << j)) - value(mask));
    }
    return phi;
  });
}

describe('sampling Shapley estimate', () => {
  it('the TypeScript enumeration agrees with numpy, so it can serve as the reference', () => {
    const values = exact(network, X, BLOCKS, BACKGROUND);
    // Float32 inputs: the only difference from numpy's float64 is the rounding of the inputs.
    values.forEach((v, j) => expect(v).toBeCloseTo(NETWORK_EXACT[j]!, 6));
  });

  it('converges to the exact values of a network, within its stated standard errors', async () => {
    const coarse = await shapleySampling(network, X, BLOCKS, flat(BACKGROUND), 5, { samples: 20, seed: 7 });
    const fine = await shapleySampling(network, X, BLOCKS, flat(BACKGROUND), 5, { samples: 20_000, seed: 7 });
    expect(fine.samples).toBe(20_000);
    const error = (r: typeof fine) => Math.max(...r.contributions.map((c, j) => Math.abs(c.value - NETWORK_EXACT[j]!)));
    expect(error(fine)).toBeLessThan(0.02);
    expect(error(fine)).toBeLessThan(error(coarse));
    for (const [j, c] of fine.contributions.entries()) {
      expect(Math.abs(c.value - NETWORK_EXACT[j]!)).toBeLessThanOrEqual(4 * c.standardError + 1e-9);
      expect(c.standardError).toBeGreaterThan(0);
    }
  });

  it('adds up: base + contributions = f(x), and the base is the background mean', async () => {
    for (const samples of [10, 333, 5000]) {
      const r = await shapleySampling(network, X, BLOCKS, flat(BACKGROUND), 5, { samples, seed: samples });
      expect(r.samples % 10).toBe(0);
      expect(r.output).toBeCloseTo(NETWORK_OUTPUT, 6);
      expect(r.base).toBeCloseTo(NETWORK_BASE, 6);
      expect(r.base + r.contributions.reduce((a, c) => a + c.value, 0)).toBeCloseTo(r.output, 9);
    }
    expect(roundedSamples(333, 5)).toBe(340);
    expect(roundedSamples(1, 100)).toBe(200);
  });

  // Each chain gives a linear model w·(x − z) exactly, whatever the order; with every background
  // row used equally often (50 orders = 5 passes over 5 rows) the mean is the exact value.
  it('gives a linear model exactly w_i · (x_i − background mean), per block', async () => {
    const w = [0.5, -2, 1.5, 0.25, -0.75];
    const linear = (x: Float32Array, n: number) => Float64Array.from({ length: n }, (_, r) => 0.1 + w.reduce((s, wi, i) => s + wi * x[r * d + i]!, 0));
    const r = await shapleySampling(linear, X, BLOCKS, flat(BACKGROUND), 5, { samples: 50, seed: 3 });
    const mean = (i: number) => BACKGROUND.reduce((s, row) => s + row[i]!, 0) / BACKGROUND.length;
    BLOCKS.forEach((b, j) => {
      let expected = 0;
      for (let i = b.start; i < b.end; i++) expected += w[i]! * (X[i]! - mean(i));
      expect(r.contributions[j]!.value).toBeCloseTo(expected, 6);
    });
  });

  it('is deterministic for a seed and changes with it', async () => {
    const a = await shapleySampling(network, X, BLOCKS, flat(BACKGROUND), 5, { samples: 40, seed: 1 });
    const b = await shapleySampling(network, X, BLOCKS, flat(BACKGROUND), 5, { samples: 40, seed: 1, batchRows: 7 });
    const c = await shapleySampling(network, X, BLOCKS, flat(BACKGROUND), 5, { samples: 40, seed: 2 });
    expect(b.contributions).toEqual(a.contributions);
    expect(c.contributions).not.toEqual(a.contributions);
  });
});
