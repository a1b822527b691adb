/**
 * Compute micro-benchmarks: matrix multiply GFLOP/s on a TensorFlow.js backend, and memory
 * bandwidth as a large typed-array copy. Each runs for a time budget rather than a fixed count, so
 * quick mode stays quick on slow machines and full mode is steady on fast ones.
 */
import { performance } from 'node:perf_hooks';
import { throwIfCancelled } from '../protocol.js';

type Tf = typeof import('@tensorflow/tfjs');

/** FLOPs of an n×n by n×n product: n³ multiplies and n³ adds. */
export function matmulFlops(n: number): number {
  return 2 * n ** 3;
}

/**
 * GFLOP/s of `tf.matMul` for n×n float32 matrices on the active backend: one warm-up product
 * (kernel compilation, buffer allocation) then as many as fit in `budgetMs`, at least two.
 */
export async function benchMatmul(tf: Tf, n: number, budgetMs: number, signal: AbortSignal): Promise<number> {
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  try {
    const warm = tf.matMul(a, b);
    await warm.data();
    warm.dispose();
    let reps = 0;
    const start = performance.now();
    while (reps < 2 || performance.now() - start < budgetMs) {
      throwIfCancelled(signal);
      const product = tf.matMul(a, b);
      await product.data();
      product.dispose();
      reps++;
    }
    const seconds = (performance.now() - start) / 1000;
    return (matmulFlops(n) * reps) / seconds / 1e9;
  } finally {
    a.dispose();
    b.dispose();
  }
}

/**
 * Memory bandwidth in GB/s: copies a Float64Array of `bytes` into another, counting the bytes read
 * plus the bytes written (the convention of the STREAM "copy" figure).
 */
export async function benchMemory(bytes: number, budgetMs: number, signal: AbortSignal): Promise<number> {
  const length = Math.floor(bytes / 8);
  const source = new Float64Array(length);
  for (let i = 0; i < length; i += 512) source[i] = i;
  const target = new Float64Array(length);
  target.set(source); // touch every page before timing
  let copies = 0;
  const start = performance.now();
  while (copies < 2 || performance.now() - start < budgetMs) {
    throwIfCancelled(signal);
    target.set(source);
    copies++;
    // Yield so a cancel message can be handled between copies.
    if (copies % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (performance.now() - start) / 1000;
  return (2 * length * 8 * copies) / seconds / 1e9;
}
