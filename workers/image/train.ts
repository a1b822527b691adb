/**
 * The training loop: seeded batch order, augmentation and dropout; Adam; per-class loss weights;
 * early stopping on validation loss with the best epoch's weights restored; a callback per epoch
 * (progress, checkpoint) and cancellation within one batch.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { epochsLeftSeconds } from '../eta.js';
import { throwIfCancelled } from '../protocol.js';
import { Rng } from '../trainer/random.js';
import { fillBatch, type ImageSet, type Normalisation } from './data.js';
import { inferenceLogits, restore, snapshot, trainingLogits, type CnnSpec } from './model.js';
import { WasmCnn } from './cnn-wasm.js';
import type { FirstBatchHook } from '../tfjs/first-batch.js';
import { GradientHelper, parallelStep } from './parallel.js';
import { copyFeatures, type FeatureCache } from './feature-cache.js';

type Tf = typeof tfjs;

/** One epoch of the history (streamed to the live chart). */
export interface ImageEpochRecord {
  epoch: number;
  loss: number;
  valLoss: number;
  /** Training accuracy over the epoch's (augmented) batches. */
  accuracy: number;
  valAccuracy: number;
  /** Training images per second in this epoch. */
  samplesPerSec: number;
  seconds: number;
  /** Seconds left to the epoch limit at this epoch's pace (validation included): the job's ETA too (workers/eta.ts). */
  etaSeconds: number;
}

/** The loop's state, checkpointed each epoch so a resumed run continues exactly. */
export interface LoopState {
  epoch: number;
  rngState: number;
  wait: number;
  best: { valLoss: number; epoch: number; weights: Float32Array[] } | null;
  history: ImageEpochRecord[];
}

/** Settings of the loop. */
export interface LoopOptions {
  maxEpochs: number;
  patience: number;
  batchSize: number;
  flips: boolean;
  augment: boolean;
  classWeights: number[];
  /** `cosine`: the learning rate falls from its value to 0 along a half cosine over all steps of `maxEpochs`. */
  schedule: 'constant' | 'cosine';
  /** The bundled second-thread entry when two threads may train (parallel.ts), else null. */
  threadEntry: string | null;
  signal: AbortSignal;
  onEpoch: (record: ImageEpochRecord, state: LoopState) => Promise<void>;
  /** Told before and after the first batch (its time, the GPU check: workers/tfjs/first-batch.ts). */
  firstBatch?: FirstBatchHook;
  /** A frozen backbone's stored features (feature-cache.ts): the head trains and validates on them instead of the pictures. */
  features?: FeatureCache | null;
}

/** What `trainLoop` returns. */
export interface LoopResult {
  history: ImageEpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  samplesPerSec: number;
  trainSeconds: number;
  /** Threads that computed gradients (2: data-parallel on two cores), and why. */
  threads: 1 | 2;
  threadsReason: string;
  /** The best epoch's validation probabilities when that epoch ran in this call (not after a resume past it), else null. */
  bestValidationProbs: Float32Array | null;
}

/** The learning rate of step `step` (0-based, counted over the whole run) of `total`. */
export function scheduledRate(base: number, schedule: 'constant' | 'cosine', step: number, total: number): number {
  if (schedule === 'constant' || total <= 0) return base;
  return base * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, total)) / total));
}

/** One training batch as the loop draws it: pictures (augmented when asked), dropout mask, labels and loss weights. */
export interface PreparedBatch {
  x: Float32Array;
  b: number;
  mask: Float32Array;
  labels: Int32Array;
  weights: Float32Array;
  wSum: number;
}

/**
 * Fills `out` (or a new buffer) with the pictures of `rows` and draws the batch's dropout mask,
 * consuming `rng` in the loop's fixed order (augmentation first, then the mask).
 */
export function prepareBatch(
  set: ImageSet,
  rows: number[],
  norm: Normalisation,
  spec: CnnSpec,
  weightOf: Float32Array,
  rng: Rng,
  augment: boolean,
  flips: boolean,
  out: Float32Array = new Float32Array(rows.length * set.side * set.side * set.channels),
): PreparedBatch {
  fillBatch(set, rows, norm, out, augment ? rng : null, flips);
  return withMask(set, rows, spec, weightOf, rng, out);
}

/**
 * The same batch from stored features: one view of each row (drawn by `rng` when there are several),
 * then the dropout mask, in the loop's order.
 */
export function prepareFeatureBatch(
  set: ImageSet,
  rows: number[],
  cache: FeatureCache,
  spec: CnnSpec,
  weightOf: Float32Array,
  rng: Rng,
  out: Float32Array = new Float32Array(rows.length * cache.size),
): PreparedBatch {
  rows.forEach((r, i) => copyFeatures(cache, r, cache.count[r]! > 1 ? rng.int(cache.count[r]!) : 0, out, i * cache.size));
  return withMask(set, rows, spec, weightOf, rng, out);
}

function withMask(set: ImageSet, rows: number[], spec: CnnSpec, weightOf: Float32Array, rng: Rng, out: Float32Array): PreparedBatch {
  const b = rows.length;
  const mask = new Float32Array(b * spec.dense);
  const keep = 1 / (1 - spec.dropout);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < spec.dropout ? 0 : keep;
  const labels = Int32Array.from(rows, (r) => set.y[r]!);
  const weights = Float32Array.from(labels, (c) => weightOf[c]!);
  const wSum = weights.reduce((s, v) => s + v, 0);
  return { x: out, b, mask, labels, weights, wSum };
}

/**
 * Pictures per inference batch: 256 small ones, fewer large ones (a batch's input at most ~2 M
 * values: 13 pictures at 224 × 224 × 3, whose activations in a backbone take ~40 MB each).
 */
export function inferenceBatch(side: number, channels: number): number {
  return Math.max(8, Math.min(256, Math.floor(2 ** 21 / (side * side * channels))));
}

/** Mean cross-entropy and accuracy of the model (inference mode) on `rows` (from their stored features when `features` is given). */
export function evaluateLoss(
  tf: Tf,
  model: tfjs.Sequential,
  set: ImageSet,
  rows: number[],
  norm: Normalisation,
  batch = inferenceBatch(set.side, set.channels),
  features: FeatureCache | null = null,
): { loss: number; accuracy: number; probs: Float32Array } {
  const k = model.outputs[0]!.shape[1] as number;
  const size = features ? features.size : set.side * set.side * set.channels;
  const shape = features ? features.shape : [set.side, set.side, set.channels];
  if (features) batch = 256;
  const probs = new Float32Array(rows.length * k);
  const buffer = new Float32Array(batch * size);
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < rows.length; start += batch) {
    const part = rows.slice(start, start + batch);
    if (features) part.forEach((r, i) => copyFeatures(features, r, 0, buffer, i * size));
    else fillBatch(set, part, norm, buffer, null, false);
    const p = tf.tidy(() => tf.softmax(inferenceLogits(model, tf.tensor(buffer.subarray(0, part.length * size), [part.length, ...shape]), features?.from ?? 0)).dataSync());
    probs.set(p, start * k);
    part.forEach((r, i) => {
      const y = set.y[r]!;
      loss -= Math.log(Math.max(p[i * k + y]!, 1e-7));
      let best = 0;
      for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c;
      if (best === y) correct++;
    });
  }
  return { loss: loss / Math.max(rows.length, 1), accuracy: correct / Math.max(rows.length, 1), probs };
}

/** Trains `model` in place; returns with the best epoch's weights restored. */
export async function trainLoop(
  tf: Tf,
  model: tfjs.Sequential,
  optimizer: tfjs.Optimizer,
  spec: CnnSpec,
  set: ImageSet,
  train: number[],
  validation: number[],
  norm: Normalisation,
  options: LoopOptions,
  seed: number,
  resume: LoopState | null,
): Promise<LoopResult> {
  const state: LoopState = resume ?? { epoch: 0, rngState: seed, wait: 0, best: null, history: [] };
  const cache = options.features ?? null;
  const size = cache ? cache.size : set.side * set.side * set.channels;
  const inputShape = cache ? cache.shape : [set.side, set.side, set.channels];
  const buffer = new Float32Array(options.batchSize * size);
  const variables = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  const weightOf = Float32Array.from(options.classWeights);
  let trainSeconds = state.history.reduce((s, h) => s + h.seconds, 0);
  let stoppedEarly = false;
  let bestValidationProbs: Float32Array | null = null;
  // On wasm the pilot's network trains below the tensor API (cnn-wasm.ts): same step, ~2× less CPU.
  const fast = !cache && WasmCnn.supports(tf, model, spec) ? new WasmCnn(tf, spec, model, options.batchSize) : null;
  if (fast) await fast.load(tf, optimizer);
  let helper: GradientHelper | null = null;
  let threadsReason = fast ? 'one thread' : 'one thread (the tensor path)';
  if (fast && options.threadEntry) {
    const started = await GradientHelper.start(
      options.threadEntry,
      spec,
      options.batchSize,
      fast.state.params.map((p) => p.length),
    );
    if (started instanceof GradientHelper) {
      helper = started;
      threadsReason = 'two data-parallel threads, each computing half of every batch';
    } else threadsReason = `one thread: the second did not start (${started.error})`;
  }
  const adam = optimizer as unknown as { learningRate: number };
  const baseRate = adam.learningRate;
  const stepsPerEpoch = Math.ceil(train.length / options.batchSize);
  const totalSteps = options.maxEpochs * stepsPerEpoch;
  let first = options.firstBatch;
  const firstDone = async () => {
    if (!first) return;
    await first.end();
    first = undefined;
  };
  try {
    while (state.epoch < options.maxEpochs) {
      const rng = new Rng(state.rngState);
      const order = rng.shuffle([...train]) as number[];
      const started = performance.now();
      let lossSum = 0;
      let correct = 0;
      for (let start = 0; start < order.length; start += options.batchSize) {
        throwIfCancelled(options.signal);
        const learningRate = scheduledRate(baseRate, options.schedule, state.epoch * stepsPerEpoch + start / options.batchSize, totalSteps);
        const rows = order.slice(start, start + options.batchSize);
        const { b, mask, labels, weights: w, wSum } = cache
          ? prepareFeatureBatch(set, rows, cache, spec, weightOf, rng, buffer)
          : prepareBatch(set, rows, norm, spec, weightOf, rng, options.augment, options.flips, buffer);
        first?.begin();
        if (fast) {
          const dropout = spec.dropout > 0 ? mask : null;
          const r = helper
            ? parallelStep(fast, helper, size, spec.dense, buffer, b, labels, w, wSum, dropout, learningRate)
            : fast.step(buffer, b, labels, w, wSum, dropout, learningRate);
          lossSum += r.loss * b;
          for (let i = 0; i < b; i++) if (r.predicted[i] === labels[i]) correct++;
          await firstDone();
          continue;
        }
        adam.learningRate = learningRate;
        let predicted: Int32Array | null = null;
        const cost = tf.tidy(() => {
          const x = tf.tensor(buffer.subarray(0, b * size), [b, ...inputShape]);
          const y = tf.oneHot(tf.tensor1d(labels, 'int32'), spec.classes);
          const m = spec.dropout > 0 ? tf.tensor2d(mask, [b, spec.dense]) : null;
          const weights = tf.tensor1d(w);
          return optimizer.minimize(
            () => {
              const logits = trainingLogits(tf, model, x, m, cache?.from ?? 0);
              predicted = tf.argMax(logits, 1).dataSync() as Int32Array;
              const perImage = tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.NONE);
              return tf.div(tf.sum(tf.mul(perImage, weights)), wSum) as tfjs.Scalar;
            },
            true,
            variables,
          )!;
        });
        lossSum += cost.dataSync()[0]! * b;
        cost.dispose();
        await firstDone();
        const p: Int32Array = predicted ?? new Int32Array(0);
        for (let i = 0; i < b; i++) if (p[i] === labels[i]) correct++;
      }
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      if (fast) await fast.store(tf, optimizer);
      const val = evaluateLoss(tf, model, set, validation, norm, undefined, cache);
      const epochSeconds = (performance.now() - started) / 1000;
      state.epoch++;
      state.rngState = rng.state;
      const record: ImageEpochRecord = {
        epoch: state.epoch,
        loss: lossSum / Math.max(order.length, 1),
        valLoss: val.loss,
        accuracy: correct / Math.max(order.length, 1),
        valAccuracy: val.accuracy,
        samplesPerSec: order.length / Math.max(seconds, 1e-9),
        seconds,
        etaSeconds: epochsLeftSeconds(options.maxEpochs - state.epoch, epochSeconds),
      };
      state.history.push(record);
      if (!state.best || val.loss < state.best.valLoss - 1e-6) {
        state.best = { valLoss: val.loss, epoch: state.epoch, weights: snapshot(model) };
        bestValidationProbs = val.probs;
        state.wait = 0;
      } else state.wait++;
      await options.onEpoch(record, state);
      if (state.wait >= options.patience) {
        stoppedEarly = state.epoch < options.maxEpochs;
        break;
      }
    }
  } finally {
    adam.learningRate = baseRate;
    if (helper) await helper.close();
  }
  if (state.best) restore(tf, model, state.best.weights);
  const images = state.history.length * train.length;
  return {
    history: state.history,
    bestEpoch: state.best?.epoch ?? state.epoch,
    stoppedEarly,
    samplesPerSec: images / Math.max(trainSeconds, 1e-9),
    trainSeconds,
    threads: helper ? 2 : 1,
    threadsReason,
    bestValidationProbs,
  };
}
