/**
 * Image pilots on the command line: `pilot images scan`, `pilot images train` (also reached as
 * `pilot train FOLDER --kind image`) and `pilot images predict` (also `pilot predict MODEL_DIR
 * FOLDER --out FILE` when MODEL_DIR is an image model's folder). Each runs its job in a worker.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { invoke } from '../api/index.js';
import { startImageTraining } from '../api/images.js';
import type { PilotOutcome } from '../contract/pilots.js';
import type { ImageTrainResult } from '../../workers/image/engine.js';
import type { ImagePredictResult } from '../../workers/image/predict.js';
import type { ImageScanReport } from '../../workers/image/scan.js';
import type { ImageEpochRecord } from '../../workers/image/train.js';
import { call } from './call.js';
import { CliError, UsageError, type CliContext, type Command } from './command.js';
import { count } from './format.js';
import { runJob } from './run-job.js';

function integer(ctx: CliContext, flag: string): number | undefined {
  const value = ctx.flags[flag];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(number) || number < 0) throw new UsageError(`--${flag} takes a whole number, got "${String(value)}".`);
  return number;
}

function epochLine(detail: unknown): string | null {
  const r = detail as Partial<ImageEpochRecord> | null;
  if (typeof r?.epoch !== 'number' || typeof r.loss !== 'number') return null;
  return `epoch ${r.epoch}  loss ${r.loss.toFixed(4)}  val_loss ${(r.valLoss ?? NaN).toFixed(4)}  val_accuracy ${(r.valAccuracy ?? NaN).toFixed(3)}  ${count(Math.round(r.samplesPerSec ?? 0))} images/s`;
}

/** `--path-column` / `--label-column` of an image CSV (found by name when absent). */
function csvColumns(ctx: CliContext): { pathColumn?: string; labelColumn?: string } {
  const out: { pathColumn?: string; labelColumn?: string } = {};
  for (const [flag, key] of [['path-column', 'pathColumn'], ['label-column', 'labelColumn']] as const) {
    const value = ctx.flags[flag];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !value.trim()) throw new UsageError(`--${flag} names a column of the image CSV.`);
    out[key] = value;
  }
  return out;
}

/** Whether `dir` holds an image model (metadata.json says kind "image"). */
export function isImageModel(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as { kind?: unknown }).kind === 'image';
  } catch {
    return false;
  }
}

/** `pilot images train` / `pilot train … --kind image`. */
export async function trainImageCommand(ctx: CliContext): Promise<void> {
  const source = resolve(ctx.args[0]!);
  if (!existsSync(source)) throw new CliError(`Not found: ${source}. Give a folder with one subfolder per class, or a CSV of path + label.`);
  const imageSize = integer(ctx, 'image-size');
  const epochs = integer(ctx, 'epochs');
  const seed = integer(ctx, 'seed');
  const project = typeof ctx.flags.project === 'string' ? ctx.flags.project : basename(source);
  const backbone = ctx.flags.backbone;
  if (backbone !== undefined && (typeof backbone !== 'string' || !backbone.trim())) throw new UsageError('--backbone names a TensorFlow.js layers or graph model folder (model.json + weights).');
  const backboneOutput = ctx.flags['backbone-output'];
  if (backboneOutput !== undefined && (typeof backboneOutput !== 'string' || !backboneOutput.trim() || backbone === undefined)) throw new UsageError('--backbone-output NODE names the node of a graph-model backbone whose output the head reads: give it with --backbone DIR.');
  const columns = csvColumns(ctx);
  const fineTune = ctx.flags['fine-tune'] === true;
  if (fineTune && backbone === undefined) throw new UsageError('--fine-tune trains the last block of an imported backbone: give the backbone with --backbone DIR.');
  const job = startImageTraining(ctx.app(), project, {
    source,
    ...(imageSize !== undefined ? { imageSize } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(typeof backbone === 'string' ? { backbone: resolve(backbone), fineTune } : {}),
    ...(typeof backboneOutput === 'string' ? { backboneOutput } : {}),
    ...columns,
  });
  const final = await runJob(ctx, job, (detail) => {
    const line = epochLine(detail);
    if (line) ctx.err(line);
  });
  const result = final.result as PilotOutcome<ImageTrainResult>;
  // The version's verdict, as tabular training prints it.
  const { verdict } = await call(invoke(ctx.app(), 'pilots:run', { id: result.runId }));
  if (ctx.json) return ctx.out(JSON.stringify({ ...result, verdict }, null, 2));
  const { summary } = result;
  const gain = summary.network - summary.linear;
  ctx.out(`Model version ${result.version} of ${project} (model version id ${result.modelVersionId}): ${result.classes.length} classes, ${result.hyperparameters.imageSize} px × ${result.hyperparameters.channels} channel(s), backend ${result.backend}`);
  if (result.backbone) {
    const b = result.backbone;
    ctx.out(`Backbone: ${b.name} (sha256 ${b.sha256.slice(0, 12)}…, input ${b.inputShape.map((d) => d ?? 'any').join(' × ')}, features from ${b.featureLayer}), ${b.fineTuned.length ? `last block fine-tuned (${b.fineTuned.join(', ')})` : 'frozen'}${result.featureCache?.used ? `, its features computed once (${result.featureCache.views} view${result.featureCache.views > 1 ? 's' : ''} a picture)` : ''}`);
  }
  ctx.out(`Pictures: ${count(result.rows.train)} train, ${count(result.rows.validation)} validation, ${count(result.rows.test)} test`);
  ctx.out(`Test accuracy: network ${summary.network.toFixed(3)}, linear baseline ${summary.linear.toFixed(3)}, majority baseline ${summary.majority.toFixed(3)}`);
  ctx.out(gain > 0 ? `The network adds ${gain.toFixed(3)} accuracy over the linear baseline.` : `The network is not better than the linear baseline (${gain.toFixed(3)}): the simpler model is enough here.`);
  ctx.out(`${result.epochs.length} epoch(s)${result.stoppedEarly ? ' (stopped early)' : ''}, best ${result.bestEpoch}, ${count(Math.round(result.samplesPerSec))} images/s, ${result.threads.reason}`);
  const total = result.timings.reduce((s, t) => s + t.seconds, 0);
  ctx.out(`Time: ${Math.round(total)} s — ${result.timings.filter((t) => t.seconds >= 0.5).map((t) => `${t.stage} ${t.seconds.toFixed(1)} s (CPU ${t.cpuSeconds.toFixed(1)} s)`).join(', ')}`);
  ctx.out(`Model: ${result.artifactDir}`);
  if (verdict) ctx.out(`Verdict: ${verdict.headline}`);
  for (const warning of result.warnings) ctx.err(`warning: ${warning}`);
}

/** `pilot images predict` / `pilot predict MODEL_DIR FOLDER --out FILE`. */
export async function predictImageCommand(ctx: CliContext): Promise<void> {
  const out = ctx.flags.out;
  if (typeof out !== 'string' || !out.trim()) throw new UsageError('--out names the CSV file to write.');
  const job = ctx.app().jobs.submit({
    kind: 'predict.image',
    title: `Predict pictures with ${ctx.args[0]}`,
    input: { artifactDir: resolve(ctx.args[0]!), input: resolve(ctx.args[1]!), outPath: resolve(out), force: ctx.flags.force === true, escapeFormulas: ctx.flags['no-escape-formulas'] !== true },
  });
  const result = (await runJob(ctx, job)).result as ImagePredictResult;
  if (ctx.json) return ctx.out(JSON.stringify(result, null, 2));
  ctx.out(`Wrote ${count(result.rows)} prediction(s) to ${result.outPath} (columns ${result.addedColumns.join(', ')}).`);
  for (const warning of result.warnings) ctx.err(`warning: ${warning}`);
}

export const imageCommands: Command[] = [
  {
    name: 'images scan',
    usage: 'FOLDER|CSV [--path-column C] [--label-column C] [--json]',
    options: { 'path-column': { type: 'string' }, 'label-column': { type: 'string' } },
    summary: 'Check a picture dataset: per-class counts, unreadable files, duplicates, conflicting labels, train/test leakage.',
    args: { min: 1, max: 1 },
    async run(ctx) {
      const job = ctx.app().jobs.submit({ kind: 'image.scan', title: `Scan ${ctx.args[0]}`, input: { source: resolve(ctx.args[0]!), ...csvColumns(ctx) } });
      const report = (await runJob(ctx, job)).result as ImageScanReport;
      if (ctx.json) return ctx.out(JSON.stringify(report, null, 2));
      ctx.out(`${count(report.images)} readable pictures in ${report.classes.length} classes (${report.layout}); score ${report.score}/100${report.scoreBeforeCap ? ` (capped from ${report.scoreBeforeCap}: an error stands)` : ''}`);
      ctx.out(report.verdict.headline);
      for (const c of report.classes) ctx.out(`  ${c.label}: ${count(c.count)}${c.unreadable ? `, ${c.unreadable} unreadable` : ''}, median ${c.width.median} × ${c.height.median} px`);
      for (const a of report.alerts) ctx.out(`[${a.severity}] ${a.message} Fix: ${a.fix}`);
    },
  },
  {
    name: 'images train',
    usage: 'FOLDER|CSV [--path-column C] [--label-column C] [--image-size N] [--backbone DIR [--fine-tune] [--backbone-output NODE]] [--epochs N] [--seed N] [--project NAME] [--json]',
    summary: 'Train an image pilot (a small CNN, or a head on an imported backbone, with majority and linear baselines) on a folder of class subfolders.',
    args: { min: 1, max: 1 },
    options: { 'path-column': { type: 'string' }, 'label-column': { type: 'string' }, 'image-size': { type: 'string' }, backbone: { type: 'string' }, 'fine-tune': { type: 'boolean' }, 'backbone-output': { type: 'string' }, epochs: { type: 'string' }, seed: { type: 'string' }, project: { type: 'string' } },
    run: trainImageCommand,
  },
  {
    name: 'images predict',
    usage: 'MODEL_DIR FOLDER|LIST --out FILE [--force] [--no-escape-formulas] [--json]',
    summary: 'Apply an image model (its folder under models/) to a folder of pictures or a list of paths; writes a CSV.',
    args: { min: 2, max: 2 },
    options: { out: { type: 'string' }, force: { type: 'boolean' }, 'no-escape-formulas': { type: 'boolean' } },
    run: predictImageCommand,
  },
];
