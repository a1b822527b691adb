/**
 * A small search for the network's settings within a time budget: successive halving over seeded
 * random configurations (hidden layers, learning rate, dropout, batch size).
 *
 * A bracket starts 9 configurations for a ninth of their epoch budget, keeps the best third for a
 * third of it, and trains the best one in full (early stopping as usual); brackets repeat with new
 * configurations while time is left, three at most. The first configuration is the trainer's
 * default, trained with the seeds a run without search uses, so the search starts from what you
 * would have got.
 *
 * Judged on the validation rows only: this module is never given the test split (its inputs are
 * the training and validation datasets), so the test rows cannot influence the choice.
 * Reproducible: configurations, initial weights, batch order and dropout come from the seed; with
 * the same seed on the same backend the same table comes out, unless the time budget ends the
 * search at a different trial (a slower or busier machine finishes fewer trials).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { outputsFromLogits, headline, score } from './evaluate.js';
import { fit, type Dataset, type LoopState } from './fit.js';
import { defaultHyperparameters, type HyperOverrides, type Hyperparameters } from './hyper.js';
import { Mlp } from './mlp.js';
import { Rng, seedFor } from './random.js';
import type { TargetSpec } from './task.js';

/** What the search varies. */
export interface SearchConfig {
  hiddenLayers: number[];
  learningRate: number;
  dropout: number;
  batchSize: number;
}

/** One configuration tried, as the results table shows it. */
export interface SearchTrial {
  /** 1, 2, …: the order trials were started in. */
  trial: number;
  bracket: number;
  config: SearchConfig;
  /** Epochs trained in the search. */
  epochs: number;
  /** The epoch with the lowest validation loss (its weights are what the figures below describe). */
  bestEpoch: number;
  /** Accuracy (classification) or R² (regression) on the validation rows, at the best epoch. */
  valMetric: number;
  /** The validation loss at the best epoch (log loss, or mean squared error of the standardised target): the ranking. */
  valLoss: number;
  seconds: number;
  /** The highest rung reached: 1 (a ninth of the epochs), 2 (a third), 3 (all). */
  rung: number;
  /** How the trial ended: not among the best of its rung, trained in full, stopped early, or not continued because time ran out. */
  stoppedAt: 'cut' | 'completed' | 'early-stop' | 'budget';
}

export interface SearchReport {
  budgetSeconds: number;
  /** Seconds the search itself took (the final training of the chosen settings comes after). */
  spentSeconds: number;
  metric: 'accuracy' | 'r2';
  trials: SearchTrial[];
  /** The trial number of the chosen configuration, and the configuration. */
  chosenTrial: number;
  chosen: SearchConfig;
  /** True when the budget ended the search before its plan (three brackets) was done. */
  budgetSpent: boolean;
  reason: string;
}

/** How the chosen trial was trained, so the final run can repeat it exactly. */
export interface SearchOutcome {
  report: SearchReport;
  seeds: { init: number; fit: number };
}

export interface SearchOptions {
  budgetSeconds: number;
  seed: number;
  target: TargetSpec;
  /** Settings the user fixed: the search leaves them as they are. */
  fixed: HyperOverrides;
  classWeights: Hyperparameters['classWeights'];
  outputs: number;
  signal?: AbortSignal;
  /** Called before each trial step (for the job's progress line). */
  onTrial?: (trial: SearchTrial | null, elapsedSeconds: number) => void;
  /** The clock, in milliseconds (tests pass a fake one to check the budget rule). */
  now?: () => number;
}

const BRACKET = 9;
const KEEP = 3;
const MAX_BRACKETS = 3;
/** The share of a configuration's epoch budget at each rung. */
const RUNGS = [1 / 9, 1 / 3, 1];

interface Running {
  trial: SearchTrial;
  hyper: Hyperparameters;
  model: Mlp;
  loop: LoopState;
  seeds: { init: number; fit: number };
  done: boolean;
}

/** Runs the search on the training and validation rows; see the module comment. */
export async function searchNetwork(tf: typeof tfjs, train: Dataset, validation: Dataset, options: SearchOptions): Promise<SearchOutcome> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const elapsed = () => (now() - started) / 1000;
  const d = train.x.length / Math.max(train.n, 1);
  const configs = configurations(train.n, d, options, MAX_BRACKETS * BRACKET);
  const all: Running[] = [];
  let budgetSpent = false;

  for (let bracket = 0; bracket < MAX_BRACKETS && !budgetSpent; bracket++) {
    let alive: Running[] = [];
    for (let rung = 0; rung < RUNGS.length; rung++) {
      if (rung === 0) {
        for (const [i, config] of configs.slice(bracket * BRACKET, (bracket + 1) * BRACKET).entries()) {
          if (elapsed() >= options.budgetSeconds) {
            budgetSpent = true;
            break;
          }
          const running = start(tf, bracket * BRACKET + i, bracket + 1, config, d, train.n, options);
          all.push(running);
          alive.push(running);
          await step(running, 0, train, validation, options, elapsed);
        }
      } else {
        // The best third (lowest validation loss) goes on; the rest stop here.
        const ranked = [...alive].sort(byLoss);
        for (const cut of ranked.slice(KEEP ** (RUNGS.length - 1 - rung))) cut.trial.stoppedAt = 'cut';
        alive = ranked.slice(0, KEEP ** (RUNGS.length - 1 - rung));
        for (const running of alive) {
          // A trial that already stopped early is promoted as it is: it reached this rung without more training.
          if (running.done) {
            running.trial.rung = rung + 1;
            continue;
          }
          if (elapsed() >= options.budgetSeconds) {
            budgetSpent = true;
            break;
          }
          await step(running, rung, train, validation, options, elapsed);
        }
      }
      if (budgetSpent) break;
    }
    if (budgetSpent) for (const running of alive) if (!running.done && running.trial.stoppedAt !== 'cut') running.trial.stoppedAt = 'budget';
  }

  const best = [...all].sort(byLoss)[0]!;
  const trials = all.map((r) => r.trial);
  const metric = options.target.task === 'regression' ? 'r2' : 'accuracy';
  const shown = (t: SearchTrial) => `${metric === 'r2' ? 'R²' : 'accuracy'} ${t.valMetric.toFixed(3)}`;
  const first = trials[0]!;
  const reason =
    best.trial.trial === first.trial
      ? `The usual settings were best on the validation rows (${shown(first)}, lowest validation loss of ${trials.length} tried), so they are kept.`
      : `Trial ${best.trial.trial} had the lowest validation loss of the ${trials.length} settings tried (${shown(best.trial)} on the validation rows, against ${shown(first)} for the usual settings).`;
  return {
    report: {
      budgetSeconds: options.budgetSeconds,
      spentSeconds: elapsed(),
      metric,
      trials,
      chosenTrial: best.trial.trial,
      chosen: best.trial.config,
      budgetSpent,
      reason: budgetSpent ? `${reason} The time budget ran out before the whole plan was tried.` : reason,
    },
    seeds: best.seeds,
  };
}

function byLoss(a: Running, b: Running): number {
  return a.trial.valLoss - b.trial.valLoss || a.trial.trial - b.trial.trial;
}

function start(tf: typeof tfjs, index: number, bracket: number, config: SearchConfig, d: number, n: number, options: SearchOptions): Running {
  const hyper = defaultHyperparameters(n, d, { ...config, ...options.fixed }, options.classWeights, options.seed);
  // The first configuration uses the seeds of a run without search, so its trial is that run.
  const seeds = index === 0 ? { init: seedFor(options.seed, 'init'), fit: seedFor(options.seed, 'fit') } : { init: seedFor(options.seed, `search-${index}-init`), fit: seedFor(options.seed, `search-${index}-fit`) };
  const model = new Mlp(tf, { inputs: d, hidden: hyper.hiddenLayers, outputs: options.outputs, dropout: hyper.dropout, skip: hyper.linearSkip }, new Rng(seeds.init));
  const trial: SearchTrial = {
    trial: index + 1,
    bracket,
    config: { hiddenLayers: hyper.hiddenLayers, learningRate: hyper.learningRate, dropout: hyper.dropout, batchSize: hyper.batchSize },
    epochs: 0,
    bestEpoch: 0,
    valMetric: Number.NaN,
    valLoss: Number.POSITIVE_INFINITY,
    seconds: 0,
    rung: 0,
    stoppedAt: 'completed',
  };
  return { trial, hyper, model, loop: { epoch: 0, rngState: seeds.fit, best: null, wait: 0, history: [] }, seeds, done: false };
}

/** Trains a trial up to its rung's share of epochs, continuing where the last rung left off. */
async function step(running: Running, rung: number, train: Dataset, validation: Dataset, options: SearchOptions, elapsed: () => number): Promise<void> {
  const { hyper, model, trial } = running;
  options.onTrial?.(trial, elapsed());
  const began = performance.now();
  const maxEpochs = rung === RUNGS.length - 1 ? hyper.maxEpochs : Math.max(1, Math.ceil(hyper.maxEpochs * RUNGS[rung]!));
  const result = await fit(
    model,
    train,
    validation,
    {
      task: options.target.task,
      batchSize: hyper.batchSize,
      learningRate: hyper.learningRate,
      maxEpochs,
      patience: hyper.patience,
      restoreBest: false,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    running.seeds.fit,
    running.loop,
  );
  trial.seconds += (performance.now() - began) / 1000;
  trial.rung = rung + 1;
  trial.epochs = running.loop.epoch;
  const best = running.loop.best;
  if (best) {
    trial.bestEpoch = best.epoch;
    trial.valLoss = best.valLoss;
    trial.valMetric = validationHeadline(model, best.params, validation, options.target);
  }
  if (result.stoppedEarly || !best || !Number.isFinite(best.valLoss)) {
    running.done = true;
    trial.stoppedAt = 'early-stop';
  } else if (running.loop.epoch >= hyper.maxEpochs) {
    running.done = true;
    trial.stoppedAt = 'completed';
  }
}

/** Accuracy or R² on the validation rows with the given weights (the model's own are put back after). */
function validationHeadline(model: Mlp, params: Float32Array[], validation: Dataset, target: TargetSpec): number {
  const own = model.state.params;
  model.state.params = params;
  try {
    const logits = model.logits(validation.x, validation.n);
    return headline(score(target, validation.y, outputsFromLogits(target, logits, validation.n)));
  } finally {
    model.state.params = own;
  }
}

/**
 * The configurations to try, in order: the default for this data first, then seeded random draws
 * (no duplicates). Widths are powers of two from 16 to 256, each further layer half the one before;
 * learning rates log-uniform in 0.0003–0.01; batches no larger than a quarter of the training rows.
 */
export function configurations(nTrain: number, inputs: number, options: Pick<SearchOptions, 'seed' | 'fixed' | 'classWeights'>, count: number): SearchConfig[] {
  const base = defaultHyperparameters(nTrain, inputs, options.fixed, options.classWeights, options.seed);
  const rng = new Rng(seedFor(options.seed, 'search-configs'));
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)]!;
  const batches = [16, 32, 64, 128, 256].filter((b) => b <= Math.max(16, nTrain / 4));
  const out: SearchConfig[] = [{ hiddenLayers: base.hiddenLayers, learningRate: base.learningRate, dropout: base.dropout, batchSize: base.batchSize }];
  const seen = new Set(out.map(key));
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const depth = 1 + rng.int(3);
    const width = pick([16, 32, 64, 128, 256]);
    const config: SearchConfig = {
      hiddenLayers: options.fixed.hiddenLayers ?? Array.from({ length: depth }, (_, i) => Math.max(8, width >> i)),
      learningRate: options.fixed.learningRate ?? Number((3e-4 * (1e-2 / 3e-4) ** rng.next()).toPrecision(2)),
      dropout: options.fixed.dropout ?? pick([0, 0.1, 0.2, 0.3, 0.5]),
      batchSize: options.fixed.batchSize ?? pick(batches),
    };
    if (seen.has(key(config))) continue;
    seen.add(key(config));
    out.push(config);
  }
  return out;
}

function key(config: SearchConfig): string {
  return JSON.stringify(config);
}
