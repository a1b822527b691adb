/**
 * The image pilots' training step, timed on the network the image trainer actually builds
 * (workers/image/model.ts `cnnSpec` + `buildCnn`) and with the step it actually takes: on wasm the
 * trainer's direct-kernel step (`WasmCnn`, XNNPACK products below the tensor API), elsewhere the
 * tensor path of its loop (logits in training mode, seeded dropout mask, softmax cross-entropy,
 * Adam). Synthetic pixels and labels: speed, not accuracy, is the point.
 *
 * It must stay cheap (the quick benchmark is a minute at most on a busy machine): a small batch,
 * one warm-up step and `minBatches` timed steps per picture side, and a side is measured only while
 * the CPU spent so far stays under `cpuBudgetMs`; a side not measured is scaled from the measured
 * one by the networks' multiply-adds (`trainingFlops`), and says so.
 */
import { performance } from 'node:perf_hooks';
import type * as tfjs from '@tensorflow/tfjs';
import { throwIfCancelled } from '../protocol.js';
import { WasmCnn } from '../image/cnn-wasm.js';
import { buildCnn, cnnSpec, trainingFlops, trainingLogits, type CnnSpec } from '../image/model.js';

export { trainingFlops };
import { Rng } from '../trainer/random.js';

type Tf = typeof tfjs;

/** One network shape to time: the trainer's network for these pictures. */
export interface ImageBenchShape {
  side: number;
  channels: 1 | 3;
  classes: number;
  /** Training pictures: the trainer sizes its filters from this (16 or 32 in the first block). */
  trainImages: number;
}

/** Images per second at one picture side; `measured` false when scaled from another side's figure. */
export interface ImageBenchPoint extends ImageBenchShape {
  imagesPerSec: number;
  measured: boolean;
  /** The step that was timed: the trainer's wasm step or its tensor path. */
  step: 'wasm-direct' | 'tensor';
  batch: number;
}

/** The network the trainer builds for `shape` on `backend` (batch norm only on tensorflow, as its default). */
export function specFor(shape: ImageBenchShape, backend: string): CnnSpec {
  return cnnSpec(shape.side, shape.channels, shape.classes, shape.trainImages, backend === 'tensorflow');
}

/** Images per second of `minBatches` training steps (after one warm-up step, where `warmUp`: wasm builds its XNNPACK operators then)
 * of the trainer's network for `shape`. */
async function timeOne(tf: Tf, shape: ImageBenchShape, batch: number, minBatches: number, warmUp: boolean, signal: AbortSignal): Promise<{ imagesPerSec: number; step: ImageBenchPoint['step'] }> {
  const spec = specFor(shape, tf.getBackend());
  const model = buildCnn(tf, spec, 1);
  try {
    return await timeTrainingStep(tf, model, spec, batch, minBatches, warmUp, signal);
  } finally {
    model.dispose();
  }
}

/**
 * Images per second of `steps` training steps of `model` (built by buildCnn or buildTransfer for
 * `spec`) on synthetic pictures, as the trainer's loop takes them: its wasm step where that applies,
 * else logits in training mode + Adam through the tensor API. The model's weights change; the
 * caller disposes it.
 */
export async function timeTrainingStep(tf: Tf, model: tfjs.Sequential, spec: CnnSpec, batch: number, steps: number, warmUp: boolean, signal: AbortSignal): Promise<{ imagesPerSec: number; step: ImageBenchPoint['step'] }> {
  const rng = new Rng(1);
  const size = spec.side * spec.side * spec.channels;
  const x = Float32Array.from({ length: batch * size }, () => rng.next() * 2 - 1);
  const labels = Int32Array.from({ length: batch }, () => rng.int(spec.classes));
  const weights = new Float32Array(batch).fill(1);
  const mask = Float32Array.from({ length: batch * spec.dense }, () => (rng.next() < spec.dropout ? 0 : 1 / (1 - spec.dropout)));
  const optimizer = tf.train.adam(2e-3);
  const fast = WasmCnn.supports(tf, model, spec) ? new WasmCnn(tf, spec, model, batch) : null;
  const variables = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  const step = () => {
    if (fast) {
      fast.step(x, batch, labels, weights, batch, mask, 2e-3);
      return;
    }
    const cost = tf.tidy((): tfjs.Scalar => {
      const xs = tf.tensor4d(x, [batch, spec.side, spec.side, spec.channels]);
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), spec.classes);
      const m = tf.tensor2d(mask, [batch, spec.dense]);
      return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, trainingLogits(tf, model, xs, m)) as tfjs.Scalar, true, variables) ?? tf.scalar(0);
    });
    cost.dataSync();
    cost.dispose();
  };
  try {
    if (warmUp) step();
    const start = performance.now();
    for (let i = 0; i < steps; i++) {
      throwIfCancelled(signal);
      step();
      // Let a cancel message in between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { imagesPerSec: (steps * batch) / ((performance.now() - start) / 1000), step: fast ? 'wasm-direct' : 'tensor' };
  } finally {
    optimizer.dispose();
  }
}

/** CPU milliseconds this process has used (all threads). */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * Times the trainer's network at each of `shapes` (in order, cheapest first). Once the CPU spent
 * exceeds `cpuBudgetMs`, the remaining shapes are scaled from the last measured one by their
 * training FLOPs instead of timed. The first shape is always timed.
 */
export async function benchImageShapes(tf: Tf, shapes: ImageBenchShape[], batch: number, minBatches: number, cpuBudgetMs: number, signal: AbortSignal, warmUp = true): Promise<ImageBenchPoint[]> {
  const started = cpuMs();
  const points: ImageBenchPoint[] = [];
  const backend = tf.getBackend();
  for (const shape of shapes) {
    throwIfCancelled(signal);
    const last = points.at(-1);
    if (last && cpuMs() - started > cpuBudgetMs) {
      const ratio = trainingFlops(specFor(last, backend)) / trainingFlops(specFor(shape, backend));
      points.push({ ...shape, imagesPerSec: last.imagesPerSec * ratio, measured: false, step: last.step, batch });
      continue;
    }
    const timed = await timeOne(tf, shape, batch, Math.max(1, minBatches), warmUp, signal);
    points.push({ ...shape, imagesPerSec: timed.imagesPerSec, measured: true, step: timed.step, batch });
  }
  return points;
}
