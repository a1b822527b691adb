/**
 * The baselines trained in the same run: the majority class, and a linear softmax model on the
 * pictures downscaled to at most 16 × 16 (the trainer's Mlp with no hidden layer, fitted with the
 * trainer's loop: same early stopping, same seeded batch order) on at most 10,000 training and
 * 5,000 validation pictures (a seeded sample beyond: a linear model of a few thousand weights
 * gains little from more, and on Fashion-MNIST's 51,000 its up to 60 epochs took minutes).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { majorityOutputs } from '../trainer/baselines.js';
import { outputsFromLogits } from '../trainer/evaluate.js';
import { fit, type Dataset } from '../trainer/fit.js';
import type { FirstBatchHook } from '../tfjs/first-batch.js';
import { Mlp } from '../trainer/mlp.js';
import { Rng, seedFor } from '../trainer/random.js';
import type { TargetSpec } from '../trainer/task.js';
import type { ImageSet } from './data.js';

type Tf = typeof tfjs;

/** The most training and validation pictures the linear baseline learns from. */
export const LINEAR_MAX_TRAIN = 10_000;
export const LINEAR_MAX_VALIDATION = 5_000;

/** A seeded sample of at most `max` rows, in their order. */
function sample(rows: number[], max: number, seed: number): number[] {
  if (rows.length <= max) return rows;
  const keep = new Set((new Rng(seed).shuffle([...rows]) as number[]).slice(0, max));
  return rows.filter((r) => keep.has(r));
}

/** Block-averaged pixels: n × (s × s × channels), s = min(side, 16). */
export function downscaled(set: ImageSet, rows: number[]): { x: Float32Array; d: number } {
  const s = Math.min(set.side, 16);
  const c = set.channels;
  const d = s * s * c;
  const x = new Float32Array(rows.length * d);
  const size = set.side * set.side * c;
  const scale = set.side / s;
  rows.forEach((r, i) => {
    for (let y = 0; y < s; y++) {
      for (let xx = 0; xx < s; xx++) {
        for (let k = 0; k < c; k++) {
          let sum = 0;
          let count = 0;
          for (let py = Math.floor(y * scale); py < Math.floor((y + 1) * scale); py++) {
            for (let px = Math.floor(xx * scale); px < Math.floor((xx + 1) * scale); px++) {
              sum += set.x[r * size + (py * set.side + px) * c + k]!;
              count++;
            }
          }
          x[i * d + (y * s + xx) * c + k] = sum / Math.max(count, 1) / 255;
        }
      }
    }
  });
  return { x, d };
}

function standardise(x: Float32Array, d: number, mean: Float64Array, std: Float64Array): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! - mean[i % d]!) / std[i % d]!;
  return x;
}

/** Test-split probabilities of both baselines (n_test × classes). */
export async function baselineProbabilities(
  tf: Tf,
  set: ImageSet,
  split: { train: number[]; validation: number[]; test: number[] },
  classes: string[],
  classWeights: number[],
  seed: number,
  signal: AbortSignal,
  firstBatch?: FirstBatchHook,
): Promise<{ majority: Float32Array; linear: Float32Array }> {
  const target: TargetSpec = { column: 'label', task: 'multiclass', classes };
  const yOf = (rows: number[]) => Float32Array.from(rows, (r) => set.y[r]!);
  const trainRows = sample(split.train, LINEAR_MAX_TRAIN, seedFor(seed, 'linear-sample'));
  const validationRows = sample(split.validation, LINEAR_MAX_VALIDATION, seedFor(seed, 'linear-sample-validation'));
  const train = downscaled(set, trainRows);
  const d = train.d;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < train.x.length; i++) {
    mean[i % d]! += train.x[i]!;
    sq[i % d]! += train.x[i]! ** 2;
  }
  const n = Math.max(trainRows.length, 1);
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    mean[j]! /= n;
    std[j] = Math.max(Math.sqrt(Math.max(sq[j]! / n - mean[j]! ** 2, 0)), 1e-3);
  }
  const data = (rows: number[], x: Float32Array): Dataset => {
    const y = yOf(rows);
    return { x: standardise(x, d, mean, std), y, w: Float32Array.from(y, (c) => classWeights[c]!), n: rows.length };
  };
  const trainSet = data(trainRows, train.x);
  const validation = data(validationRows, downscaled(set, validationRows).x);
  const test = data(split.test, downscaled(set, split.test).x);
  const k = classes.length;
  const linear = new Mlp(tf, { inputs: d, hidden: [], outputs: k, dropout: 0 }, new Rng(seedFor(seed, 'linear-init')));
  await fit(linear, trainSet, validation, { task: 'multiclass', batchSize: 64, learningRate: 3e-3, maxEpochs: 60, patience: 5, signal, ...(firstBatch ? { firstBatch } : {}) }, seedFor(seed, 'linear-fit'));
  const linearOut = outputsFromLogits(target, linear.logits(test.x, test.n), test.n);
  const majorityOut = majorityOutputs(target, yOf(split.train), test.n);
  if (linearOut.kind !== 'classes' || majorityOut.kind !== 'classes') throw new Error('classification baselines gave values');
  return { linear: linearOut.probs, majority: majorityOut.probs };
}
