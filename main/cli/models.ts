/**
 * `pilot models …` and `pilot evaluate`: the registry from a terminal. VERSION is an id (12),
 * PROJECT@N (churn@3), PROJECT@alias (churn@champion), PROJECT@production or PROJECT@latest.
 * With --json each command prints its channel's output (README "JSON shapes").
 */
import type { ModelEvent, RegistryVersion } from '../../db/registry.js';
import { invoke } from '../api/index.js';
import type { Comparison } from '../contract/models.js';
import type { Command, CliContext } from './command.js';
import { fairnessCaption, percentRange } from '../../common/fairness-words.js';
import { UsageError } from './command.js';
import { call } from './call.js';
import { bytes, table, time } from './format.js';
import { runJob } from './run-job.js';

const reasonOption = { reason: { type: 'string' } } as const;
const reasonOf = (ctx: CliContext) => (typeof ctx.flags.reason === 'string' ? ctx.flags.reason : '');
const num = (value: unknown) => (typeof value === 'number' ? (Number.isInteger(value) ? String(value) : Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(3)) : value === null || value === undefined ? '—' : String(value));
const signed = (value: number | null) => (value === null ? '—' : `${value >= 0 ? '+' : ''}${value.toFixed(3)}`);

/**
 * `--at`: an ISO date means the end of that day (UTC), so "on 2026-03-01" includes that whole
 * day; an ISO date-time is taken as written; digits are epoch milliseconds.
 */
export function parseAt(text: string): number {
  const value = text.trim();
  if (/^\d{9,}$/.test(value)) return Number(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    if (Number.isFinite(start)) return start + 86_400_000 - 1;
  }
  const parsed = Date.parse(value);
  if (!Number.isFinite(parsed)) throw new UsageError(`--at needs a date (2026-03-01), a date-time (2026-03-01T14:30:00Z) or epoch milliseconds, got "${text}".`);
  return parsed;
}

function versionLine(v: RegistryVersion): (string | number | null)[] {
  const headline = v.testMetrics.accuracy ?? v.testMetrics.r2;
  return [v.id, `${v.projectName}@${v.version}`, v.stage, v.aliases.join(', '), v.task, num(headline), v.backend, time(v.createdAt)];
}

function eventLine(e: ModelEvent): (string | number | null)[] {
  const what = e.alias ? `${e.action} ${e.alias}` : e.fromStage || e.toStage ? `${e.action} ${e.fromStage ?? '—'} → ${e.toStage ?? '—'}` : e.action;
  return [time(e.at), e.version === null ? '' : `v${e.version}`, what, e.actor, e.reason];
}

function printJson(ctx: CliContext, value: unknown): boolean {
  if (ctx.json) ctx.out(JSON.stringify(value, null, 2));
  return ctx.json;
}

/** A comparison cell: hashes cut to 12 characters, long words (a reason a column was left out) to 40. */
function cell(value: number | string | null): string {
  if (typeof value !== 'string') return num(value);
  if (/^[0-9a-f]{32,}$/.test(value)) return `${value.slice(0, 12)}…`;
  return value.length > 40 ? `${value.slice(0, 39)}…` : value;
}

function printComparison(ctx: CliContext, c: Comparison): void {
  const headers = ['', ...c.versions.map((v) => `${v.projectName}@${v.version} (${v.stage})`)];
  const section = (title: string, rows: Comparison['metrics']) => {
    if (rows.length === 0) return;
    ctx.out(`\n${title}`);
    ctx.out(table(headers, rows.map((r) => [`${r.differs ? '*' : ' '} ${r.name}`, ...r.values.map(cell)])));
  };
  section('Test metrics', c.metrics);
  section('Data', c.data);
  section('Features', c.features.map((r) => ({ ...r, values: r.values.map((v) => v ?? 'not in its data') })));
  for (const sentence of c.featureChanges) ctx.out(sentence);
  section('Hyperparameters', c.hyperparameters);
  section('Environment', c.environment);
  ctx.out('\n* differs between versions');
}

export const modelCommands: Command[] = [
  {
    name: 'models list',
    usage: '[PROJECT] [--json]',
    summary: 'Model versions per project, with stage and aliases.',
    args: { min: 0, max: 1 },
    async run(ctx) {
      const versions = await call(invoke(ctx.app(), 'models:list', ctx.args[0] === undefined ? {} : { project: ctx.args[0] }));
      if (printJson(ctx, versions)) return;
      if (versions.length === 0) return ctx.out('No model versions yet. Train one with pilot train.');
      ctx.out(table(['ID', 'VERSION', 'STAGE', 'ALIASES', 'TASK', 'TEST', 'BACKEND', 'CREATED'], versions.map(versionLine)));
    },
  },
  {
    name: 'models show',
    usage: 'VERSION [--json]',
    summary: 'One version: stage, aliases, lineage (dataset re-checked), history, evaluations.',
    args: { min: 1, max: 1 },
    async run(ctx) {
      const detail = await call(invoke(ctx.app(), 'models:show', { ref: ctx.args[0]! }));
      if (printJson(ctx, detail)) return;
      const { version: v, lineage } = detail;
      ctx.out(`${v.projectName}@${v.version} (id ${v.id}) — ${v.stage}${v.aliases.length ? `, aliases: ${v.aliases.join(', ')}` : ''}`);
      ctx.out(`${v.task} on "${v.target}", backend ${v.backend}, created ${time(v.createdAt)}`);
      if (v.task === 'binary') ctx.out(`Operating threshold: ${(v.threshold ?? 0.5).toFixed(2)}${v.threshold === null ? ' (default; change it with pilot models threshold)' : ''}`);
      ctx.out(`Test metrics${v.threshold === null ? '' : ' (at 0.50, as trained)'}: ${Object.entries(v.testMetrics).filter(([, x]) => typeof x === 'number').map(([k, x]) => `${k} ${num(x)}`).join(', ')}`);
      ctx.out(`Dataset: ${lineage.dataset ? `${lineage.dataset.name} (id ${lineage.dataset.id})` : '—'}, SHA-256 ${v.datasetSha256.slice(0, 12)}…${lineage.datasetChanged ? '  CHANGED SINCE' : ''}`);
      ctx.out(`Quality report: ${lineage.quality ? `${lineage.quality.id} (score ${lineage.quality.score.toFixed(0)})` : '—'}; hardware profile: ${lineage.hardware ? `${lineage.hardware.id} (${lineage.hardware.hostname})` : '—'}; run ${lineage.run?.id ?? '—'}`);
      for (const flag of lineage.flags) ctx.err(`note: ${flag}`);
      if (detail.evaluations.length) {
        ctx.out('\nEvaluations');
        ctx.out(table(['WHEN', 'FILE', 'METRIC', 'VALUE', 'AT TRAINING'], detail.evaluations.map((p) => [time(p.createdAt), p.file, p.metric, num(p.value), num(p.recorded)])));
      }
      ctx.out('\nHistory');
      ctx.out(table(['WHEN', 'VERSION', 'CHANGE', 'BY', 'REASON'], detail.history.map(eventLine)));
    },
  },
  {
    name: 'models promote',
    usage: 'VERSION [--to staging|production] [--reason TEXT] [--json]',
    summary: 'Promote a version (default: one stage up); into production, the previous one moves to staging.',
    args: { min: 1, max: 1 },
    options: { ...reasonOption, to: { type: 'string' } },
    async run(ctx) {
      let to = ctx.flags.to;
      if (to !== undefined && to !== 'staging' && to !== 'production') throw new UsageError('--to is "staging" or "production".');
      if (to === undefined) to = (await call(invoke(ctx.app(), 'models:show', { ref: ctx.args[0]! }))).version.stage === 'staging' ? 'production' : 'staging';
      const result = await call(invoke(ctx.app(), 'models:promote', { ref: ctx.args[0]!, to: to as 'staging' | 'production', reason: reasonOf(ctx) }));
      if (printJson(ctx, result)) return;
      ctx.out(`${result.version.projectName}@${result.version.version} is now in ${result.version.stage}.`);
      if (result.replaced) ctx.out(`${result.replaced.projectName}@${result.replaced.version} moved from production to staging.`);
    },
  },
  ...(['demote', 'archive'] as const).map(
    (action): Command => ({
      name: `models ${action}`,
      usage: 'VERSION [--reason TEXT] [--json]',
      summary: action === 'demote' ? 'Move a version one stage down (production → staging → candidate).' : 'Archive a candidate or staging version.',
      args: { min: 1, max: 1 },
      options: reasonOption,
      async run(ctx) {
        const version = await call(invoke(ctx.app(), `models:${action}`, { ref: ctx.args[0]!, reason: reasonOf(ctx) }));
        if (printJson(ctx, version)) return;
        ctx.out(`${version.projectName}@${version.version} is now ${version.stage}.`);
      },
    }),
  ),
  {
    name: 'models rollback',
    usage: 'PROJECT --reason TEXT [--json]',
    summary: 'Put the previous production version back; the current one is archived.',
    args: { min: 1, max: 1 },
    options: reasonOption,
    async run(ctx) {
      if (!reasonOf(ctx).trim()) throw new UsageError('Say why with --reason "…": it goes in the history auditors read.');
      const result = await call(invoke(ctx.app(), 'models:rollback', { project: ctx.args[0]!, reason: reasonOf(ctx) }));
      if (printJson(ctx, result)) return;
      ctx.out(`Rolled back ${result.pulled.projectName}: version ${result.restored.version} is in production again; version ${result.pulled.version} is archived.`);
      if (result.movedAliases.length) ctx.out(`Moved to version ${result.restored.version} with it: ${result.movedAliases.join(', ')}.`);
    },
  },
  {
    name: 'models alias',
    usage: 'VERSION ALIAS [--reason TEXT] | PROJECT ALIAS --remove [--json]',
    summary: 'Point an alias (champion, challenger…) at a version, or remove it.',
    args: { min: 2, max: 2 },
    options: { ...reasonOption, remove: { type: 'boolean' } },
    async run(ctx) {
      const [target, alias] = ctx.args as [string, string];
      if (ctx.flags.remove) {
        const version = await call(invoke(ctx.app(), 'models:alias-remove', { project: target, alias, reason: reasonOf(ctx) }));
        if (printJson(ctx, version)) return;
        return ctx.out(`Removed ${alias} from ${version.projectName}@${version.version}.`);
      }
      const result = await call(invoke(ctx.app(), 'models:alias-set', { ref: target, alias, reason: reasonOf(ctx) }));
      if (printJson(ctx, result)) return;
      ctx.out(`${alias} → ${result.version.projectName}@${result.version.version}${result.movedFrom === null ? '' : ` (moved from version ${result.movedFrom})`}.`);
    },
  },
  {
    name: 'models threshold',
    usage: 'VERSION THRESHOLD|default [--reason TEXT] [--json]',
    summary: "Choose a yes/no version's operating threshold from its test threshold table (e.g. 0.35 to catch more cases); predict, evaluate, drift, serving and ROI use it.",
    args: { min: 2, max: 2 },
    options: reasonOption,
    async run(ctx) {
      const [ref, text] = ctx.args as [string, string];
      const threshold = text === 'default' ? null : Number(text);
      if (threshold !== null && !Number.isFinite(threshold)) throw new UsageError(`The threshold is a number between 0 and 1 (e.g. 0.35), or "default" for 0.5; got "${text}".`);
      const result = await call(invoke(ctx.app(), 'models:threshold', { ref, threshold, reason: reasonOf(ctx) }));
      if (printJson(ctx, result)) return;
      const v = result.version;
      const p = result.point;
      const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
      ctx.out(`${v.projectName}@${v.version} now calls a row positive when its probability is at least ${(v.threshold ?? 0.5).toFixed(2)}${v.threshold === null ? ' (the default)' : ''}.`);
      if (p) {
        const b = result.before;
        ctx.out(`On the ${p.counts.tp + p.counts.fp + p.counts.fn + p.counts.tn} test rows: cases caught ${pct(p.recall)}${b ? ` (was ${pct(b.recall)})` : ''}, alarms that are right ${pct(p.precision)}${b ? ` (was ${pct(b.precision)})` : ''}, right answers ${pct(p.accuracy)}, flagged ${pct(p.positiveRate)}.`);
      }
      if (result.verdict) ctx.out(result.verdict.headline);
    },
  },
  {
    name: 'models history',
    usage: 'PROJECT [--at DATE] [--of VERSION] [--json]',
    summary: 'The append-only history; with --at, what was in production on that date.',
    args: { min: 1, max: 1 },
    options: { at: { type: 'string' }, of: { type: 'string' } },
    async run(ctx) {
      const at = typeof ctx.flags.at === 'string' ? parseAt(ctx.flags.at) : undefined;
      const result = await call(
        invoke(ctx.app(), 'models:history', {
          project: ctx.args[0]!,
          ...(at === undefined ? {} : { at }),
          ...(typeof ctx.flags.of === 'string' ? { version: ctx.flags.of } : {}),
        }),
      );
      if (printJson(ctx, result)) return;
      if (result.production) {
        const p = result.production;
        ctx.out(
          p.version === null
            ? `No version of ${result.project.name} was in production at ${time(p.at)} UTC.`
            : `At ${time(p.at)} UTC, version ${p.version} of ${result.project.name} was in production (since ${time(p.since)}).`,
        );
        return;
      }
      ctx.out(table(['WHEN (UTC)', 'VERSION', 'CHANGE', 'BY', 'REASON'], result.events.map(eventLine)));
    },
  },
  {
    name: 'models compare',
    usage: 'VERSION VERSION [VERSION…] [--json]',
    summary: 'Versions side by side: metrics, data, the features each reads (added, dropped, changed), hyperparameters, backend, hardware.',
    args: { min: 2, max: 6 },
    async run(ctx) {
      const comparison = await call(invoke(ctx.app(), 'models:compare', { refs: ctx.args }));
      if (printJson(ctx, comparison)) return;
      printComparison(ctx, comparison);
    },
  },
  {
    name: 'models export',
    usage: 'VERSION FILE|FOLDER [--format bundle|onnx|tfjs] [--json]',
    summary: 'Write a version as one bundle file (default), or as a new folder in the ONNX or TensorFlow.js format.',
    args: { min: 2, max: 2 },
    options: { format: { type: 'string' } },
    async run(ctx) {
      const format = ctx.flags.format ?? 'bundle';
      if (format !== 'bundle' && format !== 'onnx' && format !== 'tfjs') throw new UsageError('--format is "bundle", "onnx" or "tfjs".');
      const written = await call(invoke(ctx.app(), 'models:export', { ref: ctx.args[0]!, path: ctx.args[1]!, format }));
      if (printJson(ctx, written)) return;
      if (written.format !== 'bundle') return ctx.out(`Wrote ${written.path}/ (${written.format}, ${bytes(written.bytes)}): ${written.files.map((f) => f.path).join(', ')}`);
      ctx.out(`Wrote ${written.path} (${bytes(written.bytes)}, ${written.files.length} files), SHA-256 ${written.sha256}`);
      if (written.fingerprint) ctx.out(`Signed with this installation's key ${written.fingerprint}.`);
    },
  },
  {
    name: 'models import',
    usage: 'FILE [--reason TEXT] [--json]',
    summary: 'Import a bundle after checking every checksum and path; it arrives as a candidate.',
    args: { min: 1, max: 1 },
    options: reasonOption,
    async run(ctx) {
      const version = await call(invoke(ctx.app(), 'models:import', { path: ctx.args[0]!, reason: reasonOf(ctx) }));
      if (printJson(ctx, version)) return;
      ctx.out(`Imported as ${version.projectName}@${version.version} (id ${version.id}), a candidate${version.encryptedAtRest ? "; its weights are stored encrypted with this installation's key" : ''}.`);
      const { status, fingerprint } = version.signer;
      if (status === 'trusted') ctx.out(`Signature: valid, by a trusted key (${fingerprint}).`);
      else if (status === 'unknown-signer') ctx.err(`warning: the bundle is signed by a key this installation does not know (${fingerprint}). Compare the fingerprint with its sender's before using the model.`);
      else ctx.err('warning: the bundle is unsigned: nothing proves who made it or that its weights are the ones that were evaluated.');
    },
  },
  {
    name: 'evaluate',
    usage: 'VERSION FILE|FOLDER [--json]',
    summary: "Score a version on a new labelled file (a text version: also a folder of class subfolders): metrics vs training time with intervals, fairness, column issues.",
    args: { min: 2, max: 2 },
    async run(ctx) {
      const job = await call(invoke(ctx.app(), 'models:evaluate', { ref: ctx.args[0]!, path: ctx.args[1]! }));
      const final = await runJob(ctx, job);
      const evaluation = final.result;
      if (printJson(ctx, { ...evaluation.report, metrics: evaluation.metrics, evaluationId: evaluation.id, versionId: evaluation.versionId, jobId: final.id })) return;
      const r = evaluation.report;
      ctx.out(`${r.rows.scored} of ${r.rows.total} rows scored (${r.rows.missingLabel} without label, ${r.rows.unknownLabel} with a label the model never learned).`);
      ctx.out(
        table(
          ['METRIC', 'AT TRAINING', 'NOW', 'CHANGE', `${Math.round(r.interval.confidence * 100)}% INTERVAL`, 'METHOD'],
          r.differences.map((d) => [d.metric, num(d.recorded), num(d.current), signed(d.difference), d.low === null ? '—' : `${signed(d.low)} … ${signed(d.high)}`, d.method]),
        ),
      );
      for (const f of r.fairness) {
        ctx.out(`\nFairness by ${fairnessCaption(f)}`);
        const rate = (value: number | null | undefined, interval: [number, number] | null | undefined) => (value == null ? '—' : `${num(value)}${interval ? ` (${percentRange(interval)})` : ''}`);
        ctx.out(
          table(
            ['GROUP', 'ROWS', 'ACCURACY', 'SELECTED (95% RANGE)', 'TPR (95% RANGE)', 'MAE'],
            f.groups.map((g) => [`${g.group}${g.judged === false ? ' (not judged: too few rows)' : g.small ? ' (small)' : ''}`, g.count, num(g.accuracy), rate(g.selectionRate, g.selectionRateInterval), rate(g.tpr, g.tprInterval), num(g.mae)]),
          ),
        );
      }
      if (r.columns.missing.length) ctx.out(`\nMissing columns: ${r.columns.missing.join(', ')}`);
      if (r.columns.extra.length) ctx.out(`Extra columns (not used by the model): ${r.columns.extra.join(', ')}`);
      for (const u of r.columns.unseenCategories) ctx.out(`Unseen categories in ${u.column}: ${u.rows} row(s)`);
      for (const warning of r.warnings) ctx.err(`warning: ${warning}`);
    },
  },
];
