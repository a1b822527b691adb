/**
 * The forecasting pilot's part of `pilot train … --kind forecast`: its options, the engine input
 * they make, and the result in plain lines (the `--json` output is the registered result itself).
 */
import { basename, extname } from 'node:path';
import type { Dataset } from '../../db/datasets.js';
import type { ForecastInputRaw } from '../../workers/forecast/index.js';
import { comparisonLines, coverageLine } from '../../workers/forecast/words.js';
import type { EpochRecord } from '../../workers/trainer/fit.js';
import { invoke } from '../api/index.js';
import type { ForecastTrainOutcome } from '../contract/forecast.js';
import { call } from './call.js';
import { CliError, UsageError, type CliContext, type Command } from './command.js';
import { count } from './format.js';
import { runJob } from './run-job.js';

/** Options `pilot train` accepts for `--kind forecast` (`--target`, `--epochs`, `--seed`, `--project` are shared). */
export const forecastOptions: NonNullable<Command['options']> = {
  time: { type: 'string' },
  id: { type: 'string' },
  holiday: { type: 'string' },
  horizon: { type: 'string' },
  lags: { type: 'string' },
  aggregate: { type: 'string' },
  'interval-level': { type: 'string' },
};

function whole(ctx: CliContext, flag: string, min: number): number | undefined {
  const value = ctx.flags[flag];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(number) || number < min)
    throw new UsageError(`--${flag} takes a whole number of at least ${min}, got "${String(value)}".`);
  return number;
}

const text = (ctx: CliContext, flag: string): string | undefined => {
  const value = ctx.flags[flag];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
};

/** The engine settings the forecast flags ask for (the file is the caller's). */
export function forecastSettings(ctx: CliContext): Omit<ForecastInputRaw, 'file'> {
  const time = text(ctx, 'time');
  const target = text(ctx, 'target');
  if (!time || !target) throw new UsageError('A forecast needs --time COLUMN (or DATE+HOUR, e.g. dteday+hr) and --target COLUMN (the value to forecast).');
  const aggregate = text(ctx, 'aggregate');
  if (aggregate !== undefined && aggregate !== 'auto' && aggregate !== 'sum' && aggregate !== 'mean')
    throw new UsageError(`--aggregate is auto, sum or mean, not "${aggregate}".`);
  const level = ctx.flags['interval-level'];
  const intervalLevel = level === undefined ? undefined : Number(level);
  if (intervalLevel !== undefined && !(intervalLevel >= 0.5 && intervalLevel <= 0.99))
    throw new UsageError(`--interval-level takes a coverage between 0.5 and 0.99 (0.9 = 90 % intervals), got "${String(level)}".`);
  const [id, holiday] = [text(ctx, 'id'), text(ctx, 'holiday')];
  const [horizon, lags, epochs, seed] = [whole(ctx, 'horizon', 1), whole(ctx, 'lags', 1), whole(ctx, 'epochs', 1), whole(ctx, 'seed', 0)];
  return {
    time,
    target,
    ...(id ? { id } : {}),
    ...(holiday ? { holiday } : {}),
    ...(horizon !== undefined ? { horizon } : {}),
    ...(lags !== undefined ? { lags } : {}),
    ...(aggregate !== undefined ? { aggregate } : {}),
    ...(intervalLevel !== undefined ? { intervalLevel } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

const f3 = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : 'n/a');

/** The result in lines a person reads. */
export function describeForecast(result: ForecastTrainOutcome, project: string): string[] {
  const { summary, baselineLabels: labels, hyperparameters: hp, time } = result;
  const series = result.series.count === 1 ? 'one series' : `${count(result.series.count)} series`;
  return [
    `Model version ${result.version} of ${project} (model version id ${result.modelVersionId}): forecasts "${result.target}" ${hp.horizon} ${time.frequency.label} step(s) ahead for ${series}, from ${hp.lags} past steps, backend ${result.backend}`,
    `Windows: ${count(result.rows.train)} train, ${count(result.rows.validation)} validation, ${count(result.rows.test)} test (test stretch ${result.stretches.test[0]} to ${result.stretches.test[1]}); values ${time.aggregate === 'sum' ? 'summed' : 'averaged'} per step`,
    `Test MASE (lower is better; below 1 beats '${labels.seasonalNaive}' on the training stretch): network ${f3(summary.network)}, linear autoregression ${f3(summary.linear)}, seasonal naive ${f3(summary.seasonalNaive)}, naive ${f3(summary.naive)}`,
    `Test MAE: network ${f3(result.metrics.mae)}, linear ${f3(result.baselines.linear.mae)}, seasonal naive ${f3(result.baselines.seasonalNaive.mae)}, naive ${f3(result.baselines.naive.mae)}`,
    ...comparisonLines(result).map((line) => line.text),
    coverageLine(result.intervals),
    `Backtest MASE by fold (network / seasonal naive): ${result.backtest.map((f) => `${f.from.slice(0, 10)} ${f3(f.mase.network)}/${f3(f.mase.seasonalNaive)}`).join(', ')}`,
    `${result.epochs.length} epoch(s)${result.stoppedEarly ? ' (stopped early)' : ''}, best ${result.bestEpoch}, ${count(Math.round(result.samplesPerSec))} windows/s`,
    `Model: ${result.artifactDir}`,
    `Forecast with: pilot predict ${project}@${result.version} HISTORY.csv --horizon ${hp.horizon} --out FORECAST.csv`,
  ];
}

async function projectFor(ctx: CliContext, name: string, datasetId: number): Promise<number> {
  const existing = (await call(invoke(ctx.app(), 'pilots:list', { archived: true }))).find((project) => project.name === name);
  if (existing?.archivedAt) throw new CliError(`Project "${name}" is archived. Give another name with --project NAME.`);
  if (existing) return existing.id;
  return (await call(invoke(ctx.app(), 'pilots:create', { name, kind: 'forecast', datasetId }))).id;
}

/** `pilot train FILE --kind forecast …`: imports the file when needed, trains, registers the version, prints the result (or its JSON). */
export async function trainForecastFromCli(ctx: CliContext, path: string, datasetFor: (ctx: CliContext, path: string) => Promise<Dataset>): Promise<void> {
  const settings = forecastSettings(ctx);
  const dataset = await datasetFor(ctx, path);
  // Checked before a project is created, so a typo leaves nothing behind.
  for (const column of [...settings.time.split('+'), settings.target, settings.id, settings.holiday]) {
    if (column !== undefined && !dataset.columns.includes(column.trim()))
      throw new CliError(`The column "${column.trim()}" is not in ${dataset.name}. Its columns are: ${dataset.columns.join(', ')}.`);
  }
  const name = text(ctx, 'project') ?? basename(path, extname(path));
  const projectId = await projectFor(ctx, name, dataset.id);
  const started = await call(invoke(ctx.app(), 'forecast:train', { projectId, datasetId: dataset.id, ...settings }));
  if (started.warning) ctx.err(`warning: ${started.warning}`);
  const final = await runJob(ctx, started.job, (r: EpochRecord) => {
    ctx.err(`epoch ${r.epoch}  loss ${r.loss.toFixed(4)}  val_loss ${r.valLoss.toFixed(4)}  ${count(Math.round(r.samplesPerSec))} windows/s`);
  });
  const result = final.result;
  if (ctx.json) return ctx.out(JSON.stringify(result, null, 2));
  for (const line of describeForecast(result, name)) ctx.out(line);
  for (const alert of result.alerts) ctx.err(`${alert.severity}: ${alert.message} ${alert.fix}`);
  for (const warning of result.warnings) ctx.err(`warning: ${warning}`);
}
