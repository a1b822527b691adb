/**
 * Per-feature contributions to one prediction: Shapley values estimated by permutation sampling
 * (Štrumbelj & Kononenko, "Explaining prediction models and individual predictions with feature
 * contributions", 2014), against a background sample of training rows.
 *
 * The value of a set S of features is the model's mean output when the features in S take the
 * explained row's values and the others a background row's (the "interventional" game). One sample
 * is a random order of the features and a background row z: starting from z, the features are
 * switched to the row's values one at a time in that order, and each step's change of the output
 * is that feature's marginal contribution. Every order and every background row is equally likely,
 * so the mean of the marginal contributions is an unbiased estimate of the Shapley value.
 *
 * Two choices keep the estimate tight and exact where it can be:
 * - Each order is also walked backwards (antithetic pairs, which cancel much of the order noise).
 * - Background rows are used in turn (a fresh seeded shuffle each pass), so with a sample count that
 *   is a multiple of 2 × rows every background row is used equally often. Each chain's steps sum to
 *   f(x) − f(z), so the contributions plus the base value (the mean of f(z) over the chains) give
 *   the model's output exactly (efficiency), and the base is then the mean over the background.
 *
 * A feature is a source column: a one-hot category or a date's parts move together as one block.
 */
import { Rng } from '../trainer/random.js';

/** The model in the space its contributions add up in: `n` encoded rows (n × d, row-major) → one number each. */
export type Evaluate = (x: Float32Array, n: number) => Float64Array | Promise<Float64Array>;

/** One source column's inputs: [start, end) of the encoded row. */
export interface Block {
  column: string;
  start: number;
  end: number;
}

export interface ShapleyOptions {
  /** Orders sampled (each walked both ways, so rounded up to even and to a multiple of 2 × background rows). */
  samples: number;
  seed: number;
  /** Rows per call of the model (chains are batched). */
  batchRows?: number;
}

export interface Contribution {
  column: string;
  /** The estimated Shapley value, in the model's output space. */
  value: number;
  /** Standard error of the estimate (from the spread over antithetic pairs). */
  standardError: number;
}

export interface ShapleyResult {
  /** The mean output over the background rows used (what the model says knowing nothing about the row). */
  base: number;
  /** The model's output for the explained row; base + Σ contributions equals it. */
  output: number;
  /** One per block, in block order. */
  contributions: Contribution[];
  /** Orders sampled (each walked forwards and backwards). */
  samples: number;
  backgroundRows: number;
}

/** The sample count actually used for `requested` orders with `backgroundRows` rows: a multiple of 2 × rows, at least that. */
export function roundedSamples(requested: number, backgroundRows: number): number {
  const step = 2 * Math.max(1, backgroundRows);
  return Math.max(step, Math.ceil(requested / step) * step);
}

/**
 * Estimates the contributions of each block of `x` (d inputs) to `f(x)` against `background`
 * (m × d). Deterministic for a seed.
 */
export async function shapleySampling(f: Evaluate, x: Float32Array, blocks: Block[], background: Float32Array, m: number, options: ShapleyOptions): Promise<ShapleyResult> {
  const d = x.length;
  const p = blocks.length;
  if (m < 1 || background.length !== m * d) throw new Error(`background must be ${m} × ${d}`);
  const samples = roundedSamples(options.samples, m);
  const pairs = samples / 2;
  const rng = new Rng(options.seed);
  const chainRows = p + 1;
  // Pairs per model call: a forward and a backward chain of p + 1 rows each.
  const pairsPerBatch = Math.max(1, Math.floor((options.batchRows ?? 16_384) / (2 * chainRows)));
  const sum = new Float64Array(p);
  const squares = new Float64Array(p);
  let baseSum = 0;
  let output = Number.NaN;
  let order: Int32Array = rng.shuffle(Int32Array.from({ length: m }, (_, i) => i)) as Int32Array;
  let used = 0;
  for (let done = 0; done < pairs; ) {
    const count = Math.min(pairsPerBatch, pairs - done);
    const rows = new Float32Array(count * 2 * chainRows * d);
    const perms: Int32Array[] = [];
    for (let s = 0; s < count; s++) {
      if (used === m) {
        order = rng.shuffle(order) as Int32Array;
        used = 0;
      }
      const z = order[used++]!;
      const perm = rng.shuffle(Int32Array.from({ length: p }, (_, i) => i)) as Int32Array;
      perms.push(perm);
      for (let direction = 0; direction < 2; direction++) {
        const chain = (s * 2 + direction) * chainRows;
        const row = background.slice(z * d, (z + 1) * d);
        rows.set(row, chain * d);
        for (let k = 0; k < p; k++) {
          const block = blocks[perm[direction === 0 ? k : p - 1 - k]!]!;
          for (let i = block.start; i < block.end; i++) row[i] = x[i]!;
          rows.set(row, (chain + k + 1) * d);
        }
      }
    }
    const out = await f(rows, count * 2 * chainRows);
    for (let s = 0; s < count; s++) {
      const perm = perms[s]!;
      const pair = new Float64Array(p);
      for (let direction = 0; direction < 2; direction++) {
        const chain = (s * 2 + direction) * chainRows;
        baseSum += out[chain]!;
        if (Number.isNaN(output)) output = out[chain + p]!;
        for (let k = 0; k < p; k++) pair[perm[direction === 0 ? k : p - 1 - k]!]! += (out[chain + k + 1]! - out[chain + k]!) / 2;
      }
      for (let j = 0; j < p; j++) {
        sum[j]! += pair[j]!;
        squares[j]! += pair[j]! ** 2;
      }
    }
    done += count;
  }
  const contributions = blocks.map((block, j) => {
    const mean = sum[j]! / pairs;
    const variance = pairs > 1 ? Math.max(0, (squares[j]! - pairs * mean * mean) / (pairs - 1)) : 0;
    return { column: block.column, value: mean, standardError: Math.sqrt(variance / pairs) };
  });
  return { base: baseSum / samples, output, contributions, samples, backgroundRows: m };
}
