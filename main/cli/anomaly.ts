/**
 * The anomaly pilot's part of `pilot train … --kind anomaly`: its options, the engine input they
 * make, and the result in plain lines. Kept beside the tabular command so each kind's flags are
 * read in one place.
 */
import { shellCommand } from '../../common/shell.js';
import type { Dataset } from '../../db/datasets.js';
import type { AnomalyInputRaw, AnomalyResult } from '../../workers/anomaly/index.js';
import type { LabelledMetrics } from '../../workers/anomaly/evaluate.js';
import { invoke } from '../api/index.js';
import { UsageError, type CliContext, type Command } from './command.js';
import { call } from './call.js';
import { count } from './format.js';
import { runJob } from './run-job.js';

/** Options `pilot train` accepts for `--kind anomaly`. */
export const anomalyOptions: NonNullable<Command['options']> = {
  label: { type: 'string' },
  normal: { type: 'string' },
  'alert-rate': { type: 'string' },
  'threshold-rule': { type: 'string' },
  'threshold-target': { type: 'string' },
  include: { type: 'string' },
  'no-stability': { type: 'boolean' },
};

function fraction(ctx: CliContext, flag: string, { openTop }: { openTop: boolean }): number | undefined {
  const value = ctx.flags[flag];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !(number > 0) || (openTop ? number >= 1 : number > 1)) {
    throw new UsageError(`--${flag} takes a share between 0 and 1 (0.01 = 1 in 100), got "${String(value)}".`);
  }
  return number;
}

const list = (value: unknown): string[] => (typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : []);

/** The engine settings the anomaly flags ask for (file, seed, epochs and the like are the caller's). */
export function anomalySettings(ctx: CliContext): Omit<AnomalyInputRaw, 'file'> {
  const label = ctx.flags.label;
  const normal = ctx.flags.normal;
  if (normal !== undefined && label === undefined) throw new UsageError('--normal needs --label (the column whose value it is).');
  const rule = ctx.flags['threshold-rule'];
  if (rule !== undefined && !['bestF1', 'recall', 'precision'].includes(String(rule))) throw new UsageError(`--threshold-rule is bestF1, recall or precision, not "${String(rule)}".`);
  if (rule !== undefined && label === undefined) throw new UsageError('--threshold-rule needs --label: without known anomalies there is no precision or recall to trade.');
  const alertRate = fraction(ctx, 'alert-rate', { openTop: true });
  const target = fraction(ctx, 'threshold-target', { openTop: false });
  return {
    ...(typeof label === 'string' ? { label } : {}),
    ...(typeof normal === 'string' ? { normal } : {}),
    ...(alertRate !== undefined ? { alertRate } : {}),
    ...(rule !== undefined ? { thresholdRule: String(rule) as 'bestF1' | 'recall' | 'precision' } : {}),
    ...(target !== undefined ? { thresholdTarget: target } : {}),
    include: list(ctx.flags.include),
    exclude: list(ctx.flags.exclude),
    ...(ctx.flags['no-stability'] === true ? { stability: false } : {}),
  };
}

const f3 = (value: number | undefined) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : 'n/a');

/** The result in lines a person reads (the `--json` output is the result itself). */
export function describeAnomaly(result: AnomalyResult): string[] {
  const { summary, label } = result;
  const lines = [
    `Anomaly detector (run ${result.runId}): an autoencoder on ${result.inputs} inputs from ${result.features.length} column(s), backend ${result.backend}`,
    `Rows: ${count(result.rows.train)} train, ${count(result.rows.validation)} validation, ${count(result.rows.test)} test` +
      (label ? `; label "${label.column}" (normal: "${label.normal}"), ${count(label.anomalyRows)} known anomalies, never trained on` : '; no labels'),
  ];
  if (summary.metric === 'prAuc') {
    const m = result.metrics as LabelledMetrics;
    lines.push(`Test PR AUC: network ${f3(summary.network)}, robust z-score ${f3(summary.robustZ)}, isolation forest ${f3(summary.isolationForest)} (a random ranking: ${f3(m.anomalies / Math.max(m.rows, 1))}); ROC AUC network ${f3(m.rocAuc)}`);
  } else if (summary.metric === 'stability') {
    lines.push(`Stability across two seeds (Spearman): network ${f3(summary.network)}, isolation forest ${f3(summary.isolationForest)}, robust z-score 1 (no randomness)`);
  }
  lines.push(result.verdict);
  lines.push(`Threshold ${result.threshold.value.toPrecision(4)}: ${result.threshold.explanation}`);
  lines.push('Most unusual rows (row: score, top columns by share of the error):');
  for (const t of result.topAnomalies.slice(0, 5)) {
    const why = t.contributions.slice(0, 3).map((c) => `${c.column} ${Math.round(100 * c.share)}%`).join(', ');
    lines.push(`  ${t.row}: ${t.score.toPrecision(4)}${t.flagged ? ' flagged' : ''}${t.knownAnomaly ? ' (known anomaly)' : ''} — ${why}`);
  }
  lines.push(`${result.epochs.length} epoch(s)${result.stoppedEarly ? ' (stopped early)' : ''}, best ${result.bestEpoch}, ${count(Math.round(result.samplesPerSec))} rows/s`);
  if (result.excluded.length) lines.push(`Left out: ${result.excluded.map((e) => `${e.column} (${e.reason})`).join('; ')}`);
  lines.push(`Model: ${result.artifactDir}`);
  return lines;
}

/** `pilot train FILE --kind anomaly …`: imports the file when needed, trains, registers the version, prints the result (or its JSON). */
export async function trainAnomalyFromCli(
  ctx: CliContext,
  path: string,
  datasetFor: (ctx: CliContext, path: string) => Promise<Dataset>,
  common: Pick<AnomalyInputRaw, 'epochs' | 'seed' | 'maxRows'> & { project?: string },
): Promise<void> {
  const settings = anomalySettings(ctx);
  const dataset = await datasetFor(ctx, path);
  const started = await call(invoke(ctx.app(), 'anomaly:train', { datasetId: dataset.id, ...settings, ...common }));
  if (started.warning) ctx.err(`warning: ${started.warning}`);
  const final = await runJob(ctx, started.job, (record) => {
    ctx.err(`epoch ${record.epoch}  loss ${record.loss.toFixed(4)}  val_loss ${record.valLoss.toFixed(4)}  ${count(Math.round(record.samplesPerSec))} rows/s`);
  });
  const result = final.result;
  if (ctx.json) return ctx.out(JSON.stringify(result, null, 2));
  ctx.out(`Model version ${result.version} of ${started.project} (model version id ${result.modelVersionId}); predict with: ${shellCommand(['pilot', 'predict', `${started.project}@${result.version}`, 'FILE', '--out', 'OUT.csv'])}`);
  for (const line of describeAnomaly({ ...result, runId: result.runKey })) ctx.out(line);
  for (const warning of result.warnings) ctx.err(`warning: ${warning}`);
}
