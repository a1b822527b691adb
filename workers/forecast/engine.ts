/**
 * The `train.forecast` engine: read the series, cut them into windows, fit the linear
 * autoregression and the windowed network on the training stretch, score both against naive and
 * seasonal-naive forecasts on the most recent stretch and in a rolling-origin backtest, derive
 * prediction intervals, and write the model version. One progress report per epoch; a cancel
 * stops within one batch; every epoch is checkpointed for resuming.
 */
import { keyIfEncrypting } from '../trainer/encryption.js';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { PilotResultCore } from '../pilot-result.js';
import { throwIfCancelled, type Engine } from '../protocol.js';
import type { BackendName, BackendStatus } from '../tfjs/backend.js';
import type { Checksums } from '../trainer/artifact.js';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint } from '../trainer/checkpoint.js';
import { fit, type EpochRecord } from '../trainer/fit.js';
import { Mlp } from '../trainer/mlp.js';
import { Rng, seedFor } from '../trainer/random.js';
import { writeForecastArtifact } from './artifact.js';
import { pickBackend, reasonFor } from './backend.js';
import { FirstBatchWatch } from '../tfjs/first-batch.js';
import { seasonalProfile } from './drift.js';
import { byModel, evaluateForecasts, validationResidualMae, naiveForecasts, unscale, type BacktestFold, type IntervalReport, type ModelName } from './evaluate.js';
import { fitLinear, predictLinear } from './linear.js';
import type { ErrorComparison, ForecastMetrics } from './metrics.js';
import { prepareForecast, rowsOf, type PreparedForecast } from './prepare.js';
import type { ForecastInput } from './schema.js';
import { formatTime, gridTime, type Frequency, type TimeAlert } from './series.js';
import { inputWidth, type Season } from './windows.js';

/** The network's settings (defaults sized from the windows). */
export interface ForecastHyperparameters {
  lags: number;
  horizon: number;
  hiddenLayers: number[];
  dropout: number;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  /** A linear path from the inputs to the outputs, so the network contains the linear autoregression. */
  linearSkip: boolean;
  seed: number;
}

/** The result of a forecasting run (JSON); it carries the fields every pilot kind shares. */
export interface ForecastResult extends PilotResultCore {
  kind: 'forecast';
  runId: string;
  backend: BackendName;
  /** Why this backend: what it is, and why each better one was not used. */
  backendReason: string;
  backends: BackendStatus[];
  task: 'forecast';
  target: string;
  /** Forecast windows (origins) per stretch. */
  rows: { train: number; validation: number; test: number };
  /** The network's metrics on the test stretch (the most recent). */
  metrics: ForecastMetrics;
  /** Each baseline's metrics on the same test windows. */
  baselines: { naive: ForecastMetrics; seasonalNaive: ForecastMetrics; linear: ForecastMetrics };
  /** MASE of each model on the test stretch (lower is better; below 1 beats the seasonal naive forecast's in-sample error). */
  summary: { metric: 'mase'; lowerIsBetter: true; network: number; naive: number; seasonalNaive: number; linear: number };
  /** The network against each baseline on the test windows: how much closer, and whether beyond chance (Diebold–Mariano). */
  comparisons: Record<'naive' | 'seasonalNaive' | 'linear', ErrorComparison>;
  /** The baselines in words, for the plain-words comparison ('same hour last week'). */
  baselineLabels: Record<ModelName, string>;
  epochs: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training windows per second (all epochs, excluding evaluation). */
  samplesPerSec: number;
  trainSeconds: number;
  hyperparameters: ForecastHyperparameters;
  parameters: number;
  artifactDir: string;
  checksums: Checksums;
  datasetSha256: string;
  resumedFromEpoch: number | null;
  warnings: string[];
  /** The time axis: the time spec, the inferred step, the season, how values in one step were combined. */
  time: { spec: string; format: string; frequency: Frequency; season: Season; aggregate: 'sum' | 'mean'; aggregateReason: string };
  /** Series used, and their ids ('' for a single unnamed series; at most 100 listed). */
  series: { count: number; ids: string[] };
  /** The stretches (first and last time, ISO). */
  stretches: PreparedForecast['stretches'];
  /** Duplicates, gaps and irregular times found, with their fixes. */
  alerts: TimeAlert[];
  /** Metrics on the validation stretch (what early stopping and the intervals saw). */
  validation: Record<ModelName, ForecastMetrics>;
  backtest: BacktestFold[];
  intervals: IntervalReport;
  /** The last test window of the first series: actual values and every model's forecast, for the forecast plot. */
  example: { series: string; times: string[]; history: number[]; historyTimes: string[]; actual: number[]; forecasts: Record<ModelName, number[]>; lower: number[]; upper: number[] };
}

/** The `train.forecast` engine. Its input is validated already (the worker entry parses it with `forecastInputSchema`). */
export const trainForecast: Engine<ForecastInput, ForecastResult, EpochRecord> = async (input, ctx) => {
  const runId = input.resumeFrom ?? input.runId ?? `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const runDir = join(ctx.dataDir, 'runs', runId);
  const encryptWith = await keyIfEncrypting(input.encryptArtifacts, join(ctx.dataDir, 'models', runId));
  ctx.progress({ fraction: 0.01, stage: 'Reading data' });
  const prep = await prepareForecast(input);
  throwIfCancelled(ctx.signal);
  const { tf, backend, statuses } = await pickBackend(input.backend);
  const { train, evaluation, window } = prep;
  const d = inputWidth(window);
  const H = window.horizon;

  ctx.progress({ fraction: 0.05, stage: 'Fitting the linear autoregression' });
  const linear = fitLinear(train.x, train.y, train.n, d, H);
  throwIfCancelled(ctx.signal);

  const hyper = hyperparametersFor(input, train.n, d, window.lags, H);
  const spec = { inputs: d, hidden: hyper.hiddenLayers, outputs: H, dropout: hyper.dropout, skip: hyper.linearSkip };
  const network = new Mlp(tf, spec, new Rng(seedFor(input.seed, 'init')));
  const fingerprint = fingerprintOf(prep.datasetSha256, input, backend);
  const checkpoint = input.resumeFrom ? await loadCheckpoint(runDir, fingerprint) : null;
  if (checkpoint) network.state = checkpoint.mlp;
  // Read now: fit advances the checkpoint's loop state in place.
  const resumedFromEpoch = checkpoint ? checkpoint.loop.epoch : null;
  const valRows = rowsOf(prep.split, 0);
  const validation = subset(evaluation.x, evaluation.y, valRows, d, H);
  const firstBatch = await FirstBatchWatch.create(tf, ctx, 0.1);
  const result = await fit(
    network,
    { x: train.x, y: train.y, w: null, n: train.n },
    { ...validation, w: null },
    {
      task: 'regression',
      batchSize: hyper.batchSize,
      learningRate: hyper.learningRate,
      maxEpochs: hyper.maxEpochs,
      patience: hyper.patience,
      signal: ctx.signal,
      firstBatch,
      onEpoch: async (record, loop) => {
        await saveCheckpoint(runDir, { version: 1, fingerprint, mlp: network.state, loop }, encryptWith);
        ctx.progress({ fraction: 0.1 + 0.8 * (record.epoch / hyper.maxEpochs), stage: `Epoch ${record.epoch}/${hyper.maxEpochs}`, detail: record });
      },
    },
    seedFor(input.seed, 'fit'),
    checkpoint?.loop,
  );
  throwIfCancelled(ctx.signal);

  ctx.progress({ fraction: 0.92, stage: 'Backtesting against the baselines' });
  const forecasts = {
    network: unscale(prep, network.logits(evaluation.x, evaluation.n)),
    linear: unscale(prep, predictLinear(linear, evaluation.x, evaluation.n)),
    ...naiveForecasts(prep),
  };
  const scored = evaluateForecasts(prep, forecasts, input.intervalLevel, input.backtestFolds);
  const baselineLabels = byModel((name) => ({ network: 'the network', naive: 'the last value', seasonalNaive: prep.season.label, linear: 'a linear autoregression' })[name]);

  ctx.progress({ fraction: 0.97, stage: 'Saving the model' });
  const artifactDir = join(ctx.dataDir, 'models', runId);
  const frequency = prep.set.frequency;
  const checksums = await writeForecastArtifact(
    tf,
    artifactDir,
    spec,
    network.state.params,
    {
      kind: 'forecast',
      time: input.time,
      target: input.target,
      id: input.id ?? null,
      holiday: input.holiday ?? null,
      aggregate: prep.set.aggregate,
      numberFormats: Object.fromEntries(input.numberFormats.filter((f) => f.column === input.target || f.column === input.holiday).map((f) => [f.column, { decimal: f.decimal, thousands: f.thousands }])),
      frequency,
      window,
      season: prep.season,
      scaling: prep.scaling,
      intervals: { level: input.intervalLevel, lower: scored.intervals.lower, upper: scored.intervals.upper },
      reference: {
        residualMae: validationResidualMae(prep, forecasts.network),
        profiles: prep.set.series.slice(0, 1000).map((s, i) => ({
          id: s.id,
          profile: seasonalProfile(frequency, prep.set.origin, s, 0, Math.min(s.values.length, prep.bounds.valStart - s.offset), prep.season.period, prep.scaling[i]!.std),
        })),
      },
    },
    {
      runId,
      backend,
      task: 'forecast',
      target: input.target,
      createdAt: new Date().toISOString(),
      sourceFile: input.file,
      datasetSha256: prep.datasetSha256,
      hyperparameters: hyper,
      metrics: { mase: scored.test.network.mase, mae: scored.test.network.mae, rmse: scored.test.network.rmse, smape: scored.test.network.smape },
      tfjsVersion: tf.version.tfjs,
    },
    { encryptWith },
  );
  await removeCheckpoint(runDir);
  ctx.progress({ fraction: 1, stage: 'Done' });
  const count = (k: number) => prep.split.reduce((n, v) => n + (v === k ? 1 : 0), 0);
  return {
    kind: 'forecast',
    runId,
    backend,
    backendReason: reasonFor(backend, statuses),
    backends: statuses,
    firstBatch: firstBatch.report,
    task: 'forecast',
    target: input.target,
    rows: { train: train.n, validation: count(0), test: count(1) },
    metrics: scored.test.network,
    baselines: { naive: scored.test.naive, seasonalNaive: scored.test.seasonalNaive, linear: scored.test.linear },
    summary: {
      metric: 'mase',
      lowerIsBetter: true,
      network: scored.test.network.mase,
      naive: scored.test.naive.mase,
      seasonalNaive: scored.test.seasonalNaive.mase,
      linear: scored.test.linear.mase,
    },
    comparisons: scored.comparisons,
    baselineLabels,
    epochs: result.history,
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
    samplesPerSec: result.samplesPerSec,
    trainSeconds: result.trainSeconds,
    hyperparameters: hyper,
    parameters: network.size,
    artifactDir,
    checksums,
    datasetSha256: prep.datasetSha256,
    resumedFromEpoch,
    warnings: firstBatch.warning ? [...prep.warnings, firstBatch.warning] : prep.warnings,
    time: { spec: input.time, format: prep.set.format, frequency, season: prep.season, aggregate: prep.set.aggregate, aggregateReason: prep.set.aggregateReason },
    series: { count: prep.set.series.length, ids: prep.set.series.slice(0, 100).map((s) => s.id) },
    stretches: prep.stretches,
    alerts: prep.alerts,
    validation: scored.validation,
    backtest: scored.backtest,
    intervals: scored.intervals,
    example: exampleOf(prep, forecasts, scored.intervals),
  };
};

/** Sizes from the windows: width the next power of two ≥ inputs / 2 (32…256), two layers; about 8,000 Adam steps at most. */
function hyperparametersFor(input: ForecastInput, windows: number, inputs: number, lags: number, horizon: number): ForecastHyperparameters {
  const width = Math.min(256, Math.max(32, 2 ** Math.ceil(Math.log2(Math.max(1, inputs / 2)))));
  const batchSize = input.batchSize ?? (windows >= 4000 ? 128 : 32);
  const steps = Math.max(1, Math.ceil(windows / batchSize));
  return {
    lags,
    horizon,
    hiddenLayers: input.hiddenLayers ?? [width, width / 2],
    dropout: input.dropout ?? 0,
    learningRate: input.learningRate ?? 1e-3,
    batchSize,
    maxEpochs: input.epochs ?? Math.min(200, Math.max(10, Math.round(8000 / steps))),
    patience: input.patience ?? 8,
    linearSkip: true,
    seed: input.seed,
  };
}

function subset(x: Float32Array, y: Float32Array, rows: Uint32Array, d: number, k: number): { x: Float32Array; y: Float32Array; n: number } {
  const sx = new Float32Array(rows.length * d);
  const sy = new Float32Array(rows.length * k);
  rows.forEach((r, i) => {
    sx.set(x.subarray(r * d, (r + 1) * d), i * d);
    sy.set(y.subarray(r * k, (r + 1) * k), i * k);
  });
  return { x: sx, y: sy, n: rows.length };
}

/** Settings that shape training, hashed: a checkpoint only resumes a run with the same ones (encryption at rest shapes nothing). */
function fingerprintOf(datasetSha256: string, input: ForecastInput, backend: BackendName): string {
  const { runId: _runId, resumeFrom: _resumeFrom, encryptArtifacts: _encrypt, ...settings } = input;
  return createHash('sha256').update(JSON.stringify({ kind: 'forecast', datasetSha256, settings, backend })).digest('hex');
}

function exampleOf(prep: PreparedForecast, forecasts: Record<ModelName, Float64Array>, intervals: IntervalReport): ForecastResult['example'] {
  const H = prep.window.horizon;
  const { evaluation, set } = prep;
  let i = evaluation.n - 1;
  while (i > 0 && (prep.split[i] !== 1 || evaluation.series[i] !== 0)) i--;
  const s = set.series[evaluation.series[i]!]!;
  const p = evaluation.origin[i]!;
  const time = (k: number) => gridTime(set.frequency, set.origin, s.offset + k);
  const back = Math.max(prep.window.lags, 2 * H);
  const pick = (a: Float64Array) => Array.from(a.subarray(i * H, (i + 1) * H));
  const std = evaluation.unit[i]!;
  const net = pick(forecasts.network);
  return {
    series: s.id,
    historyTimes: Array.from({ length: Math.min(back, p + 1) }, (_, k) => formatTime(time(p - Math.min(back, p + 1) + 1 + k))),
    history: Array.from(s.values.subarray(Math.max(0, p - back + 1), p + 1)),
    times: Array.from({ length: H }, (_, h) => formatTime(time(p + h + 1))),
    actual: Array.from(s.values.subarray(p + 1, p + 1 + H)),
    forecasts: byModel((name) => pick(forecasts[name])),
    lower: net.map((f, h) => Math.max(prep.scaling[evaluation.series[i]!]!.mode === 'ratio' ? 0 : -Infinity, f + intervals.lower[h]! * std)),
    upper: net.map((f, h) => f + intervals.upper[h]! * std),
  };
}
