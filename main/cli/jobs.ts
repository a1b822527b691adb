/** `pilot jobs …`: what ran, what runs, how it ended. */
import { invoke } from '../api/index.js';
import type { Command } from './command.js';
import { call } from './call.js';
import { table, time } from './format.js';
import { runJob } from './run-job.js';

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
          jobs.map((job) => [job.id, job.kind, job.status, `${Math.round(job.progress * 100)}%`, job.title, time(job.createdAt), job.error?.message.slice(0, 80) ?? '']),
        ),
      );
    },
  },
  {
    name: 'jobs selftest',
    usage: '[--json]',
    summary: 'Run a short diagnostic job in a worker process to check that jobs work on this machine.',
    args: { min: 0, max: 0 },
    async run(ctx) {
      const job = await call(invoke(ctx.app(), 'jobs:selftest', { steps: 5, stepMs: 100 }));
      const final = await runJob(ctx, job);
      if (ctx.json) return ctx.out(JSON.stringify(final, null, 2));
      ctx.out(`Worker processes work: job ${final.id} ran ${((final.finishedAt ?? 0) - (final.startedAt ?? 0)) / 1000} s.`);
      const libraryPath = final.result?.libraryPath;
      if (libraryPath) ctx.out(`Workers start with this library path (GPU libraries are looked for there): ${libraryPath}`);
    },
  },
];
