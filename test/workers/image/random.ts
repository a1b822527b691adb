/**
 * Seeded test data for the image kernels' and trainer's tests, one copy for all of them: a small
 * LCG (the tests must not depend on tfjs's random ops; this module does not load tfjs), values in
 * [-1, 1), random batches for the CNN step, the gradients of a convolution on tf's active backend,
 * and the relative difference the kernels are checked with.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { CnnSpec } from '../../../workers/image/model.js';

/** The LCG's successive 32-bit states from a seed (Numerical Recipes' constants). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** Deterministic values in [-1, 1). */
export function values(count: number, seed: number): Float32Array {
  const next = lcg(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = next() / 2 ** 31 - 1;
  return out;
}

/** The largest absolute difference over the largest magnitude of the reference `b`. */
export function maxRelativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  return diff / Math.max(scale, 1e-6);
}

/** One training batch for the CNN step: pictures, labels, class weights and (with dropout) a dropout mask at rate 0.3. */
export interface Batch {
  x: Float32Array;
  labels: Int32Array;
  weights: Float32Array;
  wSum: number;
  mask: Float32Array | null;
  b: number;
}

/** A random batch of `b` pictures from `seed`; labels, weights and mask from `labelSeed`. */
export function randomBatch(spec: CnnSpec, b: number, seed: number, dropout: boolean, labelSeed = seed + 1): Batch {
  const x = values(b * spec.side * spec.side * spec.channels, seed);
  const r = values(b * (spec.dense + 2), labelSeed);
  const labels = Int32Array.from({ length: b }, (_, i) => Math.floor(((r[i]! + 1) / 2) * spec.classes) % spec.classes);
  const weights = Float32Array.from({ length: b }, (_, i) => 0.5 + (r[b + i]! + 1) / 2);
  const mask = dropout ? Float32Array.from({ length: b * spec.dense }, (_, i) => (r[2 * b + i]! < -0.4 ? 0 : 1 / 0.7)) : null;
  return { x, labels, weights, wSum: weights.reduce((s, v) => s + v, 0), mask, b };
}

/**
 * Gradients of Σ op(x, W) ⊙ r with respect to x and W on tf's active backend, x, W and r random
 * from `seed`, `seed + 1` and `seed + 2`: what the convolution kernels are checked on.
 */
export function convGradients(
  tf: typeof tfjs,
  op: (x: tfjs.Tensor4D, w: tfjs.Tensor4D) => tfjs.Tensor,
  xShape: [number, number, number, number],
  wShape: [number, number, number, number],
  seed: number,
): { dx: Float32Array; dw: Float32Array } {
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor4d(values(size(xShape), seed), xShape);
  const wt = tf.tensor4d(values(size(wShape), seed + 1), wShape);
  const outShape = tf.tidy(() => op(x, wt).shape);
  const r = tf.tensor(values(size(outShape), seed + 2), outShape);
  const [dx, dw] = tf.grads((a: tfjs.Tensor, b: tfjs.Tensor) => tf.sum(tf.mul(op(a as tfjs.Tensor4D, b as tfjs.Tensor4D), r)))([x, wt]);
  const result = { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  tf.dispose([x, wt, r, dx!, dw!]);
  return result;
}
