/**
 * The network: conv 3×3 → (batch norm) → ReLU → max-pool blocks until the maps are at most 8 × 8,
 * then flatten → dense ReLU → dropout → dense → softmax. Sized from the data: 16 filters in the
 * first block under 2,000 training pictures, else 32, doubling per block; the dense layer 64 or
 * 128 wide. At 28 × 28 with 32 filters this is the reference network of the issue
 * (conv 32 → pool → conv 64 → pool → dense 128 → classes), so bench/train-image.mjs measures the
 * network pilots actually train.
 *
 * The model is a plain tf.layers model (saved as is), but training calls its layers one by one:
 * dropout masks come from the run's seeded generator instead of tfjs's unseeded random ops, and
 * the loss is taken on the logits before the softmax layer.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;

/** What the network looks like (saved in metadata.json). */
export interface CnnSpec {
  side: number;
  channels: 1 | 3;
  classes: number;
  /** Filters of each conv block. */
  filters: number[];
  batchNorm: boolean;
  dense: number;
  dropout: number;
}

/** The network for pictures of `side` px and `trainImages` training pictures. */
export function cnnSpec(side: number, channels: 1 | 3, classes: number, trainImages: number, batchNorm: boolean): CnnSpec {
  const base = trainImages < 2000 ? 16 : 32;
  const filters: number[] = [];
  for (let s = side; s > 8 || filters.length === 0; s = Math.floor(s / 2)) filters.push(base * 2 ** filters.length);
  return { side, channels, classes, filters, batchNorm, dense: trainImages < 2000 ? 64 : 128, dropout: 0.3 };
}

/** Multiply-adds × 2 of one training step per picture (forward, input gradient, filter gradient ≈ 3 × forward). */
export function trainingFlops(spec: CnnSpec): number {
  let side = spec.side;
  let ci: number = spec.channels;
  let forward = 0;
  for (const co of spec.filters) {
    forward += 2 * side * side * 9 * ci * co;
    side = Math.floor(side / 2);
    ci = co;
  }
  forward += 2 * side * side * ci * spec.dense + 2 * spec.dense * spec.classes;
  return 3 * forward;
}

/** Builds the model with seeded initial weights. */
export function buildCnn(tf: Tf, spec: CnnSpec, seed: number): tfjs.Sequential {
  const model = tf.sequential({ name: 'image_classifier' });
  let s = seed;
  const he = () => tf.initializers.heNormal({ seed: s++ });
  spec.filters.forEach((filters, i) => {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [spec.side, spec.side, spec.channels] } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: !spec.batchNorm,
        kernelInitializer: he(),
        name: `conv_${i + 1}`,
      }),
    );
    if (spec.batchNorm) model.add(tf.layers.batchNormalization({ name: `bn_${i + 1}` }));
    model.add(tf.layers.reLU({ name: `relu_${i + 1}` }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2, name: `pool_${i + 1}` }));
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ units: spec.dense, activation: 'relu', kernelInitializer: he(), name: 'dense' }));
  model.add(tf.layers.dropout({ rate: spec.dropout, name: 'dropout' }));
  model.add(tf.layers.dense({ units: spec.classes, kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }), name: 'logits' }));
  model.add(tf.layers.softmax({ name: 'probabilities' }));
  return model;
}

/**
 * Logits in training mode: batch statistics in batch norm (and its moving averages updated),
 * `dropoutMask` (batch × dense, already scaled by 1 / (1 − rate)) in place of the dropout layer.
 * From layer `from` on (`x` is then that layer's input: a frozen backbone's stored features, feature-cache.ts).
 */
export function trainingLogits(tf: Tf, model: tfjs.Sequential, x: tfjs.Tensor, dropoutMask: tfjs.Tensor2D | null, from = 0): tfjs.Tensor2D {
  let h: tfjs.Tensor = x;
  for (const layer of model.layers.slice(from)) {
    if (layer.getClassName() === 'Softmax') break;
    if (layer.getClassName() === 'Dropout') {
      if (dropoutMask) h = tf.mul(h, dropoutMask);
      continue;
    }
    // An imported backbone always runs in inference mode (its batch norm keeps its statistics), also when its last block is fine-tuned.
    h = layer.apply(h, { training: !('layers' in layer) }) as tfjs.Tensor;
  }
  return h as tfjs.Tensor2D;
}

/** Logits in inference mode (moving averages, no dropout), the layers applied in order (every saved image model is a chain: `buildCnn`, `buildTransfer`). */
export function inferenceLogits(model: tfjs.LayersModel, x: tfjs.Tensor, from = 0): tfjs.Tensor2D {
  let h: tfjs.Tensor = x;
  for (const layer of model.layers.slice(from)) {
    if (layer.getClassName() === 'Softmax') break;
    h = layer.apply(h, { training: false }) as tfjs.Tensor;
  }
  return h as tfjs.Tensor2D;
}

/**
 * The model's weight variables in one fixed order (trainable, then batch-norm statistics and
 * frozen backbone weights). Read and written variable by variable: tf.layers' `setWeights` walks
 * layers in order while `getWeights` lists trainable weights first, which disagree as soon as a
 * layer holds frozen or non-trainable weights (a frozen backbone, batch norm).
 */
function variablesOf(model: tfjs.LayersModel): tfjs.LayerVariable[] {
  return model.weights;
}

/** Copies of all weights (trainable and batch-norm statistics), in `variablesOf` order. */
export function snapshot(model: tfjs.LayersModel): Float32Array[] {
  return variablesOf(model).map((w) => Float32Array.from(w.read().dataSync()));
}

/** Restores weights taken by `snapshot` (in each variable's own dtype: a graph backbone holds int32 constants). */
export function restore(tf: Tf, model: tfjs.LayersModel, values: Float32Array[]): void {
  variablesOf(model).forEach((w, i) => {
    const t = tf.tensor(values[i]!, w.shape as number[], w.dtype);
    w.write(t);
    t.dispose();
  });
}
