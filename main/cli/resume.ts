/** `pilot resume RUN`: an interrupted, failed or cancelled run of any pilot kind continues from its checkpoint. */
import { invoke } from '../api/index.js';
import { call } from './call.js';
import { UsageError, type CliContext, type Command } from './command.js';
import { runJob } from './run-job.js';

/** Without RUN: the runs that can resume, newest first, so a user can pick one. */
async function listResumable(ctx: CliContext): Promise<void> {
  const rows = [];
  for (const project of await call(invoke(ctx.app(), 'pilots:list', {}))) {
    const detail = await call(invoke(ctx.app(), 'pilots:get', { id: project.id }));
    for (const run of detail.runs) if (run.resumable) rows.push({ runId: run.id, kind: run.kind, project: project.name, status: run.status, startedAt: new Date(run.startedAt).toISOString() });
  }
  rows.sort((a, b) => b.runId - a.runId);
  if (ctx.json) return ctx.out(JSON.stringify(rows, null, 2));
  if (!rows.length) return ctx.out('No run can be resumed: none stopped before the end with its checkpoint kept.');
  for (const row of rows) ctx.out(`run ${row.runId}  ${row.kind}  ${row.project}  ${row.status}  started ${row.startedAt}`);
  ctx.out('Resume one with: pilot resume RUN');
}

async function resumeCli(ctx: CliContext): Promise<void> {
  const raw = ctx.args[0];
  if (raw === undefined) return listResumable(ctx);
  const runId = Number(raw);
  if (!Number.isInteger(runId) || runId < 1) throw new UsageError(`RUN is a run's id (a whole number), got "${raw}".`);
  const started = await call(invoke(ctx.app(), 'pilots:resume', { runId }));
  ctx.err(`Resuming run ${runId} (${started.run.kind}) as job ${started.job.id}…`);
  if (started.warning) ctx.err(`warning: ${started.warning}`);
  const final = await runJob(ctx, started.job, (detail: unknown) => {
    if (typeof detail !== 'object' || detail === null) return;
    const epoch: unknown = Object.getOwnPropertyDescriptor(detail, 'epoch')?.value;
    const loss: unknown = Object.getOwnPropertyDescriptor(detail, 'loss')?.value;
    if (typeof epoch === 'number' && typeof loss === 'number') ctx.err(`epoch ${epoch}  loss ${loss.toFixed(4)}`);
  });
  const result = final.result;
  if (ctx.json) return ctx.out(JSON.stringify(result, null, 2));
  const from = result.resumedFromEpoch === null ? 'from the start (its checkpoint was not usable)' : `from epoch ${result.resumedFromEpoch}`;
  ctx.out(`Run ${runId} (${result.kind}) resumed ${from} and finished: model version ${result.version} (model version id ${result.modelVersionId}), backend ${result.backend}`);
  ctx.out(`Model: ${result.artifactDir}`);
  for (const warning of result.warnings) ctx.err(`warning: ${warning}`);
}

export const resumeCommands: Command[] = [
  {
    name: 'resume',
    usage: '[RUN] [--json]',
    summary:
      "Continue a pilot run (any kind) that was interrupted, failed or cancelled from its last checkpoint, with the settings it started with, and register its model version. Without RUN, lists the runs that can resume.",
    args: { min: 0, max: 1 },
    run: resumeCli,
  },
];
