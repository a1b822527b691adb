/** `pilot datasets …`: register data files and see what is registered. */
import type { Dataset } from '../../db/datasets.js';
import { invoke } from '../api/index.js';
import type { Command } from './command.js';
import { CliError, UsageError } from './command.js';
import { bytes, count, delimiterName, table, time } from './format.js';
import { call } from './call.js';
import { runJob } from './run-job.js';

function describe(dataset: Dataset): string {
  const format = `${delimiterName(dataset.delimiter)}-separated, ${dataset.encoding}${dataset.hasHeader ? ', header' : ', no header'}`;
  return `${dataset.name}: ${count(dataset.rowCount)} rows × ${dataset.columns.length} columns, ${format}, ${bytes(dataset.sizeBytes)}`;
}

/** `--decimal` and `--thousands` as a number format; neither given: detect per column. */
export function numberFormatFlags(flags: Record<string, unknown>): { decimal: '.' | ','; thousands: '' | ',' | '.' | ' ' | "'" } | null {
  const decimal = flags.decimal;
  const thousands = flags.thousands;
  if (decimal === undefined && thousands === undefined) return null;
  if (decimal !== '.' && decimal !== ',') throw new UsageError(`--decimal is "." or "," (got ${decimal === undefined ? 'nothing' : `"${String(decimal)}"`}).`);
  const names: Record<string, '' | ',' | '.' | ' ' | "'"> = { none: '', '': '', ',': ',', '.': '.', space: ' ', ' ': ' ', "'": "'" };
  const mark = thousands === undefined ? '' : names[String(thousands)];
  if (mark === undefined) throw new UsageError(`--thousands is none, ",", ".", space or "'" (got "${String(thousands)}").`);
  if (mark === decimal) throw new UsageError(`--decimal and --thousands cannot both be "${decimal}".`);
  return { decimal, thousands: mark };
}

export const datasetCommands: Command[] = [
  {
    name: 'datasets import',
    usage: 'FILE [--decimal .|,] [--thousands none|,|.|space|\'] [--json]',
    summary: 'Register a CSV/TSV file: detect its format and each column\'s number format, count rows, compute its SHA-256. --decimal/--thousands say how the file writes numbers instead.',
    args: { min: 1, max: 1 },
    options: { decimal: { type: 'string' }, thousands: { type: 'string' } },
    async run(ctx) {
      const numberFormat = numberFormatFlags(ctx.flags);
      const job = await call(invoke(ctx.app(), 'datasets:import', { path: ctx.args[0]!, ...(numberFormat ? { numberFormat } : {}) }));
      const final = await runJob(ctx, job);
      const { dataset, created } = final.result;
      if (ctx.json) return ctx.out(JSON.stringify({ ...dataset, created, jobId: final.id }, null, 2));
      ctx.out(`${created ? 'Imported' : 'Already imported'} ${describe(dataset)}`);
      ctx.out(`SHA-256 ${dataset.sha256}`);
      ctx.out(`Dataset id ${dataset.id}`);
      for (const format of dataset.numberFormats) if (!format.ambiguous) ctx.out(`Numbers in ${format.note}`);
      for (const warning of dataset.warnings) ctx.err(`warning: ${warning}`);
    },
  },
  {
    name: 'datasets list',
    usage: '[--json]',
    summary: 'List registered datasets.',
    args: { min: 0, max: 0 },
    async run(ctx) {
      const datasets = await call(invoke(ctx.app(), 'datasets:list', {}));
      if (ctx.json) return ctx.out(JSON.stringify(datasets, null, 2));
      if (datasets.length === 0) return ctx.out('No datasets yet. Register one with: pilot datasets import FILE');
      ctx.out(
        table(
          ['ID', 'NAME', 'ROWS', 'COLS', 'SIZE', 'SHA-256', 'IMPORTED'],
          datasets.map((d) => [d.id, d.name, count(d.rowCount), d.columns.length, bytes(d.sizeBytes), d.sha256.slice(0, 12), time(d.importedAt)]),
        ),
      );
    },
  },
  {
    name: 'datasets check',
    usage: 'ID [--json]',
    summary: 'Tell whether a registered file changed since it was imported.',
    args: { min: 1, max: 1 },
    async run(ctx) {
      const check = await call(invoke(ctx.app(), 'datasets:check', { id: Number(ctx.args[0]) }));
      if (ctx.json) return ctx.out(JSON.stringify(check, null, 2));
      ctx.out(check.status === 'unchanged' ? `${check.dataset.name}: unchanged since import.` : (check.message ?? check.status));
      if (check.status !== 'unchanged') throw new CliError(`${check.dataset.name} ${check.status}.`);
    },
  },
];
