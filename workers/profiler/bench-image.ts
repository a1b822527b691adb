/**
 * The image pilots' reference training step, timed: the network the image trainer builds for
 * 28 × 28 grey pictures of 10 classes with ≥ 2,000 training pictures (workers/image/model.ts:
 * conv 32 → pool → conv 64 → pool → dense 128 → 10), trained as its loop trains it (logits in
 * training mode with a dropout mask, softmax cross-entropy, Adam), with the wasm kernels the
 * trainer registers. So the hardware verdict's and the wizard's time estimates for image pilots
 * describe the network that actually trains, as the tabular ones do.
 */
import { performance } from 'node:perf_hooks';
import type * as tfjs from '@tensorflow/tfjs';
import { throwIfCancelled } from '../protocol.js';
import { buildCnn, cnnSpec, trainingLogits } from '../image/model.js';
import { registerWasmConvKernels } from '../image/wasm-conv.js';
import { Rng } from '../trainer/random.js';

type Tf = typeof tfjs;

/** Images per second of one training step of the image trainer's network on the active backend. */
export async function benchImageNetwork(tf: Tf, shape: { side: number; channels: 1 | 3; classes: number }, batch: number, budgetMs: number, signal: AbortSignal, minBatches: number): Promise<number> {
  if (tf.getBackend() === 'wasm') registerWasmConvKernels();
  const spec = cnnSpec(shape.side, shape.channels, shape.classes, 2000, tf.getBackend() === 'tensorflow');
  const model = buildCnn(tf, spec, 1);
  const optimizer = tf.train.adam(2e-3);
  const rng = new Rng(1);
  const x = tf.tensor4d(Float32Array.from({ length: batch * shape.side * shape.side * shape.channels }, () => rng.next() * 2 - 1), [batch, shape.side, shape.side, shape.channels]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, () => rng.int(shape.classes)), 'int32'), shape.classes));
  const mask = tf.tensor2d(Float32Array.from({ length: batch * spec.dense }, () => (rng.next() < spec.dropout ? 0 : 1 / (1 - spec.dropout))), [batch, spec.dense]);
  const variables = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  const step = () => {
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, trainingLogits(tf, model, x as tfjs.Tensor4D, mask as tfjs.Tensor2D)) as tfjs.Scalar, true, variables);
    cost?.dataSync();
    cost?.dispose();
  };
  try {
    step();
    let batches = 0;
    const start = performance.now();
    while (batches < minBatches || performance.now() - start < budgetMs) {
      throwIfCancelled(signal);
      step();
      batches++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return (batches * batch) / ((performance.now() - start) / 1000);
  } finally {
    tf.dispose([x, y, mask]);
    optimizer.dispose();
    model.dispose();
  }
}
