/**
 * The training loop: seeded batch order, early stopping on validation loss with the best epoch's
 * weights restored, a callback per epoch (progress, checkpoint) and cancellation within one batch.
 */
import { CancelledError } from '../protocol.js';
import type { FirstBatchHook } from '../tfjs/first-batch.js';
import { lossAndGrad } from './loss.js';
import type { Mlp } from './mlp.js';
import { Rng } from './random.js';
import type { Task } from './task.js';

/** Encoded rows: `x` is n × inputs, row-major; `y` class index or standardised target (n × outputs for multi-output regression); `w` row weights. */
export interface Dataset {
  x: Float32Array;
  y: Float32Array;
  w: Float32Array | null;
  n: number;
}

/** One epoch of the training history (streamed to the UI's live chart). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  valLoss: number;
  /** Validation accuracy (classification) or RMSE in target units (regression). */
  valAccuracy?: number;
  valRmse?: number;
  samplesPerSec: number;
  seconds: number;
}

export interface FitOptions {
  task: Task;
  maxEpochs: number;
  batchSize: number;
  learningRate: number;
  /** Stop after this many epochs without a better validation loss. */
  patience: number;
  /** Regression: the target's std, to report RMSE in the target's units. */
  targetStd?: number;
  signal?: AbortSignal;
  /**
   * false: leave the last epoch's weights in the model (the best ones stay in the loop state), so
   * a later `fit` with the same loop continues exactly as one uninterrupted run would. The
   * search trains a trial in steps this way. Default true: the best epoch's weights are restored.
   */
  restoreBest?: boolean;
  onEpoch?: (record: EpochRecord, loop: LoopState) => void | Promise<void>;
  /** Told before and after the first batch (its time, the GPU check: workers/tfjs/first-batch.ts). */
  firstBatch?: FirstBatchHook;
}

/** The loop's own state, saved with checkpoints so a run resumes exactly. */
export interface LoopState {
  epoch: number;
  rngState: number;
  best: { valLoss: number; epoch: number; params: Float32Array[] } | null;
  wait: number;
  history: EpochRecord[];
}

export interface FitResult {
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  samplesPerSec: number;
  trainSeconds: number;
}

/** How often (ms) the loop yields to the event loop, so a cancel message can arrive mid-epoch. */
const YIELD_MS = 20;

export async function fit(model: Mlp, train: Dataset, validation: Dataset, options: FitOptions, seed: number, resume?: LoopState): Promise<FitResult> {
  const loop: LoopState = resume ?? { epoch: 0, rngState: seed, best: null, wait: 0, history: [] };
  const rng = new Rng(loop.rngState);
  const d = train.x.length / Math.max(train.n, 1);
  const k = model.spec.outputs;
  // Targets per row: 1 (a class index, one value), or k for multi-output regression (a forecast's horizon).
  const yw = train.n > 0 ? train.y.length / train.n : 1;
  const order = new Uint32Array(train.n);
  const bx = new Float32Array(options.batchSize * d);
  const by = new Float32Array(options.batchSize * yw);
  const bw = train.w ? new Float32Array(options.batchSize) : null;
  let lastYield = performance.now();
  let stoppedEarly = false;
  let first = options.firstBatch;

  while (loop.epoch < options.maxEpochs) {
    const started = performance.now();
    for (let i = 0; i < train.n; i++) order[i] = i;
    rng.shuffle(order);
    let total = 0;
    for (let start = 0; start < train.n; start += options.batchSize) {
      const n = Math.min(options.batchSize, train.n - start);
      for (let r = 0; r < n; r++) {
        const row = order[start + r]!;
        bx.set(train.x.subarray(row * d, (row + 1) * d), r * d);
        if (yw === 1) by[r] = train.y[row]!;
        else by.set(train.y.subarray(row * yw, (row + 1) * yw), r * yw);
        if (bw) bw[r] = train.w![row]!;
      }
      first?.begin();
      total += n * model.trainBatch(options.task, bx.subarray(0, n * d), by.subarray(0, n * yw), bw ? bw.subarray(0, n) : null, n, options.learningRate, rng);
      if (first) {
        await first.end();
        first = undefined;
      }
      if (performance.now() - lastYield > YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (options.signal?.aborted) throw new CancelledError();
    }
    const seconds = (performance.now() - started) / 1000;
    const logits = model.logits(validation.x, validation.n);
    const valLoss = lossAndGrad(options.task, logits, validation.y, validation.w, validation.n, false).loss;
    const record: EpochRecord = {
      epoch: loop.epoch + 1,
      loss: total / train.n,
      valLoss,
      ...validationMetric(options, logits, validation, k),
      samplesPerSec: train.n / Math.max(seconds, 1e-9),
      seconds,
    };
    loop.epoch++;
    loop.history.push(record);
    if (!loop.best || valLoss < loop.best.valLoss - 1e-7) {
      loop.best = { valLoss, epoch: loop.epoch, params: model.snapshot() };
      loop.wait = 0;
    } else loop.wait++;
    loop.rngState = rng.state;
    await options.onEpoch?.(record, loop);
    if (!Number.isFinite(valLoss)) break;
    if (loop.wait >= options.patience) {
      stoppedEarly = true;
      break;
    }
  }
  if (loop.best && options.restoreBest !== false) model.state.params = loop.best.params.map((p) => p.slice());
  const trainSeconds = loop.history.reduce((sum, r) => sum + r.seconds, 0);
  return {
    history: loop.history,
    bestEpoch: loop.best?.epoch ?? 0,
    stoppedEarly,
    samplesPerSec: (train.n * loop.history.length) / Math.max(trainSeconds, 1e-9),
    trainSeconds,
  };
}

function validationMetric(options: FitOptions, logits: Float32Array, data: Dataset, k: number): Pick<EpochRecord, 'valAccuracy' | 'valRmse'> {
  if (data.n === 0) return {};
  if (options.task === 'regression') {
    let sum = 0;
    for (let i = 0; i < data.y.length; i++) sum += (logits[i]! - data.y[i]!) ** 2;
    return { valRmse: Math.sqrt(sum / data.y.length) * (options.targetStd ?? 1) };
  }
  let correct = 0;
  for (let i = 0; i < data.n; i++) {
    let predicted: number;
    if (options.task === 'binary') predicted = logits[i]! > 0 ? 1 : 0;
    else {
      predicted = 0;
      for (let j = 1; j < k; j++) if (logits[i * k + j]! > logits[i * k + predicted]!) predicted = j;
    }
    if (predicted === data.y[i]) correct++;
  }
  return { valAccuracy: correct / data.n };
}
