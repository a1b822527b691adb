/** `pilot train FILE|FOLDER --kind text`: a text classifier from a CSV's text column or a folder of class subfolders. */
import { existsSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { invoke } from '../api/index.js';
import type { TextTrainOutcome } from '../contract/text.js';
import type { TextEpochRecord } from '../../workers/text/fit.js';
import { call } from './call.js';
import { CliError, UsageError, type CliContext } from './command.js';
import { count } from './format.js';
import { runJob } from './run-job.js';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

function whole(ctx: CliContext, flag: string): number | undefined {
  const value = ctx.flags[flag];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(number) || number < 0) throw new UsageError(`--${flag} takes a whole number, got "${String(value)}".`);
  return number;
}

export async function trainTextCli(ctx: CliContext): Promise<void> {
  const path = resolve(ctx.args[0]!);
  if (!existsSync(path)) throw new CliError(`${path} was not found. Check the path of the CSV file or the folder of documents.`);
  const folder = statSync(path).isDirectory();
  const text = ctx.flags.text;
  const target = ctx.flags.target;
  if (!folder && (typeof text !== 'string' || typeof target !== 'string')) throw new UsageError('A CSV needs --text COLUMN (the documents) and --target COLUMN (the labels). A folder of class subfolders needs neither.');
  let datasetId: number | null = null;
  if (!folder) {
    const registered = (await call(invoke(ctx.app(), 'datasets:list', {}))).find((d) => d.path === path);
    const dataset = registered ?? (await runJob(ctx, await call(invoke(ctx.app(), 'datasets:import', { path })))).result.dataset;
    for (const column of [text, target] as string[]) {
      if (!dataset.columns.includes(column)) throw new CliError(`The column "${column}" is not in ${dataset.name}. Its columns are: ${dataset.columns.join(', ')}.`);
    }
    datasetId = dataset.id;
  }
  const name = (ctx.flags.project as string | undefined) ?? basename(path, extname(path));
  const existing = (await call(invoke(ctx.app(), 'pilots:list', { archived: true }))).find((p) => p.name === name);
  if (existing?.archivedAt) throw new CliError(`Project "${name}" is archived. Give another name with --project NAME.`);
  const projectId = existing ? existing.id : (await call(invoke(ctx.app(), 'pilots:create', { name, ...(datasetId !== null ? { datasetId } : {}) }))).id;
  const epochs = whole(ctx, 'epochs');
  const seed = whole(ctx, 'seed');
  const started = await call(
    invoke(ctx.app(), 'text:train', {
      projectId,
      datasetId,
      path,
      ...(folder ? {} : { textColumn: text as string, target: target as string }),
      ...(epochs !== undefined ? { epochs } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(ctx.flags['mask-pii'] ? { maskPii: true } : {}),
    }),
  );
  const final = await runJob(ctx, started.job, (r: TextEpochRecord) => {
    ctx.err(`epoch ${r.epoch}  loss ${r.loss.toFixed(4)}  val_loss ${r.valLoss.toFixed(4)}  val_accuracy ${r.valAccuracy.toFixed(3)}  ${count(Math.round(r.samplesPerSec))} documents/s`);
  });
  const result: TextTrainOutcome = final.result;
  if (ctx.json) return ctx.out(JSON.stringify(result, null, 2));
  const { summary } = result;
  ctx.out(`Model version ${result.version} of ${name} (model version id ${result.modelVersionId}): text, ${result.task} on "${result.target}" (${result.classes.join(', ')}), backend ${result.backend}`);
  ctx.out(`Documents: ${count(result.rows.train)} train, ${count(result.rows.validation)} validation, ${count(result.rows.test)} test`);
  ctx.out(`Test accuracy: network ${pct(summary.network)}, TF-IDF linear baseline ${pct(summary.linear)}, majority ${pct(summary.majority)}`);
  ctx.out(summary.verdict);
  ctx.out(`${result.epochs.length} epoch(s)${result.stoppedEarly ? ' (stopped early)' : ''}, best ${result.bestEpoch}, ${count(Math.round(result.samplesPerSec))} documents/s`);
  for (const c of result.topTerms.linear) ctx.out(`Words for "${c.label}": ${c.terms.slice(0, 8).map((t) => t.term).join(', ')}`);
  for (const alert of result.quality.alerts) ctx.err(`${alert.severity}: ${alert.message} ${alert.fix}`);
  ctx.out(`Model: ${result.artifactDir}`);
  for (const warning of result.warnings) ctx.err(`warning: ${warning}`);
}
