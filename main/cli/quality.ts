/** `pilot quality FILE …`: score a data file's quality (and bias with a target and protected attributes). */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Dataset } from '../../db/datasets.js';
import type { QualityReportRecord } from '../../db/quality.js';
import type { QualityReport } from '../../workers/quality/index.js';
import { renderQualityHtml } from '../../workers/quality/index.js';
import { invoke } from '../api/index.js';
import type { CliContext, Command } from './command.js';
import { CliError, UsageError } from './command.js';
import { call } from './call.js';
import { count, table, time } from './format.js';
import { runJob } from './run-job.js';

const list = (value: unknown): string[] | undefined =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined;

const rate = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : n.toFixed(3));

/** The registered dataset of this path, importing the file first when it is not registered. */
async function registered(ctx: CliContext, file: string): Promise<Dataset> {
  const path = resolve(file);
  const datasets = await call(invoke(ctx.app(), 'datasets:list', {}));
  const known = datasets.find((dataset) => dataset.path === path);
  if (known) return known;
  const job = await call(invoke(ctx.app(), 'datasets:import', { path }));
  const final = await runJob(ctx, job);
  return final.result.dataset;
}

export const qualityCommands: Command[] = [
  {
    name: 'quality',
    usage: 'FILE [--target T] [--positive V] [--protected A,B] [--prediction P] [--threshold X] [--na MARKERS] [--test FILE] [--json] [--html FILE] [--force]',
    summary: 'Score a CSV/TSV file’s quality (0–100 with alerts and fixes); with a target, positive value and protected attributes, check it for bias. Reuses the stored report of unchanged content unless --force.',
    args: { min: 1, max: 1 },
    options: {
      target: { type: 'string' },
      positive: { type: 'string' },
      protected: { type: 'string' },
      prediction: { type: 'string' },
      threshold: { type: 'string' },
      na: { type: 'string' },
      test: { type: 'string' },
      html: { type: 'string' },
      force: { type: 'boolean' },
    },
    async run(ctx) {
      const flag = (name: string) => (typeof ctx.flags[name] === 'string' ? (ctx.flags[name] as string) : undefined);
      const threshold = flag('threshold') === undefined ? undefined : Number(flag('threshold'));
      if (threshold !== undefined && !Number.isFinite(threshold)) throw new UsageError(`--threshold needs a number, got "${flag('threshold')}".`);
      const dataset = await registered(ctx, ctx.args[0]!);
      const test = flag('test') === undefined ? undefined : await registered(ctx, flag('test')!);
      const protectedColumns = list(flag('protected'));
      // `--na ''` means: no markers but the empty cell.
      const na = flag('na') === undefined ? undefined : (flag('na')!.split(',').map((s) => s.trim()).filter(Boolean));
      const input = {
        datasetId: dataset.id,
        ...(flag('target') !== undefined ? { target: flag('target') } : {}),
        ...(flag('positive') !== undefined ? { positive: flag('positive') } : {}),
        ...(protectedColumns ? { protected: protectedColumns } : {}),
        ...(flag('prediction') !== undefined ? { prediction: flag('prediction') } : {}),
        ...(threshold !== undefined ? { threshold } : {}),
        ...(na ? { missingMarkers: na } : {}),
        ...(test ? { testDatasetId: test.id } : {}),
        force: ctx.flags.force === true,
      };
      const started = await call(invoke(ctx.app(), 'quality:score', input));
      let record: QualityReportRecord;
      if (started.stored) {
        record = started.stored;
        ctx.err(`Same content and options as report ${record.id} of ${time(record.createdAt)}: showing it (--force computes again).`);
      } else if (started.job) {
        const final = await runJob(ctx, started.job);
        record = await call(invoke(ctx.app(), 'quality:get', { id: final.result.reportId }));
      } else {
        throw new CliError('The quality job could not be started.');
      }
      await printReport(ctx, record, started.stored !== null);
    },
  },
  {
    name: 'quality history',
    usage: 'DATASET_ID [--json]',
    summary: "List a dataset's stored quality reports, newest first.",
    args: { min: 1, max: 1 },
    async run(ctx) {
      const datasetId = Number(ctx.args[0]);
      if (!(Number.isInteger(datasetId) && datasetId > 0)) throw new UsageError(`A dataset id is a positive whole number, got "${ctx.args[0]}".`);
      const reports = await call(invoke(ctx.app(), 'quality:list', { datasetId }));
      if (ctx.json) return ctx.out(JSON.stringify(reports, null, 2));
      if (reports.length === 0) return ctx.out('No quality reports yet. Score the file with: pilot quality FILE');
      ctx.out(table(['ID', 'WHEN', 'SCORE', 'OPTIONS'], reports.map((r) => [r.id, time(r.createdAt), r.score.toFixed(0), r.optionsKey === '{}' ? '—' : r.optionsKey])));
    },
  },
];

async function printReport(ctx: CliContext, record: QualityReportRecord, reused: boolean): Promise<void> {
  const report = record.report;
  const html = typeof ctx.flags.html === 'string' ? resolve(ctx.flags.html) : null;
  if (html) {
    await writeFile(html, renderQualityHtml(report)).catch((error: Error) => {
      throw new CliError(`Cannot write the HTML report to ${html}: ${error.message}. Pick a folder you can write to.`);
    });
    ctx.err(`HTML report written to ${html}`);
  }
  if (ctx.json) return ctx.out(JSON.stringify({ ...report, reportId: record.id, datasetId: record.datasetId, jobId: record.jobId, reused }, null, 2));
  for (const line of summaryLines(report)) ctx.out(line);
  // Stored reports from before number formats existed have none.
  for (const note of report.numberFormats ?? []) ctx.out(`Numbers in ${note}`);
  ctx.out(`Report ${record.id}${html ? '' : ' (--html FILE writes the full report)'}`);
  for (const warning of report.warnings) ctx.err(`warning: ${warning}`);
}

/** The text summary: score and breakdown, the alerts that matter most, the bias verdicts. */
export function summaryLines(report: QualityReport, topAlerts = 10): string[] {
  const b = report.scoreBreakdown;
  const lines = [
    // Reports stored before the verdict existed have none: the score line stands alone then.
    ...(report.verdict ? [report.verdict.headline] : []),
    `Quality score ${report.score.toFixed(0)}/100${report.scoreBeforeCap ? ` (capped: ${report.scoreBeforeCap.toFixed(0)} before, while ${report.verdict.level === 'error' ? 'an error' : 'a fairness'} alert stands)` : ''} — ${count(report.rows)} rows × ${report.columnsCount} columns, ${count(report.duplicateRows)} duplicate rows`,
    `  completeness ${b.completeness.toFixed(0)}, uniqueness ${b.uniqueness.toFixed(0)}, validity ${b.validity.toFixed(0)}, consistency ${b.consistency.toFixed(0)}, balance ${b.balance.toFixed(0)}`,
    '',
  ];
  const order = { error: 0, warning: 1, info: 2 } as const;
  const alerts = [...report.alerts].sort((x, y) => order[x.severity] - order[y.severity]);
  if (alerts.length === 0) lines.push('No alerts.');
  else {
    lines.push(`Alerts (${alerts.length}${alerts.length > topAlerts ? `, the first ${topAlerts}` : ''}):`);
    lines.push(table(['SEVERITY', 'CODE', 'COLUMN', 'MESSAGE'], alerts.slice(0, topAlerts).map((a) => [a.severity, a.code, a.column ?? '—', a.message])));
  }
  if (report.bias && report.target) {
    lines.push('', `Bias: outcome ${report.target.column} = ${report.target.positive ?? '?'} (four-fifths rule: disparate impact below 0.8 fails)`);
    for (const [attribute, bias] of Object.entries(report.bias)) {
      const verdict = bias.fourFifthsFailures.length > 0 ? `FAILS four-fifths for ${bias.fourFifthsFailures.join(', ')}` : 'passes four-fifths';
      lines.push(`  ${attribute}: disparate impact ${rate(bias.disparateImpact)}, parity difference ${rate(bias.statisticalParityDifference)} — ${verdict}`);
      if (bias.equalizedOddsDifference !== undefined) {
        lines.push(`    predictions: equalized odds diff ${rate(bias.equalizedOddsDifference)}, equal opportunity diff ${rate(bias.equalOpportunityDifference)}, average odds diff ${rate(bias.averageOddsDifference)}`);
      }
      for (const g of bias.groups.slice(0, 8)) {
        const interval = g.positiveRateInterval ? ` [${rate(g.positiveRateInterval[0])}, ${rate(g.positiveRateInterval[1])}]` : '';
        lines.push(`    ${g.group}: ${count(g.count)} rows, positive rate ${rate(g.positiveRate)}${interval}${g.judged ? '' : ' (too few rows to judge)'}`);
      }
      if (bias.groups.length > 8) lines.push(`    … ${bias.groups.length - 8} more groups (--json or --html for all)`);
    }
  }
  return lines;
}
