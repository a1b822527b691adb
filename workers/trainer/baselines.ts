/**
 * The "majority" baseline: what you get with no model at all — always the most frequent class
 * (with the training class frequencies as probabilities), or always the training mean. The linear
 * baseline is the same MLP code with no hidden layer (logistic / linear regression), see engine.ts.
 */
import type { Outputs } from './evaluate.js';
import type { TargetSpec } from './task.js';
import { maxOf } from '../extent.js';

/** Predictions of the no-model baseline for `n` rows, learned from the training targets `yTrain`. */
export function majorityOutputs(target: TargetSpec, yTrain: Float32Array, n: number): Outputs {
  if (target.task === 'regression') {
    // Standardised on the training split, so the training mean is exactly target.mean.
    return { kind: 'values', values: new Float64Array(n).fill(target.mean) };
  }
  const k = target.classes.length;
  const frequency = new Float64Array(k);
  for (const y of yTrain) frequency[y]!++;
  for (let c = 0; c < k; c++) frequency[c]! /= Math.max(yTrain.length, 1);
  const majority = frequency.indexOf(maxOf(frequency));
  const probs = new Float32Array(n * k);
  // The frequencies as probabilities (a calibrated log loss), nudged so the decision is the majority class.
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) probs[i * k + c] = frequency[c]!;
  if (target.task === 'binary' && majority === 1 && frequency[1]! < 0.5) for (let i = 0; i < n; i++) probs[2 * i + 1] = 0.5;
  return { kind: 'classes', probs };
}
