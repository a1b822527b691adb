/**
 * The `train.run` engine: prepare the data, train the baselines and the network, evaluate all three
 * on the untouched test split, and write the model version's artifact. Progress streams one report
 * per epoch; a cancel stops within one batch; every epoch is checkpointed for resuming.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { PilotResultCore } from '../pilot-result.js';
import { throwIfCancelled, UserInputError, type Engine } from '../protocol.js';
import { loadBackend, loadBestBackend, type BackendName, type BackendStatus } from '../tfjs/backend.js';
import { FirstBatchWatch } from '../tfjs/first-batch.js';
import { writeArtifact, type Checksums } from './artifact.js';
import { keyIfEncrypting } from './encryption.js';
import { majorityOutputs } from './baselines.js';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint } from './checkpoint.js';
import { outputsFromLogits, score, headline, type Outputs } from './evaluate.js';
import { groupFairness, type AttributeFairness } from './fairness.js';
import { fit, type Dataset, type EpochRecord } from './fit.js';
import { classWeightsFor, defaultHyperparameters, type Hyperparameters } from './hyper.js';
import { permutationImportance, type FeatureImportance } from './importance.js';
import type { ClassificationMetrics, RegressionMetrics } from './metrics.js';
import { Mlp } from './mlp.js';
import { prepare, type Exclusion, type Prepared } from './prepare.js';
import type { Sampling } from './load.js';
import { Rng, seedFor } from './random.js';
import { compareModels, scoredFrom, type Comparison } from './significance.js';
import { removeSearch, searchOnce, type SearchReport } from './search-run.js';
import type { TrainInput } from './schema.js';
import type { Task } from './task.js';
import { maxOf, minOf } from '../extent.js';

export type Metrics = ClassificationMetrics | RegressionMetrics;

/** The result of a training run (JSON). `modelVersionId` is added by the main process when it registers the version. */
export interface TrainResult extends PilotResultCore {
  kind: 'tabular';
  runId: string;
  backend: BackendName;
  /** Why this backend: what it is, and why each better one was not used. */
  backendReason: string;
  backends: BackendStatus[];
  task: Task;
  target: string;
  /** Binary: the class treated as positive; classification: all classes. */
  classes?: string[];
  rows: { train: number; validation: number; test: number };
  /** The registered model's metrics on the test split (the network's, or the linear model's when it was chosen). */
  metrics: Metrics;
  /**
   * Which model the version is, and why: the validation headline (accuracy or R²) of both decided
   * it (`auto`), or the user forced one. The test split plays no part in the choice.
   */
  chosen: { model: 'network' | 'linear'; reason: string; forced: boolean; validation: { network: number; linear: number } };
  baselines: { majority: Metrics; linear: Metrics };
  /**
   * The network against the linear baseline on the same test rows, per metric: McNemar's exact
   * test for accuracy, a paired bootstrap (seeded; 1,000 draws, fewer above 1,000 test rows) for the others. "better" only when
   * significant at 5 %.
   */
  versusLinear: Comparison[];
  /** The settings search (`searchSeconds`), null when the usual settings were used: every trial on the validation rows, and the choice. */
  search: SearchReport | null;
  /** The headline metric (accuracy, or R² for regression) of each model, for the plain-words comparison. */
  summary: { metric: 'accuracy' | 'r2'; network: number; linear: number; majority: number };
  epochs: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training samples per second of the network (all epochs, excluding evaluation). */
  samplesPerSec: number;
  trainSeconds: number;
  hyperparameters: Hyperparameters;
  parameters: number;
  inputs: number;
  features: string[];
  excluded: Exclusion[];
  featureImportance: FeatureImportance[];
  fairness: AttributeFairness[];
  artifactDir: string;
  checksums: Checksums;
  datasetSha256: string;
  resumedFromEpoch: number | null;
  /** How the training rows were sampled from a larger file (the rule in words); null when every row was used. */
  sampling: Sampling | null;
  warnings: string[];
}

/** The `train.run` engine. Its input is validated already (the worker entry parses it with `trainInputSchema`). */
export const trainModel: Engine<TrainInput, TrainResult, EpochRecord> = async (input, ctx) => {
  const runId = input.resumeFrom ?? input.runId ?? `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const runDir = join(ctx.dataDir, 'runs', runId);
  // Checked before training, so a missing key costs nothing.
  const encryptWith = await keyIfEncrypting(input.encryptArtifacts, join(ctx.dataDir, 'models', runId));
  ctx.progress({ fraction: 0.01, stage: 'Reading data' });
  const data = await prepare(input);
  throwIfCancelled(ctx.signal);

  const { tf, backend, statuses } = await pickBackend(input.backend);
  const target = data.target;
  const k = target.task === 'regression' ? 1 : target.task === 'binary' ? 1 : target.classes.length;
  const ratio = classRatio(data.train.y, target.task === 'regression' ? 0 : target.classes.length);
  const policy = input.classWeights === 'auto' ? (target.task !== 'regression' && ratio < 0.2 ? 'balanced' : 'none') : input.classWeights;
  const fixed = {
    ...(input.epochs !== undefined ? { maxEpochs: input.epochs } : {}),
    ...(input.hiddenLayers ? { hiddenLayers: input.hiddenLayers } : {}),
    ...(input.dropout !== undefined ? { dropout: input.dropout } : {}),
    ...(input.learningRate !== undefined ? { learningRate: input.learningRate } : {}),
    ...(input.batchSize !== undefined ? { batchSize: input.batchSize } : {}),
    ...(input.patience !== undefined ? { patience: input.patience } : {}),
  };
  const weightsPolicy = target.task === 'regression' ? 'none' : policy;
  const usual = defaultHyperparameters(data.train.n, data.preprocessing.inputs.length, fixed, weightsPolicy, input.seed);
  const train = withWeights(data.train, target.task, usual, k);
  const validation = withWeights(data.validation, target.task, usual, k);
  const d = data.preprocessing.inputs.length;
  const baseOptions = { task: target.task, signal: ctx.signal, ...(target.task === 'regression' ? { targetStd: target.std } : {}) };

  // Linear baseline: the same code with no hidden layer (logistic or linear regression).
  ctx.progress({ fraction: 0.05, stage: 'Training the linear baseline' });
  const linear = new Mlp(tf, { inputs: d, hidden: [], outputs: k, dropout: 0 }, new Rng(seedFor(input.seed, 'linear-init')));
  // The baseline keeps its data-sized epoch budget even when the user shortens the network's, so it stays a fair reference.
  const linearEpochs = Math.max(usual.maxEpochs, defaultHyperparameters(data.train.n, d, {}, 'none', input.seed).maxEpochs);
  // The run's first batch (the baseline's) is watched: kernel compilation on a new GPU, the GPU check.
  const firstBatch = await FirstBatchWatch.create(tf, ctx, 0.05);
  await fit(linear, train, validation, { ...baseOptions, firstBatch, batchSize: usual.batchSize, patience: usual.patience, maxEpochs: linearEpochs, learningRate: Math.max(usual.learningRate, 3e-3) }, seedFor(input.seed, 'linear-fit'));

  const fingerprint = fingerprintOf(data.datasetSha256, input, backend);
  // The settings search sees the training and validation rows only (never the test split).
  const searched = input.searchSeconds
    ? await searchOnce(tf, runDir, { fingerprint, resuming: input.resumeFrom !== undefined }, train, validation, {
        budgetSeconds: input.searchSeconds,
        seed: input.seed,
        target,
        fixed,
        classWeights: weightsPolicy,
        outputs: k,
        signal: ctx.signal,
        onTrial: (trial, elapsed) =>
          ctx.progress({
            fraction: 0.06 + 0.3 * Math.min(1, elapsed / input.searchSeconds!),
            stage: `Trying network settings: trial ${trial?.trial ?? ''} (${Math.round(elapsed)} of ${input.searchSeconds} s)`,
          }),
      })
    : null;
  const hyper = searched ? defaultHyperparameters(data.train.n, d, { ...fixed, ...searched.report.chosen }, weightsPolicy, input.seed) : usual;
  const seeds = searched?.seeds ?? { init: seedFor(input.seed, 'init'), fit: seedFor(input.seed, 'fit') };
  const fitOptions = { ...baseOptions, batchSize: hyper.batchSize, learningRate: hyper.learningRate, maxEpochs: hyper.maxEpochs, patience: hyper.patience };
  const start = searched ? 0.4 : 0.15;

  // The network, resumed from its checkpoint when asked.
  const spec = { inputs: d, hidden: hyper.hiddenLayers, outputs: k, dropout: hyper.dropout, skip: hyper.linearSkip };
  const network = new Mlp(tf, spec, new Rng(seeds.init));
  const checkpoint = input.resumeFrom ? await loadCheckpoint(runDir, fingerprint) : null;
  if (checkpoint) network.state = checkpoint.mlp;
  const resumedFromEpoch = checkpoint ? checkpoint.loop.epoch : null;
  const result = await fit(
    network,
    train,
    validation,
    {
      ...fitOptions,
      onEpoch: async (record, loop) => {
        await saveCheckpoint(runDir, { version: 1, fingerprint, mlp: network.state, loop }, encryptWith);
        ctx.progress({
          fraction: start + (0.9 - start) * (record.epoch / hyper.maxEpochs),
          stage: `Epoch ${record.epoch}/${hyper.maxEpochs}`,
          detail: record,
        });
      },
    },
    seeds.fit,
    checkpoint?.loop,
  );
  throwIfCancelled(ctx.signal);

  // The choice uses the validation rows only, so the test split stays an untouched judge.
  const valHeadline = (m: Mlp) => headline(score(target, data.validation.y, outputsFromLogits(target, m.logits(data.validation.x, data.validation.n), data.validation.n)));
  const chosen = chooseModel(input.model, { network: valHeadline(network), linear: valHeadline(linear) }, target.task === 'regression' ? 'R²' : 'accuracy');
  const model = chosen.model === 'linear' ? linear : network;
  const modelSpec = chosen.model === 'linear' ? { inputs: d, hidden: [], outputs: k, dropout: 0 } : spec;

  ctx.progress({ fraction: 0.92, stage: 'Evaluating on the test split' });
  const test = data.test;
  const networkOutputs = outputsFromLogits(target, network.logits(test.x, test.n), test.n);
  const linearOutputs = outputsFromLogits(target, linear.logits(test.x, test.n), test.n);
  const linearMetrics = score(target, test.y, linearOutputs);
  const modelOutputs = chosen.model === 'linear' ? linearOutputs : networkOutputs;
  const metrics = chosen.model === 'linear' ? linearMetrics : score(target, test.y, networkOutputs);
  const actualValues = target.task === 'regression' ? Float64Array.from(test.y, (v) => v * target.std + target.mean) : test.y;
  const classCount = target.task === 'regression' ? 0 : target.classes.length;
  const versusLinear = compareModels(
    scoredFrom(target.task, actualValues, networkOutputs, classCount),
    scoredFrom(target.task, actualValues, linearOutputs, classCount),
    // 1,000 draws on small test splits, fewer on large ones (a million row-draws in all, at least 200):
    // measured 10 CPU-seconds for 1,000 draws on Adult's 4,884 test rows, more than training a small model.
    { resamples: Math.max(200, Math.min(1000, Math.round(1_000_000 / Math.max(test.n, 1)))), seed: seedFor(input.seed, 'significance') },
  );
  const majorityMetrics = score(target, test.y, majorityOutputs(target, data.train.y, test.n));
  const featureImportance = permutationImportance(
    test.x,
    test.n,
    d,
    data.blocks,
    (x, rows) => headline(score(target, test.y.subarray(0, rows), outputsFromLogits(target, model.logits(x, rows), rows))),
    seedFor(input.seed, 'importance'),
  );
  const fairness = input.protected.map((column) => {
    const c = data.header.indexOf(column);
    const { actual, predicted } = decisions(target.task, test.y, modelOutputs, target.task === 'regression' ? target : null);
    return groupFairness(column, test.rows.map((row) => row[c] ?? ''), target.task, actual, predicted);
  });

  ctx.progress({ fraction: 0.97, stage: 'Saving the model' });
  const artifactDir = join(ctx.dataDir, 'models', runId);
  const backendReason = reasonFor(backend, statuses);
  const base = {
    runId,
    backend,
    backendReason,
    task: target.task,
    target: target.column,
    ...(target.task !== 'regression' ? { classes: target.classes } : {}),
    rows: data.rows,
    hyperparameters: hyper,
    datasetSha256: data.datasetSha256,
    features: data.preprocessing.features.map((f) => f.column),
    excluded: data.excluded,
  };
  const checksums = await writeArtifact(tf, artifactDir, modelSpec, model.state.params, { preprocessing: data.preprocessing, target }, {
    kind: 'tabular',
    ...base,
    model: chosen.model,
    createdAt: new Date().toISOString(),
    sourceFile: input.file,
    metrics: summaryOf(metrics),
    tfjsVersion: tf.version.tfjs,
  }, { encryptWith });
  await removeCheckpoint(runDir);
  await removeSearch(runDir);
  ctx.progress({ fraction: 1, stage: 'Done' });
  return {
    kind: 'tabular',
    ...base,
    backends: statuses,
    firstBatch: firstBatch.report,
    rows: data.rows,
    metrics,
    chosen,
    baselines: { majority: majorityMetrics, linear: linearMetrics },
    versusLinear,
    search: searched?.report ?? null,
    summary: {
      metric: target.task === 'regression' ? 'r2' : 'accuracy',
      network: headline(metrics),
      linear: headline(linearMetrics),
      majority: headline(majorityMetrics),
    },
    epochs: result.history,
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
    samplesPerSec: result.samplesPerSec,
    trainSeconds: result.trainSeconds,
    parameters: model.size,
    inputs: d,
    featureImportance,
    fairness,
    artifactDir,
    checksums,
    resumedFromEpoch,
    sampling: data.sampling,
    warnings: firstBatch.warning ? [...data.warnings, firstBatch.warning] : data.warnings,
  };
};

/** Which model becomes the version (see `TrainResult.chosen`). */
function chooseModel(requested: TrainInput['model'], validation: { network: number; linear: number }, metric: string): TrainResult['chosen'] {
  const shown = `${metric} ${validation.linear.toFixed(3)} for the linear model against ${validation.network.toFixed(3)} for the network on the validation rows`;
  if (requested !== 'auto') {
    return { model: requested, forced: true, validation, reason: `You chose to register the ${requested === 'linear' ? 'linear model' : 'network'} (${shown}).` };
  }
  if (validation.linear >= validation.network) {
    return {
      model: 'linear',
      forced: false,
      validation,
      reason: `The linear model is registered: it is as good as the network (${shown}), and a simpler model is easier to explain and less likely to fail on new data. Choose "network" to register the network instead.`,
    };
  }
  return { model: 'network', forced: false, validation, reason: `The network is registered: it does better than the linear model (${shown}).` };
}

/** Loads the backend the input asks for (`auto`: the best that works), with every backend's status. */
export async function pickBackend(requested: TrainInput['backend']): Promise<{ tf: typeof tfjs; backend: BackendName; statuses: BackendStatus[] }> {
  if (requested === 'auto') return loadBestBackend();
  try {
    const tf = await loadBackend(requested);
    return { tf, backend: requested, statuses: [{ name: requested, available: true, reason: `${requested} (chosen by you)` }] };
  } catch (error) {
    throw new UserInputError(`${(error as Error).message} Choose "auto" to use the best backend that works here.`);
  }
}

/** One line: why this backend, and why each better one was not used. */
export function reasonFor(backend: BackendName, statuses: BackendStatus[]): string {
  const chosen = statuses.find((s) => s.name === backend);
  const better = statuses.filter((s) => !s.available).map((s) => `${s.name}: ${s.reason}`);
  return [chosen?.reason ?? backend, ...(better.length ? [`not used — ${better.join('; ')}`] : [])].join('; ');
}

/** Rarest class count / most common class count (1 when balanced). */
function classRatio(y: Float32Array, k: number): number {
  if (k === 0) return 1;
  const counts = new Array<number>(k).fill(0);
  for (const c of y) counts[c]!++;
  return minOf(counts) / maxOf(counts);
}

function withWeights(split: Prepared['train'], task: Task, hyper: Hyperparameters, k: number): Dataset {
  if (task === 'regression' || hyper.classWeights === 'none') return { x: split.x, y: split.y, w: null, n: split.n };
  const weights = classWeightsFor(split.y, Math.max(k, 2), hyper.classWeights);
  return { x: split.x, y: split.y, w: Float32Array.from(split.y, (c) => weights[c]!), n: split.n };
}

/** Class decisions (or values) for fairness: binary at 0.5, multiclass by most probable class. */
function decisions(task: Task, y: Float32Array, outputs: Outputs, regression: { mean: number; std: number } | null): { actual: ArrayLike<number>; predicted: ArrayLike<number> } {
  if (outputs.kind === 'values') return { actual: Float64Array.from(y, (v) => v * regression!.std + regression!.mean), predicted: outputs.values };
  const k = outputs.probs.length / y.length;
  const predicted = Int32Array.from(y, (_, i) => {
    if (task === 'binary') return outputs.probs[2 * i + 1]! >= 0.5 ? 1 : 0;
    let best = 0;
    for (let j = 1; j < k; j++) if (outputs.probs[i * k + j]! > outputs.probs[i * k + best]!) best = j;
    return best;
  });
  return { actual: y, predicted };
}

/** Settings that shape training, hashed: a checkpoint only resumes a run with the same ones (encryption at rest shapes nothing). */
function fingerprintOf(datasetSha256: string, input: TrainInput, backend: BackendName): string {
  const { runId: _runId, resumeFrom: _resumeFrom, encryptArtifacts: _encrypt, ...settings } = input;
  return createHash('sha256').update(JSON.stringify({ datasetSha256, settings, backend })).digest('hex');
}

function summaryOf(metrics: Metrics): Record<string, number | null | undefined> {
  if ('accuracy' in metrics) {
    return { accuracy: metrics.accuracy, balancedAccuracy: metrics.balancedAccuracy, f1: metrics.f1, rocAuc: metrics.rocAuc, logLoss: metrics.logLoss };
  }
  return { mae: metrics.mae, rmse: metrics.rmse, r2: metrics.r2, mape: metrics.mape };
}

/** The installation key, when encryption at rest is on; refuses to write the model in the clear without one. */
