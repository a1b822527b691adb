/**
 * The `train.anomaly` engine: learn what normal rows look like with a dense autoencoder, score
 * every row by how badly it is reconstructed, set a threshold, and compare with two baselines a
 * sceptic would use (robust z-scores, an isolation forest) on the same test rows. Progress streams
 * one report per epoch; a cancel stops within one batch; every epoch is checkpointed for resuming.
 */
import { keyIfEncrypting } from '../trainer/encryption.js';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { throwIfCancelled, type Engine } from '../protocol.js';
import { writeArtifact } from '../trainer/artifact.js';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint } from '../trainer/checkpoint.js';
import { pickBackend, reasonFor } from '../trainer/engine.js';
import { FirstBatchWatch } from '../tfjs/first-batch.js';
import { fit, type Dataset, type EpochRecord, type FitOptions } from '../trainer/fit.js';
import { Mlp, type MlpSpec } from '../trainer/mlp.js';
import { Rng, seedFor } from '../trainer/random.js';
import { prepareAnomaly, type AnomalyData, type AnomalySplit } from './data.js';
import { evaluateDetectors, type Evaluation } from './report.js';
import { anomalyHyperparameters, type AnomalyHyperparameters } from './hyper.js';
import type { AnomalyInput } from './schema.js';
import { blocksOf, errorWeights, scoreWith } from './reconstruction.js';
import type { PilotResultCore } from './types.js';

/** The result of an anomaly-detection run (JSON). */
export interface AnomalyResult extends PilotResultCore, Evaluation {
  kind: 'anomaly';
  task: 'anomaly';
  metrics: Evaluation['metrics'];
  baselines: Evaluation['baselines'];
  summary: Evaluation['summary'];
  hyperparameters: AnomalyHyperparameters;
  /** Model inputs after encoding. */
  inputs: number;
  features: string[];
  excluded: AnomalyData['excluded'];
  /** The label column's meaning; null when trained without labels. */
  label: AnomalyData['label'];
}

/** Trains on validated input (the worker entry parses it once with `anomalyInputSchema`). */
export const trainAnomaly: Engine<AnomalyInput, AnomalyResult, EpochRecord> = async (input, ctx) => {
  const runId = input.resumeFrom ?? input.runId ?? `anomaly-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const runDir = join(ctx.dataDir, 'runs', runId);
  const encryptWith = await keyIfEncrypting(input.encryptArtifacts, join(ctx.dataDir, 'models', runId));
  ctx.progress({ fraction: 0.01, stage: 'Reading data' });
  const data = await prepareAnomaly(input);
  throwIfCancelled(ctx.signal);
  const { tf, backend, statuses } = await pickBackend(input.backend);
  const d = data.preprocessing.inputs.length;
  const hyper = anomalyHyperparameters(
    data.train.n,
    d,
    {
      ...(input.epochs !== undefined ? { maxEpochs: input.epochs } : {}),
      ...(input.bottleneck !== undefined ? { bottleneck: input.bottleneck } : {}),
      ...(input.learningRate !== undefined ? { learningRate: input.learningRate } : {}),
      ...(input.batchSize !== undefined ? { batchSize: input.batchSize } : {}),
      ...(input.patience !== undefined ? { patience: input.patience } : {}),
    },
    input.seed,
  );
  const spec: MlpSpec = { inputs: d, hidden: hyper.hiddenLayers, outputs: d, dropout: 0, skip: false };
  const train = reconstructionSet(data.train);
  // Early stopping watches the reconstruction of validation rows believed normal only.
  const validation = reconstructionSet(normalRows(data.validation, d));
  const withStability = !data.label && input.stability;
  const share = withStability ? 0.4 : 0.8;
  const fitOptions: FitOptions = {
    task: 'regression',
    batchSize: hyper.batchSize,
    learningRate: hyper.learningRate,
    maxEpochs: hyper.maxEpochs,
    patience: hyper.patience,
    signal: ctx.signal,
  };

  const network = new Mlp(tf, spec, new Rng(seedFor(input.seed, 'init')));
  const fingerprint = fingerprintOf(data.datasetSha256, input, backend);
  const checkpoint = input.resumeFrom ? await loadCheckpoint(runDir, fingerprint) : null;
  if (checkpoint) network.state = checkpoint.mlp;
  // Read now: fit advances the checkpoint's loop state in place.
  const resumedFromEpoch = checkpoint ? checkpoint.loop.epoch : null;
  const firstBatch = await FirstBatchWatch.create(tf, ctx, 0.05);
  const result = await fit(
    network,
    train,
    validation,
    {
      ...fitOptions,
      firstBatch,
      onEpoch: async (record, loop) => {
        await saveCheckpoint(runDir, { version: 1, fingerprint, mlp: network.state, loop }, encryptWith);
        ctx.progress({ fraction: 0.05 + share * (record.epoch / hyper.maxEpochs), stage: `Epoch ${record.epoch}/${hyper.maxEpochs}`, detail: record });
      },
    },
    seedFor(input.seed, 'fit'),
    checkpoint?.loop,
  );
  throwIfCancelled(ctx.signal);

  // A second network with other random draws, to see whether the ranking depends on luck.
  let second: Mlp | null = null;
  if (withStability) {
    ctx.progress({ fraction: 0.05 + share, stage: 'Training a second network (another seed) for stability' });
    second = new Mlp(tf, spec, new Rng(seedFor(input.seed, 'stability-init')));
    await fit(
      second,
      train,
      validation,
      { ...fitOptions, onEpoch: (record) => ctx.progress({ fraction: 0.05 + share + share * (record.epoch / hyper.maxEpochs), stage: `Stability check: epoch ${record.epoch}/${hyper.maxEpochs}` }) },
      seedFor(input.seed, 'stability-fit'),
    );
    throwIfCancelled(ctx.signal);
  }

  ctx.progress({ fraction: 0.9, stage: 'Scoring and comparing with the baselines' });
  const blocks = blocksOf(data.preprocessing);
  const weights = errorWeights(network, validation.x, validation.n);
  const secondWeights = second ? errorWeights(second, validation.x, validation.n) : undefined;
  const evaluation = evaluateDetectors(data, input, blocks, (split) => scoreWith(network, split.x, split.n, blocks, weights), second ? (split) => scoreWith(second, split.x, split.n, blocks, secondWeights).scores : null);
  throwIfCancelled(ctx.signal);

  ctx.progress({ fraction: 0.97, stage: 'Saving the model' });
  const artifactDir = join(ctx.dataDir, 'models', runId);
  const base = {
    kind: 'anomaly' as const,
    runId,
    backend,
    backendReason: reasonFor(backend, statuses),
    task: 'anomaly' as const,
    target: data.label?.column ?? '',
    ...(data.label ? { classes: [data.label.normal, ...data.label.anomalyValues] } : {}),
    rows: { train: data.train.n, validation: data.validation.n, test: data.test.n },
    hyperparameters: hyper,
    datasetSha256: data.datasetSha256,
    features: data.preprocessing.features.map((f) => f.column),
    excluded: data.excluded,
    label: data.label,
  };
  const pipeline = {
    preprocessing: data.preprocessing,
    anomaly: {
      threshold: evaluation.threshold.value,
      rule: evaluation.threshold.rule,
      score: 'mean over inputs of the squared reconstruction error divided by that input’s mean squared error on the validation rows believed normal',
      errorWeights: Array.from(weights),
    },
  };
  const checksums = await writeArtifact(
    tf,
    artifactDir,
    spec,
    network.state.params,
    pipeline,
    {
      ...base,
      createdAt: new Date().toISOString(),
      sourceFile: input.file,
      threshold: evaluation.threshold,
      summary: evaluation.summary,
      tfjsVersion: tf.version.tfjs,
    },
    { encryptWith },
  );
  await removeCheckpoint(runDir);
  ctx.progress({ fraction: 1, stage: 'Done' });
  return {
    ...base,
    ...evaluation,
    backends: statuses,
    firstBatch: firstBatch.report,
    epochs: result.history,
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
    samplesPerSec: result.samplesPerSec,
    trainSeconds: result.trainSeconds,
    parameters: network.size,
    inputs: d,
    artifactDir,
    checksums,
    resumedFromEpoch,
    warnings: [...data.warnings, ...evaluation.warnings, ...(firstBatch.warning ? [firstBatch.warning] : [])],
  };
};

/** An autoencoder's training set: the targets are the inputs. */
function reconstructionSet(split: Pick<AnomalySplit, 'x' | 'n'>): Dataset {
  return { x: split.x, y: split.x, w: null, n: split.n };
}

/** The rows of a split not labelled as anomalies. */
export function normalRows(split: AnomalySplit, d: number): Pick<AnomalySplit, 'x' | 'n'> {
  if (!split.label) return split;
  const keep: number[] = [];
  split.label.forEach((l, i) => l === 0 && keep.push(i));
  const x = new Float32Array(keep.length * d);
  keep.forEach((row, r) => x.set(split.x.subarray(row * d, (row + 1) * d), r * d));
  return { x, n: keep.length };
}

/** Settings that shape training, hashed: a checkpoint only resumes a run with the same ones (encryption at rest shapes nothing). */
function fingerprintOf(datasetSha256: string, input: AnomalyInput, backend: string): string {
  const { runId: _runId, resumeFrom: _resumeFrom, encryptArtifacts: _encrypt, ...settings } = input;
  return createHash('sha256').update(JSON.stringify({ kind: 'anomaly', datasetSha256, settings, backend })).digest('hex');
}

