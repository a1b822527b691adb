/**
 * `pilot roi PROJECT [--set key=value…]` and `pilot report PROJECT --html FILE`: a pilot's business
 * case from the command line, tied to what the workbench measured, and the executive report.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RoiProjectSummary } from '../../db/roi.js';
import type { App } from '../app-types.js';
import { invoke } from '../api/index.js';
import { applyRoiSettings, fieldUnit, formatMoney, roiFields, type OriginLine, type RoiInput, type RoiInputChange, type RoiResult } from '../roi/index.js';
import type { RoiState } from '../contract/roi.js';
import { UserInputError } from '../../workers/protocol.js';
import { CliError, type CliContext, type Command, UsageError } from './command.js';
import { call } from './call.js';
import { table } from './format.js';

const KNOWN_KEYS = new Set<string>(['currency', 'locale', ...roiFields.map((f) => f.key)]);

async function project(app: App, idOrName: string): Promise<RoiProjectSummary> {
  const projects = await call(invoke(app, 'roi:projects', {}));
  const found = projects.find((p) => p.name === idOrName) ?? (/^\d+$/.test(idOrName) ? projects.find((p) => p.id === Number(idOrName)) : undefined);
  if (!found) throw new CliError(`There is no pilot project "${idOrName}". Give its name or id (pilot train creates one).`);
  return found;
}

/**
 * A malformed setting or an unknown key is a usage mistake (exit 2); a value out of range is
 * invalid input (exit 1). Both get the library's one-line message.
 */
function applySettings(base: RoiInput, settings: string[]): RoiInput {
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    if (eq <= 0 || !KNOWN_KEYS.has(setting.slice(0, eq).trim())) {
      try {
        applyRoiSettings({}, [setting]);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
  }
  try {
    return applyRoiSettings(base, settings);
  } catch (error) {
    if (error instanceof UserInputError) throw new CliError(error.message);
    throw error;
  }
}

function paybackWords(result: RoiResult): string {
  if (result.paybackMonth === null) return `never: ${result.paybackReason ?? 'benefits do not cover costs'}`;
  return `month ${result.paybackMonth.toFixed(1)}`;
}

function printResult(ctx: CliContext, name: string, result: RoiResult, savedNote: string, verdict: RoiState['verdict']): void {
  const money = (minor: number) => formatMoney(minor, result.currency, result.locale);
  const pct = (value: number | null, reason: string | null) => (value === null ? `none (${reason ?? 'not computable'})` : `${value.toFixed(1)} %`);
  const s = result.scenarios;
  // The pessimistic-to-optimistic range beside each headline figure: a bare 1,594 % hides how much it moves.
  const range = (low: number | null, high: number | null, show: (v: number) => string) => (low === null || high === null ? '' : ` (range ${show(low)} to ${show(high)})`);
  if (verdict?.level === 'not-ready') {
    // A pilot that does not stand gets no money headline: what it would take comes first.
    const blocker = verdict.findings.find((f) => f.severity === 'blocker');
    ctx.out(`${name}: the pilot does not stand — ${verdict.headline}`);
    if (blocker) ctx.out(`  What it would take: ${blocker.detail}`);
    ctx.out(`  No return is claimed while it stands. The figures below are what it would be worth once fixed (${result.horizonMonths} months, ${savedNote}):`);
  } else {
    ctx.out(`${name}: ROI over ${result.horizonMonths} months (${savedNote})`);
  }
  ctx.out(`  Costs ${money(result.totals.cost)}, benefits ${money(result.totals.benefit)}, net ${money(result.totals.net)}`);
  ctx.out(`  ROI ${pct(result.roiPercent, result.roiReason)}${result.roiPercent === null ? '' : range(s.pessimistic.roiPercent, s.optimistic.roiPercent, (v) => `${v.toFixed(1)} %`)}, payback ${paybackWords(result)}`);
  ctx.out(
    `  NPV ${money(result.npv)}${range(s.pessimistic.npv, s.optimistic.npv, money)}, IRR ${result.irr === null ? `none (${result.irrReason ?? ''})` : `${result.irr.toFixed(1)} % a year${range(s.pessimistic.irr, s.optimistic.irr, (v) => `${v.toFixed(1)} %`)}`}`,
  );
  if (result.irr !== null && result.irr > 100) ctx.out('  An IRR above 100 % a year usually comes from a small cost base: small changes of the inputs move it a lot.');
  ctx.out(`  Risk-adjusted NPV ${money(result.riskAdjusted.npv)} at ${result.riskAdjusted.probabilityPercent} % probability of success`);
  ctx.out('');
  ctx.out(
    table(
      ['SCENARIO', 'COSTS', 'BENEFITS', 'NPV', 'PAYBACK'],
      (['pessimistic', 'expected', 'optimistic'] as const).map((key) => [
        key,
        money(s[key].totalCost),
        money(s[key].totalBenefit),
        money(s[key].npv),
        s[key].paybackMonth === null ? 'never' : `month ${s[key].paybackMonth.toFixed(1)}`,
      ]),
    ),
  );
  if (result.sensitivity.length) ctx.out(`\nMoves the result most: ${result.sensitivity.slice(0, 3).map((e) => e.label).join(', ')}`);
  for (const warning of result.warnings) ctx.err(`warning: ${warning.message}`);
}

/** Which inputs the case assumes and where each came from; `changed` are the keys --set just gave. */
function printOrigins(ctx: CliContext, input: RoiInput, origins: OriginLine[], changed: Set<string>): void {
  const known = new Map(origins.map((o) => [o.key, o.origin]));
  const lines = roiFields
    .filter((f) => f.group !== 'scenario' && input[f.key] !== 0)
    .map((f) => ({ label: f.label, value: `${input[f.key]} ${fieldUnit(f, input.currency)}`, origin: changed.has(f.key) ? 'set' : (known.get(f.key) ?? (input[f.key] === f.default ? 'default' : 'set')) }));
  const group = (origin: string, title: string) => {
    const chosen = lines.filter((l) => l.origin === origin);
    if (chosen.length) ctx.out(`${title}: ${chosen.map((l) => `${l.label} ${l.value}`).join('; ')}`);
  };
  group('goal', 'From the Goal step');
  group('set', 'Assumed, set for this case');
  group('default', 'Assumed, defaults (check them)');
}

export const roiCommands: Command[] = [
  {
    name: 'roi',
    usage: 'PROJECT [--set key=value …] [--note TEXT] [--dry-run] [--json]',
    summary: "A pilot's ROI from its measured accuracy and training time; --set changes assumptions and saves a new version of the case.",
    args: { min: 1, max: 1 },
    options: { set: { type: 'string', multiple: true }, note: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    async run(ctx) {
      const app = ctx.app();
      const found = await project(app, ctx.args[0]!);
      const state = await call(invoke(app, 'roi:get', { projectId: found.id }));
      const settings = (ctx.flags.set as string[] | undefined) ?? [];
      const input = settings.length ? applySettings(state.input, settings) : state.input;
      let result = state.result;
      let caseId = state.saved?.id ?? null;
      let saved = state.saved !== null && settings.length === 0;
      let changes: RoiInputChange[] | null = null;
      let savedNote = state.saved ? `case ${state.saved.id}, saved ${new Date(state.saved.createdAt).toISOString().slice(0, 16).replace('T', ' ')}` : 'defaults, not saved yet';
      if (settings.length && ctx.flags['dry-run'] !== true) {
        const note = typeof ctx.flags.note === 'string' ? ctx.flags.note : `pilot roi --set ${settings.join(' ')}`;
        const stored = await call(invoke(app, 'roi:save', { projectId: found.id, input, note }));
        result = stored.result;
        caseId = stored.case.id;
        changes = stored.case.changes;
        saved = true;
        savedNote = `saved as case ${stored.case.id}`;
      } else if (settings.length) {
        const computed = await call(invoke(app, 'roi:compute', { projectId: found.id, input }));
        if (!computed.result) throw new CliError(computed.issues.map((i) => i.message).join(' '));
        result = computed.result;
        savedNote = 'dry run, not saved';
      }
      if (ctx.json) {
        return ctx.out(JSON.stringify({ project: { id: found.id, name: found.name }, caseId, saved, changes, input, ...result, measuredSources: state.measured.sources, measuredChanges: settings.length && ctx.flags['dry-run'] !== true ? [] : state.measuredChanges }, null, 2));
      }
      printResult(ctx, found.name, result, savedNote, state.verdict);
      const used = result.measuredUsed;
      const measuredRate = state.measured.measured.modelErrorRate;
      const rate = measuredRate === null ? 'not measured' : `${(measuredRate * 100).toFixed(2)} %${used.modelErrorRate === null ? (state.measured.measured.baselinePresent ? ', not used (see the warnings)' : ", not used: the goal step has no baseline (today's figures)") : ''}`;
      const seconds = used.trainingSeconds === null ? 'not measured' : used.trainingSeconds < 10 ? `${used.trainingSeconds.toFixed(1)} s a run` : `${Math.round(used.trainingSeconds)} s a run`;
      ctx.out(`\nMeasured: model error rate ${rate} (${state.measured.sources.modelError}); training ${seconds} at ${used.devicePowerWatts} W${used.powerMeasured ? '' : ' (assumed)'}`);
      printOrigins(ctx, input, state.origins, new Set(settings.map((setting) => setting.slice(0, setting.indexOf('=')).trim())));
      if (!settings.length) for (const change of state.measuredChanges) ctx.err(`measured since the case was saved: ${change}`);
      if (changes?.length) ctx.err(`changed: ${changes.map((c) => `${c.label} ${c.before} → ${c.after}`).join('; ')}`);
    },
  },
  {
    name: 'report',
    usage: 'PROJECT --html FILE',
    summary: 'Write the one-page executive report of a pilot (question, answer, quality, metrics, hardware, registry, drift, ROI) as a self-contained HTML file.',
    args: { min: 1, max: 1 },
    options: { html: { type: 'string' } },
    async run(ctx) {
      if (typeof ctx.flags.html !== 'string' || ctx.flags.html.trim() === '') throw new UsageError('Give the file to write with --html FILE.');
      const app = ctx.app();
      const found = await project(app, ctx.args[0]!);
      const { html } = await call(invoke(app, 'roi:report', { projectId: found.id }));
      const target = resolve(ctx.flags.html);
      await writeFile(target, html).catch((error: Error) => {
        throw new CliError(`Cannot write the report to ${target}: ${error.message}. Pick a folder you can write to.`);
      });
      if (ctx.json) return ctx.out(JSON.stringify({ project: { id: found.id, name: found.name }, path: target, bytes: Buffer.byteLength(html) }, null, 2));
      ctx.out(`Executive report of ${found.name} written to ${target}`);
    },
  },
];
