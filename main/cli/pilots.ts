/** `pilot train` and `pilot predict`: a pilot's model from a CSV file, and that model applied to new rows. */
import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { Dataset } from '../../db/datasets.js';
import { invoke } from '../api/index.js';
import type { TrainOutcome } from '../contract/pilots.js';
import type { PilotVerdict } from '../verdict/pilot.js';
import type { EpochRecord } from '../../workers/trainer/fit.js';
import type { SearchReport } from '../../workers/trainer/search.js';
import { call } from './call.js';
import { CliError, UsageError, type CliContext, type Command } from './command.js';
import { count } from './format.js';
import { runJob } from './run-job.js';
import { isImageModel, predictImageCommand, trainImageCommand } from './images.js';
import { trainTextCli } from './text.js';
import { anomalyOptions, trainAnomalyFromCli } from './anomaly.js';
import { forecastOptions, trainForecastFromCli } from './forecast.js';
import { PILOT_KINDS } from '../../workers/pilot-result.js';

const list = (value: unknown): string[] =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : [];

function integer(ctx: CliContext, flag: string): number | undefined {
  const value = ctx.flags[flag];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(number) || number < 0) throw new UsageError(`--${flag} takes a whole number, got "${String(value)}".`);
  return number;
}

/** The registered dataset of `path` with the file's current content, importing it when needed. */
async function datasetFor(ctx: CliContext, path: string): Promise<Dataset> {
  const registered = (await call(invoke(ctx.app(), 'datasets:list', {}))).filter((dataset) => dataset.path === path);
  for (const dataset of registered) {
    const check = await call(invoke(ctx.app(), 'datasets:check', { id: dataset.id }));
    if (check.status === 'unchanged') return dataset;
  }
  const job = await call(invoke(ctx.app(), 'datasets:import', { path }));
  const final = await runJob(ctx, job);
  return final.result.dataset;
}

async function projectFor(ctx: CliContext, name: string, datasetId: number): Promise<number> {
  const existing = (await call(invoke(ctx.app(), 'pilots:list', { archived: true }))).find((project) => project.name === name);
  if (existing?.archivedAt) throw new CliError(`Project "${name}" is archived. Give another name with --project NAME.`);
  if (existing) return existing.id;
  return (await call(invoke(ctx.app(), 'pilots:create', { name, datasetId }))).id;
}

function epochLine(record: EpochRecord): string {
  const parts = [`epoch ${record.epoch}`, `loss ${record.loss.toFixed(4)}`];
  if (typeof record.valLoss === 'number') parts.push(`val_loss ${record.valLoss.toFixed(4)}`);
  if (typeof record.valAccuracy === 'number') parts.push(`val_accuracy ${record.valAccuracy.toFixed(3)}`);
  if (typeof record.valRmse === 'number') parts.push(`val_rmse ${record.valRmse.toPrecision(4)}`);
  if (typeof record.samplesPerSec === 'number') parts.push(`${count(Math.round(record.samplesPerSec))} samples/s`);
  return parts.join('  ');
}

const fixed = (value: number | null | undefined) => (typeof value === 'number' ? value.toFixed(3) : 'n/a');

function describe(result: TrainOutcome, project: string, verdict: PilotVerdict | null): string[] {
  const { summary } = result;
  const metric = summary.metric === 'r2' ? 'R²' : 'accuracy';
  const gain = summary.network - summary.linear;
  const test = result.versusLinear?.find((c) => c.metric === summary.metric);
  const versus = test
    ? test.verdict === 'better'
      ? `The network does better than the linear baseline (+${fixed(gain)} ${metric}, p = ${test.pValue.toPrecision(2)}).`
      : test.verdict === 'worse'
        ? `The linear baseline does better than the network (${fixed(-gain)} ${metric}, p = ${test.pValue.toPrecision(2)}): prefer the simpler model.`
        : `The network and the linear baseline are about the same (difference ${fixed(gain)} ${metric}, p = ${test.pValue.toPrecision(2)}: within chance).`
    : gain >= 0
      ? `The network adds ${fixed(gain)} ${metric} over the linear baseline.`
      : `The network is ${fixed(-gain)} ${metric} below the linear baseline: the simpler model is enough here.`;
  return [
    ...(verdict ? [`Verdict: ${verdict.headline}`, ...verdict.findings.filter((f) => f.severity !== 'note').map((f) => `  - ${f.detail}`)] : []),
    `Model version ${result.version} of ${project} (model version id ${result.modelVersionId}): ${result.task} on "${result.target}", backend ${result.backend}`,
    `Rows: ${count(result.rows.train)} train, ${count(result.rows.validation)} validation, ${count(result.rows.test)} test`,
    `Test ${metric}: network ${fixed(summary.network)}, linear baseline ${fixed(summary.linear)}, majority baseline ${fixed(summary.majority)}`,
    versus,
    ...(result.chosen ? [result.chosen.reason] : []),
    ...(result.search ? searchLines(result.search) : []),
    `${result.epochs.length} epoch(s)${result.stoppedEarly ? ' (stopped early)' : ''}, best ${result.bestEpoch}, ${count(Math.round(result.samplesPerSec))} samples/s`,
    `Features: ${result.features.length} used${result.excluded.length ? `; left out: ${result.excluded.map((e) => `${e.column} (${e.reason})`).join('; ')}` : ''}`,
    `Model: ${result.artifactDir}`,
  ];
}

/** The settings search as a small table: one row per trial, the chosen one marked with *. */
export function searchLines(search: SearchReport): string[] {
  const metric = search.metric === 'r2' ? 'val R²' : 'val accuracy';
  const rows = search.trials.map((t) => [
    `${t.trial === search.chosenTrial ? '*' : ' '}${t.trial}`,
    t.config.hiddenLayers.join('-'),
    String(t.config.learningRate),
    String(t.config.dropout),
    String(t.config.batchSize),
    String(t.epochs),
    Number.isFinite(t.valMetric) ? t.valMetric.toFixed(3) : 'n/a',
    t.valLoss.toFixed(4),
    t.seconds.toFixed(1),
    STOPPED[t.stoppedAt],
  ]);
  const header = ['trial', 'layers', 'learn rate', 'dropout', 'batch', 'epochs', metric, 'val loss', 'seconds', 'outcome'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((cell, c) => (c === 0 || c === 1 || c === 9 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [
    `Settings search: ${search.trials.length} trial(s) in ${search.spentSeconds.toFixed(0)} s of a ${search.budgetSeconds} s budget, judged on the validation rows only.`,
    line(header),
    ...rows.map(line),
    `  ${search.reason}`,
  ];
}

const STOPPED: Record<SearchReport['trials'][number]['stoppedAt'], string> = {
  cut: 'cut (others better)',
  completed: 'trained in full',
  'early-stop': 'stopped early',
  budget: 'time ran out',
};

export const pilotsCommands: Command[] = [
  {
    name: 'train',
    usage:
      'FILE --target T [--task auto|binary|multiclass|regression] [--exclude A,B] [--protected A,B] [--epochs N] [--seed N] [--max-rows N] [--model auto|network|linear] [--search SECONDS] [--project NAME] [--json]\n' +
      '       FOLDER|CSV --kind image [--path-column C] [--label-column C] [--image-size N] [--backbone DIR [--fine-tune] [--backbone-output NODE]] [--epochs N] [--seed N] [--json]\n' +
      '       FILE|FOLDER --kind text [--text COLUMN --target T] [--mask-pii] [--epochs N] [--seed N] [--project NAME] [--json]\n' +
      '       FILE --kind anomaly [--label COL --normal VALUE] [--alert-rate R] [--threshold-rule bestF1|recall|precision] [--threshold-target X] [--exclude A,B] [--no-stability] [--epochs N] [--seed N] [--json]\n' +
      '       FILE --kind forecast --time COL|DATE+HOUR --target COL [--id COL] [--holiday COL] [--horizon H] [--lags N] [--aggregate auto|sum|mean] [--interval-level 0.9] [--epochs N] [--seed N] [--project NAME] [--json]',
    summary:
      'Train a pilot model on a CSV file (tables; --kind image, text, anomaly or forecast for pictures, documents, unusual rows or time series), with baselines, and register it as a model version.',
    args: { min: 1, max: 1 },
    options: {
      target: { type: 'string' },
      task: { type: 'string' },
      exclude: { type: 'string' },
      protected: { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      'max-rows': { type: 'string' },
      model: { type: 'string' },
      search: { type: 'string' },
      project: { type: 'string' },
      kind: { type: 'string' },
      'image-size': { type: 'string' },
      backbone: { type: 'string' },
      'fine-tune': { type: 'boolean' },
      'backbone-output': { type: 'string' },
      'path-column': { type: 'string' },
      'label-column': { type: 'string' },
      text: { type: 'string' },
      'mask-pii': { type: 'boolean' },
      ...anomalyOptions,
      ...forecastOptions,
    },
    async run(ctx) {
      const kind = typeof ctx.flags.kind === 'string' ? ctx.flags.kind : 'tabular';
      if (kind === 'image') return trainImageCommand(ctx);
      if (kind === 'text') return trainTextCli(ctx);
      if (kind === 'anomaly') {
        const path = resolve(ctx.args[0]!);
        if (!existsSync(path)) throw new CliError(`File not found: ${path}. Check the path.`);
        const [epochs, seed, maxRows] = [integer(ctx, 'epochs'), integer(ctx, 'seed'), integer(ctx, 'max-rows')];
        const project = typeof ctx.flags.project === 'string' ? ctx.flags.project : undefined;
        return trainAnomalyFromCli(ctx, path, datasetFor, {
          ...(epochs ? { epochs } : {}),
          ...(seed !== undefined ? { seed } : {}),
          ...(maxRows ? { maxRows } : {}),
          ...(project ? { project } : {}),
        });
      }
      if (kind === 'forecast') {
        const path = resolve(ctx.args[0]!);
        if (!existsSync(path)) throw new CliError(`File not found: ${path}. Check the path.`);
        return trainForecastFromCli(ctx, path, datasetFor);
      }
      if (kind !== 'tabular') throw new UsageError(`--kind is ${PILOT_KINDS.slice(0, -1).join(', ')} or ${PILOT_KINDS.at(-1)}, not "${kind}".`);
      const target = ctx.flags.target;
      if (typeof target !== 'string' || !target.trim()) throw new UsageError('--target names the column to predict.');
      const task = (ctx.flags.task as string | undefined) ?? 'auto';
      if (!['auto', 'binary', 'multiclass', 'regression'].includes(task))
        throw new UsageError(`--task is auto, binary, multiclass or regression, not "${task}".`);
      const model = (ctx.flags.model as string | undefined) ?? 'auto';
      if (!['auto', 'network', 'linear'].includes(model)) throw new UsageError(`--model is auto, network or linear, not "${model}".`);
      const epochs = integer(ctx, 'epochs');
      const seed = integer(ctx, 'seed');
      const maxRows = integer(ctx, 'max-rows');
      const searchSeconds = integer(ctx, 'search');
      if (searchSeconds !== undefined && searchSeconds < 5) throw new UsageError('--search takes a time budget of at least 5 seconds (for example --search 60).');
      const path = resolve(ctx.args[0]!);
      if (!existsSync(path)) throw new CliError(`File not found: ${path}. Check the path.`);
      const dataset = await datasetFor(ctx, path);
      // Checked before a project is created, so a typo leaves nothing behind.
      if (!dataset.columns.includes(target))
        throw new CliError(`The target column "${target}" is not in ${dataset.name}. Its columns are: ${dataset.columns.join(', ')}.`);
      const name = (ctx.flags.project as string | undefined) ?? basename(path, extname(path));
      const projectId = await projectFor(ctx, name, dataset.id);
      const started = await call(
        invoke(ctx.app(), 'pilots:train', {
          projectId,
          datasetId: dataset.id,
          target,
          task: task as 'auto',
          exclude: list(ctx.flags.exclude),
          protected: list(ctx.flags.protected),
          model: model as 'auto',
          ...(epochs !== undefined ? { epochs } : {}),
          ...(seed !== undefined ? { seed } : {}),
          ...(maxRows !== undefined ? { maxRows } : {}),
          ...(searchSeconds !== undefined ? { searchSeconds } : {}),
        }),
      );
      if (started.warning) ctx.err(`warning: ${started.warning}`);
      const final = await runJob(ctx, started.job, (detail) => ctx.err(epochLine(detail)));
      const result = final.result;
      const { verdict } = await call(invoke(ctx.app(), 'pilots:run', { id: result.runId }));
      if (ctx.json) return ctx.out(JSON.stringify({ ...result, verdict }, null, 2));
      for (const line of describe(result, name, verdict)) ctx.out(line);
      for (const warning of result.warnings) ctx.err(`warning: ${warning}`);
    },
  },
  {
    name: 'predict',
    usage: 'MODEL FILE --out FILE [--horizon H] [--force] [--no-escape-formulas] [--json]',
    summary:
      "Apply a model version (its id, or PROJECT@VERSION) to a CSV file; writes the rows with predictions (anomaly models: scores, flags and reasons; forecast models: the next --horizon steps of each series after the file's history, with intervals; an existing --out needs --force; formula-like cells get a leading ').",
    args: { min: 2, max: 2 },
    options: { out: { type: 'string' }, horizon: { type: 'string' }, force: { type: 'boolean' }, 'no-escape-formulas': { type: 'boolean' } },
    async run(ctx) {
      const out = ctx.flags.out;
      if (typeof out !== 'string' || !out.trim()) throw new UsageError('--out names the CSV file to write.');
      const model = ctx.args[0]!;
      const horizon = integer(ctx, 'horizon');
      if (horizon === 0) throw new UsageError('--horizon takes a whole number of steps of at least 1.');
      if (isImageModel(resolve(model))) return predictImageCommand(ctx);
      const job = await call(
        invoke(ctx.app(), 'pilots:predict', {
          model: /^\d+$/.test(model) ? Number(model) : model,
          path: ctx.args[1]!,
          outPath: out,
          ...(horizon !== undefined ? { horizon } : {}),
          force: ctx.flags.force === true,
          escapeFormulas: ctx.flags['no-escape-formulas'] !== true,
        }),
      );
      const result = (await runJob(ctx, job)).result;
      if (ctx.json) return ctx.out(JSON.stringify(result, null, 2));
      ctx.out(
        `Wrote ${count(result.rows)} prediction(s) to ${result.outPath} (added ${result.addedColumns.join(', ')}), with version ${result.version} (id ${result.modelVersionId}), in ${result.seconds.toFixed(1)} s (${count(Math.round(result.rowsPerSecond))} rows/s).`,
      );
      for (const warning of result.warnings) ctx.err(`warning: ${warning}`);
    },
  },
];
