/**
 * Permutation feature importance on the test split: shuffle one source column's inputs across rows
 * and measure how much the headline metric (accuracy, or R²) drops. Columns the model relies on
 * drop it most; a column whose shuffling changes nothing can usually be left out.
 */
import { Rng } from './random.js';

export interface FeatureImportance {
  column: string;
  /** Mean drop of the metric when the column is shuffled (higher = more important; ≤ 0 = not used). */
  importance: number;
  /** Spread of the drop over repeats. */
  std: number;
}

/** Rows used at most: importance is a ranking, a sample gives the same order at a fraction of the cost. */
const MAX_ROWS = 4000;

/**
 * `blocks` gives each source column's input range [start, end) in `x` (n × d). `scoreOf` scores
 * encoded rows (the first `rows` of the test split).
 */
export function permutationImportance(
  x: Float32Array,
  n: number,
  d: number,
  blocks: Array<{ column: string; start: number; end: number }>,
  scoreOf: (x: Float32Array, rows: number) => number,
  seed: number,
  repeats = 2,
): FeatureImportance[] {
  const rows = Math.min(n, MAX_ROWS);
  const sample = x.slice(0, rows * d);
  const base = scoreOf(sample, rows);
  const rng = new Rng(seed);
  const work = new Float32Array(sample.length);
  const order = new Uint32Array(rows);
  const result = blocks.map(({ column, start, end }) => {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      work.set(sample);
      for (let i = 0; i < rows; i++) order[i] = i;
      rng.shuffle(order);
      for (let i = 0; i < rows; i++) {
        const from = order[i]! * d;
        for (let j = start; j < end; j++) work[i * d + j] = sample[from + j]!;
      }
      drops.push(base - scoreOf(work, rows));
    }
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    const std = Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / repeats);
    return { column, importance: mean, std };
  });
  return result.sort((a, b) => b.importance - a.importance);
}
