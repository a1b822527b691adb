/**
 * The autoencoder's anomaly score and its explanation: the score of a row is the mean over its
 * (standardised) inputs of the squared reconstruction error, each divided by that input's usual
 * squared error on normal rows (`errorWeights`); its contributions say which source columns the
 * error came from, with the inputs of one column (a one-hot group, a date's parts) summed.
 */
import type { Mlp } from '../trainer/mlp.js';
import { inputNames, type Preprocessing } from '../trainer/preprocess.js';

/** A source column's range of model inputs. */
export interface ColumnBlock {
  column: string;
  start: number;
  end: number;
}

/** One column's share of a row's reconstruction error. */
export interface Contribution {
  column: string;
  /** Fraction of the row's squared error (0–1; a row's shares add up to 1). */
  share: number;
}

export function blocksOf(preprocessing: Preprocessing): ColumnBlock[] {
  let start = 0;
  return preprocessing.features.map((feature) => {
    const width = inputNames(feature).length;
    const block = { column: feature.column, start, end: start + width };
    start += width;
    return block;
  });
}

/** Per row: the score, and the squared error summed per column block (n × blocks). */
export interface Reconstruction {
  scores: Float64Array;
  perColumn: Float64Array;
}

/**
 * Scores `n` rows from their reconstructions (`output`, n × d) against the inputs `x`. With
 * `weights` (one per input), each input's squared error is multiplied by its weight.
 */
export function reconstructionScores(x: ArrayLike<number>, output: ArrayLike<number>, n: number, blocks: ColumnBlock[], weights?: ArrayLike<number>): Reconstruction {
  const d = blocks.at(-1)?.end ?? 0;
  const scores = new Float64Array(n);
  const perColumn = new Float64Array(n * blocks.length);
  for (let i = 0; i < n; i++) {
    let total = 0;
    blocks.forEach((block, b) => {
      let sum = 0;
      for (let j = block.start; j < block.end; j++) sum += (output[i * d + j]! - x[i * d + j]!) ** 2 * (weights ? weights[j]! : 1);
      perColumn[i * blocks.length + b] = sum;
      total += sum;
    });
    scores[i] = total / Math.max(d, 1);
  }
  return { scores, perColumn };
}

/** Scores rows with a trained network. */
export function scoreWith(network: Mlp, x: Float32Array, n: number, blocks: ColumnBlock[], weights?: ArrayLike<number>): Reconstruction {
  return reconstructionScores(x, network.logits(x, n), n, blocks, weights);
}

/**
 * Per input, 1 / its mean squared reconstruction error on rows believed normal (the validation
 * rows, which the network did not fit). Without it, inputs the network cannot reproduce even on
 * ordinary rows (noise) dominate every score; with it, an error counts by how unusual it is for
 * that input. Floored at 1 % of the mean error, so an input reconstructed almost perfectly cannot
 * turn rounding into alarms.
 */
export function errorWeights(network: Mlp, x: Float32Array, n: number): Float64Array {
  const d = network.spec.inputs;
  const output = network.logits(x, n);
  const mse = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mse[j]! += (output[i * d + j]! - x[i * d + j]!) ** 2 / Math.max(n, 1);
  const floor = 0.01 * (mse.reduce((a, b) => a + b, 0) / Math.max(d, 1)) + 1e-12;
  return mse.map((e) => 1 / Math.max(e, floor));
}

/** The `top` columns of row `i` by share of its error, largest first. */
export function topContributions(r: Reconstruction, i: number, blocks: ColumnBlock[], top = 3): Contribution[] {
  const k = blocks.length;
  let total = 0;
  for (let b = 0; b < k; b++) total += r.perColumn[i * k + b]!;
  return blocks
    .map((block, b) => ({ column: block.column, share: total > 0 ? r.perColumn[i * k + b]! / total : 0 }))
    .sort((a, b) => b.share - a.share || (a.column < b.column ? -1 : 1))
    .slice(0, top);
}
