/** `pilot drift (VERSION|REFERENCE_FILE) CURRENT_FILE`: drift of a current file against a model version's training data or a reference file. */
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { DriftHistoryEntry, DriftReportRecord } from '../../db/drift.js';
import type { DriftReport } from '../../workers/drift/index.js';
import { renderDriftHtml } from '../../workers/drift/index.js';
import { invoke } from '../api/index.js';
import type { CliContext, Command } from './command.js';
import { CliError, UsageError } from './command.js';
import { call } from './call.js';
import { table, time } from './format.js';
import { runJob } from './run-job.js';

const list = (value: unknown): string[] | undefined =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined;

function number(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} needs a number, got "${String(value)}".`);
  return n;
}

const fmt = (n: number | null): string => (n === null ? '—' : Math.abs(n) !== 0 && Math.abs(n) < 0.001 ? n.toExponential(1) : n.toFixed(3));

export const driftCommands: Command[] = [
  {
    name: 'drift',
    usage: '(VERSION|REFERENCE_FILE) (CURRENT_FILE|FOLDER|--from-requests) [--json] [--html FILE] [--ignore A,B] [--prediction COL] [--label COL] [--drift-share N]',
    summary: "Compare a current CSV (or, with --from-requests, the rows the version answered in serve mode) with a version's training data (and its predictions and test metric) or a reference CSV; say whether it drifted.",
    args: { min: 1, max: 2 },
    options: {
      'from-requests': { type: 'boolean' },
      html: { type: 'string' },
      ignore: { type: 'string' },
      prediction: { type: 'string' },
      label: { type: 'string' },
      'drift-share': { type: 'string' },
    },
    async run(ctx) {
      const fromRequests = ctx.flags['from-requests'] === true;
      if (fromRequests !== (ctx.args.length === 1)) {
        throw new UsageError(fromRequests ? '--from-requests takes the served rows as the current data: give only the VERSION.' : 'Give the CURRENT_FILE to compare (or --from-requests for the rows the version answered in serve mode).');
      }
      const [reference, currentPath] = ctx.args as [string, string];
      const ignore = list(ctx.flags.ignore);
      const driftShare = number(ctx.flags['drift-share'], 'drift-share');
      const options = {
        ...(ignore ? { ignoreColumns: ignore } : {}),
        ...(typeof ctx.flags.prediction === 'string' ? { predictionColumn: ctx.flags.prediction } : {}),
        ...(typeof ctx.flags.label === 'string' ? { labelColumn: ctx.flags.label } : {}),
        ...(driftShare !== undefined ? { driftShare } : {}),
      };
      if (fromRequests) {
        const final = await runJob(ctx, await call(invoke(ctx.app(), 'drift:requests', { version: /^\d+$/.test(reference) ? Number(reference) : reference, options })));
        const record: DriftReportRecord = await call(invoke(ctx.app(), 'drift:get', { id: final.result.driftReportId }));
        return printReport(ctx, record.report, { jobId: final.id, driftReportId: final.result.driftReportId });
      }
      // An existing file is a reference file; anything else is a version reference (12, churn@3, churn@production).
      const isFile = existsSync(reference) && statSync(reference).isFile();
      const input = isFile ? { referencePath: reference, currentPath, options } : { version: reference, currentPath, options };
      const job = await call(invoke(ctx.app(), 'drift:check', input));
      const final = await runJob(ctx, job);
      const { driftReportId } = final.result;
      const record: DriftReportRecord = await call(invoke(ctx.app(), 'drift:get', { id: driftReportId }));
      await printReport(ctx, record.report, { jobId: final.id, driftReportId });
    },
  },
  {
    name: 'drift history',
    usage: '[VERSION_ID] [--json]',
    summary: 'List stored drift checks, newest first (of one model version when its id is given).',
    args: { min: 0, max: 1 },
    async run(ctx) {
      const versionId = ctx.args[0] === undefined ? undefined : Number(ctx.args[0]);
      if (versionId !== undefined && !(Number.isInteger(versionId) && versionId > 0)) throw new UsageError(`A version id is a positive whole number, got "${ctx.args[0]}".`);
      const entries: DriftHistoryEntry[] = await call(invoke(ctx.app(), 'drift:history', versionId === undefined ? {} : { versionId }));
      if (ctx.json) return ctx.out(JSON.stringify(entries, null, 2));
      if (entries.length === 0) return ctx.out('No drift checks yet. Run one with: pilot drift VERSION CURRENT_FILE');
      ctx.out(
        table(
          ['ID', 'WHEN', 'CURRENT FILE', 'DRIFT SHARE', 'DATASET DRIFT', 'RECOMMENDATION'],
          entries.map((e) => [e.id, time(e.createdAt), basename(e.currentPath), e.driftShare.toFixed(2), e.datasetDrift ? 'yes' : 'no', e.recommendation]),
        ),
      );
    },
  },
  {
    name: 'drift show',
    usage: 'ID [--json] [--html FILE]',
    summary: 'Show a stored drift check.',
    args: { min: 1, max: 1 },
    options: { html: { type: 'string' } },
    async run(ctx) {
      const record: DriftReportRecord = await call(invoke(ctx.app(), 'drift:get', { id: Number(ctx.args[0]) }));
      await printReport(ctx, record.report, { jobId: record.jobId, driftReportId: record.id });
    },
  },
];

async function printReport(ctx: CliContext, report: DriftReport, ids: { jobId: number | null; driftReportId: number }): Promise<void> {
  if (typeof ctx.flags.html === 'string') {
    const target = resolve(ctx.flags.html);
    await writeFile(target, renderDriftHtml(report)).catch((error: Error) => {
      throw new CliError(`Cannot write the HTML report to ${target}: ${error.message}. Pick a folder you can write to.`);
    });
    ctx.err(`HTML report written to ${target}`);
  }
  if (ctx.json) return ctx.out(JSON.stringify({ ...report, ...ids }, null, 2));
  ctx.out(report.summary);
  ctx.out('');
  if (report.forecast) {
    const { residuals, level, seasonality } = report.forecast;
    const checks = [{ name: 'errors vs backtest', c: residuals }, { name: 'level', c: level }, { name: 'seasonality', c: seasonality }];
    ctx.out(table(['CHECK', 'VALUE', 'VERDICT', 'RULE'], checks.map(({ name, c }) => [name, fmt(c.value), c.verdict, c.rule])));
    for (const warning of report.warnings) ctx.err(`warning: ${warning}`);
    return;
  }
  ctx.out(
    table(
      ['COLUMN', 'TEST', 'STATISTIC', 'P-VALUE', 'PSI', 'DRIFT'],
      [
        ...report.columns.map((c) => ({ c, name: c.name })),
        ...(report.predictionDrift ? [{ c: report.predictionDrift, name: `${report.predictionDrift.name} (prediction)` }] : []),
        ...(report.labelDrift ? [{ c: report.labelDrift, name: `${report.labelDrift.name} (label)` }] : []),
      ].map(({ c, name }) => [
        name,
        c.test ?? c.status,
        fmt(c.statistic),
        fmt(c.pValue),
        fmt(c.psi),
        c.status === 'judged' || c.status === 'type-changed' ? (c.drifted ? 'yes' : 'no') : '—',
      ]),
    ),
  );
  if (report.text) {
    const t = report.text;
    const words = (list: typeof t.gained) => list.map((w) => `${w.word} (${w.reference} → ${w.current})`).join(', ');
    ctx.out(`\nUnseen words: ${(100 * t.unseenShare.current).toFixed(1)} % of the new documents' words (held-out test documents: ${(100 * t.unseenShare.test).toFixed(1)} %)`);
    if (t.gained.length > 0) ctx.out(`More frequent now (per 1,000 words, training → now): ${words(t.gained)}`);
    if (t.lost.length > 0) ctx.out(`Less frequent now: ${words(t.lost)}`);
  }
  if (report.image) {
    const e = report.image.embedding;
    ctx.out(
      e
        ? `\nHow the pictures look to the model (MMD on ${e.components} principal components of layer ${e.layer}, ${e.current} new vs ${e.reference} held-out pictures): MMD² ${fmt(e.statistic)}, p ${fmt(e.pValue)} (${e.permutations} permutations), ${e.drifted ? 'drifted' : 'no drift'}`
        : `\n${report.image.note ?? ''}`,
    );
  }
  const perf = report.performance;
  if (perf) ctx.out(`\nPerformance (${perf.metric}, ${perf.rows} labelled rows): registered ${fmt(perf.reference)}, now ${fmt(perf.current)}, drop ${fmt(perf.drop)}${perf.degraded ? ' (degraded)' : ''}`);
  if (report.missingColumns.length > 0) ctx.out(`\nMissing from the current file: ${report.missingColumns.join(', ')}`);
  if (report.extraColumns.length > 0) ctx.out(`Extra in the current file (not compared): ${report.extraColumns.join(', ')}`);
  for (const warning of report.warnings) ctx.err(`warning: ${warning}`);
}
