/** `pilot jobs …`: what ran, what runs, how it ended; cancelling a job any process runs. */
import { invoke } from '../api/index.js';
import type { AnyJob } from '../contract/jobs.js';
import type { Command } from './command.js';
import { CliError, UsageError } from './command.js';
import { call } from './call.js';
import { table, time } from './format.js';
import { runJob } from './run-job.js';

/** How long `jobs cancel` waits for another process to act on the request before saying so. */
const CANCEL_WAIT_MS = 30_000;

const count = (value: unknown, flag: string, fallback: number, max: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`--${flag} must be a whole number from 0 to ${max}, not "${String(value)}".`);
  return n;
};

export const jobCommands: Command[] = [
  {
    name: 'jobs list',
    usage: '[--limit N] [--json]',
    summary: 'List recent jobs with their status.',
    options: { limit: { type: 'string' } },
    args: { min: 0, max: 0 },
    async run(ctx) {
      const limit = ctx.flags.limit === undefined ? 50 : Number(ctx.flags.limit);
      const jobs = await call(invoke(ctx.app(), 'jobs:list', { limit }));
      if (ctx.json) return ctx.out(JSON.stringify(jobs, null, 2));
      if (jobs.length === 0) return ctx.out('No jobs yet.');
      ctx.out(
        table(
          ['ID', 'KIND', 'STATUS', 'PROGRESS', 'TITLE', 'CREATED', 'MESSAGE'],
          jobs.map((job) => [job.id, job.kind, job.status, `${Math.round(job.progress * 100)}%`, job.title, time(job.createdAt), job.error?.message.slice(0, 80) ?? (job.status === 'queued' ? job.stage : '')]),
        ),
      );
    },
  },
  {
    name: 'jobs cancel',
    usage: 'ID [--json]',
    summary: 'Cancel a queued or running job, whichever process runs it (the app, pilot serve, another pilot command); waits until it has stopped.',
    args: { min: 1, max: 1 },
    async run(ctx) {
      const id = Number(ctx.args[0]);
      if (!(Number.isInteger(id) && id > 0)) throw new UsageError(`A job id is a positive whole number, got "${ctx.args[0]}".`);
      const app = ctx.app();
      const asked = await call(invoke(app, 'jobs:cancel', { id }));
      const final = asked.status === 'queued' || asked.status === 'running' ? await Promise.race([app.jobs.wait(id), later(CANCEL_WAIT_MS)]) : asked;
      if (final === null) {
        throw new CliError(
          `Job ${id} is still ${asked.status}: its process (PID ${asked.ownerPid}) has not acted on the cancel request within ${CANCEL_WAIT_MS / 1000} s. It may be an older Pilot Workbench that does not read cancel requests: stop the job there (or end that process).`,
        );
      }
      if (ctx.json) return ctx.out(JSON.stringify(final, null, 2));
      ctx.out(describe(final));
    },
  },
  {
    name: 'jobs selftest',
    usage: '[--steps N] [--step-ms MS] [--gpu] [--json]',
    summary: 'Run a short diagnostic job in a worker process to check that jobs work on this machine; --gpu runs it as a GPU job (it waits for the machine-wide GPU lock).',
    options: { steps: { type: 'string' }, 'step-ms': { type: 'string' }, gpu: { type: 'boolean' } },
    args: { min: 0, max: 0 },
    async run(ctx) {
      const input = { steps: Math.max(1, count(ctx.flags.steps, 'steps', 5, 1000)), stepMs: count(ctx.flags['step-ms'], 'step-ms', 100, 10_000), gpu: ctx.flags.gpu === true };
      const job = await call(invoke(ctx.app(), 'jobs:selftest', input));
      if (ctx.json) ctx.err(`Job ${job.id} started.`);
      const final = await runJob(ctx, job);
      if (ctx.json) return ctx.out(JSON.stringify(final, null, 2));
      ctx.out(`Worker processes work: job ${final.id} ran ${((final.finishedAt ?? 0) - (final.startedAt ?? 0)) / 1000} s.`);
      const libraryPath = final.result?.libraryPath;
      if (libraryPath) ctx.out(`Workers start with this library path (GPU libraries are looked for there): ${libraryPath}`);
      const cache = final.result?.cudaCache;
      if (cache?.path) ctx.out(`GPU kernels compiled on first use are cached in ${cache.path} (up to ${Math.round(Number(cache.maxSize ?? 0) / 1024 ** 2)} MiB).`);
    },
  },
];

function later(ms: number): Promise<null> {
  return new Promise((done) => setTimeout(() => done(null), ms).unref());
}

function describe(job: AnyJob): string {
  if (job.status === 'cancelled') return `Job ${job.id} (${job.title}) is cancelled.`;
  if (job.status === 'interrupted') return `Job ${job.id} (${job.title}) was interrupted: ${job.error?.message ?? 'its process is gone'}`;
  return `Job ${job.id} (${job.title}) had already ended: ${job.status}.`;
}
