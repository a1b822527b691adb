/**
 * Reference training steps, one small model per pilot kind, timed on a given backend with random
 * data of the right shape. The figure is throughput (samples per second) of one training step,
 * which is what a pilot's training time scales with; accuracy is not the point here.
 *
 * Tabular pilots are trained by the trainer's own network (workers/trainer/mlp.ts), several times
 * faster than tf.layers on wasm, so that is what is timed for them: the wizard's and the verdicts'
 * time estimates then describe the training that will actually run. Image pilots likewise: their
 * trainer's CNN with its own step (on wasm the direct-kernel `WasmCnn`), see bench-image.ts. The
 * other kinds have no trainer of their own yet and are timed with tf.layers' `trainOnBatch`.
 */
import { performance } from 'node:perf_hooks';
import { throwIfCancelled } from '../protocol.js';
import { Mlp, type MlpSpec } from '../trainer/mlp.js';
import { Rng } from '../trainer/random.js';
import { benchImageShapes, type ImageBenchPoint, type ImageBenchShape } from './bench-image.js';
import type { PilotKind } from './types.js';

type Tf = typeof import('@tensorflow/tfjs');
type Tensor = import('@tensorflow/tfjs').Tensor;
type LayersModel = import('@tensorflow/tfjs').LayersModel;

/** One reference model: its network, or how to build it as a tf.layers model, and a batch for it. */
export type ReferenceModel = {
  /** Shown in reports, e.g. "MLP 100→64→64→1, batch 256". */
  description: string;
  /** What one sample is. */
  unit: string;
  batch: number;
} & (
  | {
      /** Timed with the trainer's network (binary classification on random rows). */
      network: MlpSpec;
    }
  | {
      /** Timed with the image trainer's network and step at each of these shapes (bench-image.ts); the last is the typical pilot's. */
      image: ImageBenchShape[];
    }
  | {
      build: (tf: Tf) => LayersModel;
      data: (tf: Tf, batch: number) => { x: Tensor; y: Tensor };
    }
);

/** The reference models. Tabular matches the trainer's reference MLP (issue 5's bench). */
export const REFERENCE_MODELS: Record<PilotKind, ReferenceModel> = {
  tabular: {
    description: 'MLP 100→64→64→1, batch 256',
    unit: 'rows',
    batch: 256,
    network: { inputs: 100, hidden: [64, 64], outputs: 1, dropout: 0 },
  },
  // The image trainer's own network and step (bench-image.ts): at 28 × 28 grey (Fashion-MNIST's size, the trainer's
  // smallest default side) and 64 × 64 colour (the typical pilot, typical.ts). Batch 8 in quick mode: a few steps
  // then cost about a CPU-second on wasm, where the trainer's batch of 64 made the quick benchmark run minutes.
  image: {
    description: "the image trainer's CNN (conv 32 → pool → conv 64 → pool [→ conv 128 → pool] → dense 128 → 10)",
    unit: 'images',
    batch: 8,
    image: [
      { side: 28, channels: 1, classes: 10, trainImages: 3500 },
      { side: 64, channels: 3, classes: 10, trainImages: 3500 },
    ],
  },
  // A bag-of-words classifier: the token counts of a 1,000-word hashed vocabulary into an MLP. An
  // embedding layer would be the textbook model, but its gradient (UnsortedSegmentSum) is missing on
  // wasm and takes minutes per batch on the cpu backend, so no pilot here would use one.
  text: {
    description: 'bag of words, 1,000 hashed terms → 32 → 1, batch 64',
    unit: 'documents',
    batch: 64,
    build: (tf) => {
      const model = tf.sequential();
      model.add(tf.layers.dense({ inputShape: [1000], units: 32, activation: 'relu' }));
      model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
      return model;
    },
    data: (tf, batch) => ({ x: tf.tidy(() => tf.randomUniform([batch, 1000], 0, 3, 'int32').toFloat()), y: tf.tidy(() => tf.randomUniform([batch, 1]).round()) }),
  },
  anomaly: {
    description: 'autoencoder 30→16→8→16→30, batch 256',
    unit: 'rows',
    batch: 256,
    build: (tf) => {
      const model = tf.sequential();
      model.add(tf.layers.dense({ inputShape: [30], units: 16, activation: 'relu' }));
      model.add(tf.layers.dense({ units: 8, activation: 'relu' }));
      model.add(tf.layers.dense({ units: 16, activation: 'relu' }));
      model.add(tf.layers.dense({ units: 30 }));
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
      return model;
    },
    data: (tf, batch) => {
      const x = tf.randomNormal([batch, 30]);
      return { x, y: x.clone() };
    },
  },
  timeseries: {
    description: 'windowed MLP, 48 past values → 32 → 1, batch 256',
    unit: 'windows',
    batch: 256,
    build: (tf) => {
      const model = tf.sequential();
      model.add(tf.layers.dense({ inputShape: [48], units: 32, activation: 'relu' }));
      model.add(tf.layers.dense({ units: 1 }));
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
      return model;
    },
    data: (tf, batch) => ({ x: tf.randomNormal([batch, 48]), y: tf.randomNormal([batch, 1]) }),
  },
};

/**
 * Samples per second of the reference model of `kind` on the active backend: one warm-up batch
 * (graph building, kernel compilation), then batches until `budgetMs` has passed (at least
 * `minBatches`; quick mode takes one, since a CNN batch on the cpu backend alone takes a second).
 */
export async function benchTraining(tf: Tf, kind: PilotKind, budgetMs: number, signal: AbortSignal, minBatches = 2): Promise<number> {
  const spec = REFERENCE_MODELS[kind];
  if ('network' in spec) return benchNetwork(tf, spec.network, spec.batch, budgetMs, signal, minBatches);
  if ('image' in spec) return (await benchImageTraining(tf, budgetMs, signal, minBatches)).at(-1)?.imagesPerSec ?? 0;
  const model = spec.build(tf);
  const { x, y } = spec.data(tf, spec.batch);
  try {
    await model.trainOnBatch(x, y);
    let batches = 0;
    const start = performance.now();
    while (batches < minBatches || performance.now() - start < budgetMs) {
      throwIfCancelled(signal);
      await model.trainOnBatch(x, y);
      batches++;
    }
    const seconds = (performance.now() - start) / 1000;
    return (batches * spec.batch) / seconds;
  } finally {
    x.dispose();
    y.dispose();
    // model.dispose() leaves the optimizer's slot variables (Adam: two per weight) behind.
    model.optimizer?.dispose();
    model.dispose();
  }
}

/** The same measurement for the trainer's network: one warm-up step, then steps until `budgetMs`. */
async function benchNetwork(tf: Tf, network: MlpSpec, batch: number, budgetMs: number, signal: AbortSignal, minBatches: number): Promise<number> {
  const rng = new Rng(1);
  const mlp = new Mlp(tf, network, rng);
  const x = Float32Array.from({ length: batch * network.inputs }, () => rng.next() * 2 - 1);
  const y = Float32Array.from({ length: batch }, () => rng.int(2));
  mlp.trainBatch('binary', x, y, null, batch, 1e-3, rng);
  let batches = 0;
  const start = performance.now();
  while (batches < minBatches || performance.now() - start < budgetMs) {
    throwIfCancelled(signal);
    mlp.trainBatch('binary', x, y, null, batch, 1e-3, rng);
    batches++;
    // Let a cancel message in between steps, as the trainer's loop does.
    if (batches % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return (batches * batch) / ((performance.now() - start) / 1000);
}

/**
 * The image reference: the trainer's network at each reference shape, `minBatches` + 1 steps each
 * (at least 2 timed), while the CPU spent stays under `budgetMs` × 4 (else the larger shape is
 * scaled from the smaller by FLOPs). The plain-JavaScript cpu backend is ~50× slower than wasm:
 * there a batch of 2 and one timed step, the 64 px figure scaled.
 */
export async function benchImageTraining(tf: Tf, budgetMs: number, signal: AbortSignal, minBatches = 2): Promise<ImageBenchPoint[]> {
  const spec = REFERENCE_MODELS.image;
  if (!('image' in spec)) throw new Error('the image reference model should time the image trainer');
  const slow = tf.getBackend() === 'cpu';
  return benchImageShapes(tf, spec.image, slow ? 2 : Math.max(spec.batch, Math.min(32, Math.round(budgetMs / 150))), slow ? 1 : Math.max(2, minBatches), slow ? 0 : budgetMs * 4, signal, !slow);
}
