/**
 * The training loop of the text network: seeded batch order, per-epoch validation, early stopping
 * on the validation loss with the best epoch's weights restored, cancel within one batch, and a
 * state that a checkpoint saves so a resumed run continues exactly where it stopped.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { throwIfCancelled } from '../protocol.js';
import type { FirstBatchHook } from '../tfjs/first-batch.js';
import { Rng } from '../trainer/random.js';
import { BagKernel } from './bag-kernel.js';
import { probabilitiesOf, type EmbeddingBag } from './network.js';
import type { Bag } from './tokenize.js';

/** One epoch, as the live chart shows it. */
export interface TextEpochRecord {
  epoch: number;
  loss: number;
  valLoss: number;
  valAccuracy: number;
  /** Training documents per second in this epoch. */
  samplesPerSec: number;
  seconds: number;
}

/** Where the loop is (checkpointed after every epoch). */
export interface TextLoopState {
  epoch: number;
  rngState: number;
  bestValLoss: number;
  bestEpoch: number;
  sinceBest: number;
  history: TextEpochRecord[];
  best: { e: Float32Array; w: Float32Array; b: Float32Array } | null;
}

/** An epoch counts as better only when the validation loss drops by more than this (plateaus stop early). */
const MIN_DELTA = 1e-3;

export interface FitOptions {
  batchSize: number;
  learningRate: number;
  maxEpochs: number;
  patience: number;
  signal: AbortSignal;
  /** 'javascript' trains with the JavaScript loops even where the WebAssembly kernel runs (tests compare the two). */
  loops?: 'javascript';
  onEpoch?: (record: TextEpochRecord, state: TextLoopState) => Promise<void>;
  /** Told before and after the first batch (its time, the GPU check: workers/tfjs/first-batch.ts). */
  firstBatch?: FirstBatchHook;
}

export interface Split {
  bags: Bag[];
  y: Int32Array;
  /** Sample weights (class weights), or null. */
  w: Float32Array | null;
}

export async function fitBag(tf: typeof tfjs, net: EmbeddingBag, train: Split, validation: Split, options: FitOptions, seed: number, resume?: TextLoopState): Promise<TextLoopState & { stoppedEarly: boolean; trainSeconds: number }> {
  const state: TextLoopState = resume ?? { epoch: 0, rngState: new Rng(seed).state, bestValLoss: Infinity, bestEpoch: 0, sinceBest: 0, history: [], best: null };
  const rng = new Rng(0);
  rng.state = state.rngState;
  const n = train.bags.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let stoppedEarly = false;
  let trainSeconds = state.history.reduce((s, r) => s + r.seconds, 0);
  const kernel = BagKernel.create(net, [train.bags, validation.bags], options.batchSize, options.loops);
  const yBatch = new Int32Array(options.batchSize);
  const wBatch = new Float32Array(options.batchSize);
  let first = options.firstBatch;
  while (state.epoch < options.maxEpochs) {
    if (state.sinceBest >= options.patience) {
      stoppedEarly = true;
      break;
    }
    const t0 = performance.now();
    order.sort((a, b) => a - b);
    rng.shuffle(order);
    let lossSum = 0;
    let batches = 0;
    for (let from = 0; from < n; from += options.batchSize) {
      throwIfCancelled(options.signal);
      const idx = order.subarray(from, Math.min(n, from + options.batchSize));
      const y = yBatch.subarray(0, idx.length);
      const w = train.w ? wBatch.subarray(0, idx.length) : null;
      for (let r = 0; r < idx.length; r++) {
        y[r] = train.y[idx[r]!]!;
        if (w) w[r] = train.w![idx[r]!]!;
      }
      first?.begin();
      lossSum += kernel
        ? await kernel.trainBatch(tf, 0, idx, y, w, options.learningRate)
        : await net.trainBatch(
            tf,
            Array.from(idx, (i) => train.bags[i]!),
            y,
            w,
            options.learningRate,
          );
      batches++;
      if (first) {
        await first.end();
        first = undefined;
      }
    }
    kernel?.store();
    const seconds = (performance.now() - t0) / 1000;
    trainSeconds += seconds;
    const { loss: valLoss, accuracy: valAccuracy } = evaluateLoss(net, validation, kernel?.logits(1));
    state.epoch++;
    const record: TextEpochRecord = { epoch: state.epoch, loss: lossSum / Math.max(batches, 1), valLoss, valAccuracy, samplesPerSec: n / Math.max(seconds, 1e-9), seconds };
    state.history.push(record);
    if (valLoss < state.bestValLoss - MIN_DELTA) {
      state.bestValLoss = valLoss;
      state.bestEpoch = state.epoch;
      state.sinceBest = 0;
      state.best = { e: net.state.e.slice(), w: net.state.w.slice(), b: net.state.b.slice() };
    } else state.sinceBest++;
    state.rngState = rng.state;
    await options.onEpoch?.(record, state);
  }
  if (state.sinceBest >= options.patience && state.epoch < options.maxEpochs) stoppedEarly = true;
  if (state.best) {
    net.state.e.set(state.best.e);
    net.state.w.set(state.best.w);
    net.state.b.set(state.best.b);
  }
  return { ...state, stoppedEarly, trainSeconds };
}

/** Mean (weighted) cross-entropy and accuracy on a split (`logits`: already computed for it). */
export function evaluateLoss(net: EmbeddingBag, split: Split, logits?: Float32Array): { loss: number; accuracy: number } {
  const n = split.bags.length;
  if (n === 0) return { loss: 0, accuracy: 0 };
  const probs = probabilitiesOf(logits ?? net.logits(split.bags), n, net.spec.outputs);
  const k = probs.length / n;
  let loss = 0;
  let weight = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const w = split.w ? split.w[r]! : 1;
    loss -= w * Math.log(Math.max(probs[r * k + split.y[r]!]!, 1e-7));
    weight += w;
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[r * k + c]! > probs[r * k + best]!) best = c;
    if (best === split.y[r]) correct++;
  }
  return { loss: loss / weight, accuracy: correct / n };
}
