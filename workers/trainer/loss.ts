/**
 * Output activations and losses, computed in JavaScript on the network's logits. They are cheap
 * (n × k numbers) and doing them here keeps the tfjs graph to the matrix products, where the time is.
 */
import type { Task } from './task.js';

/** Mean weighted loss of a batch and its gradient with respect to the logits. */
export interface LossResult {
  loss: number;
  grad: Float32Array;
}

/**
 * `logits` is n × k row-major; `y` holds class indices (classification) or standardised values
 * (regression, n × k); `w` per-row weights (class weights), or null for 1. The loss is Σ wᵢ·lᵢ / n, the
 * convention Keras uses for class weights.
 */
export function lossAndGrad(task: Task, logits: Float32Array, y: Float32Array, w: Float32Array | null, n: number, wantGrad = true): LossResult {
  const k = logits.length / n;
  const grad = new Float32Array(wantGrad ? logits.length : 0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const weight = w ? w[i]! : 1;
    const target = y[i]!;
    if (task === 'binary') {
      const z = logits[i]!;
      // log(1 + e^z) − y·z, written to stay finite for large |z|; e^−|z| also gives the sigmoid.
      const e = Math.exp(-Math.abs(z));
      total += weight * (Math.max(z, 0) - z * target + Math.log1p(e));
      if (wantGrad) grad[i] = (weight * ((z >= 0 ? 1 : e) / (1 + e) - target)) / n;
    } else if (task === 'multiclass') {
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]!);
      let sum = 0;
      for (let j = 0; j < k; j++) sum += Math.exp(logits[i * k + j]! - max);
      total += weight * (Math.log(sum) + max - logits[i * k + target]!);
      if (wantGrad) {
        for (let j = 0; j < k; j++) {
          const p = Math.exp(logits[i * k + j]! - max) / sum;
          grad[i * k + j] = (weight * (p - (j === target ? 1 : 0))) / n;
        }
      }
    } else {
      // k outputs (e.g. a forecast's horizon steps): y is n × k too; the loss is the mean over all of them.
      for (let j = 0; j < k; j++) {
        const diff = logits[i * k + j]! - y[i * k + j]!;
        total += (weight * diff * diff) / k;
        if (wantGrad) grad[i * k + j] = (2 * weight * diff) / (n * k);
      }
    }
  }
  return { loss: total / n, grad };
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Class probabilities from logits: n × 2 for binary (P(negative), P(positive)), n × k for
 * multiclass. Regression has none.
 */
export function probabilities(task: 'binary' | 'multiclass', logits: Float32Array, n: number): Float32Array {
  if (task === 'binary') {
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(logits[i]!);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  const k = logits.length / n;
  const out = new Float32Array(logits.length);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += out[i * k + j] = Math.exp(logits[i * k + j]! - max);
    for (let j = 0; j < k; j++) out[i * k + j]! /= sum;
  }
  return out;
}
