/**
 * Runs a job from the CLI: progress on stderr (one updating line on a terminal, a line per stage
 * otherwise), Ctrl-C cancels the job (a second Ctrl-C leaves at once), and the outcome becomes
 * the result or a one-line error. A job shared with other processes (the same work asked for
 * twice) is followed to the job that replaces it when its owner stops, and Ctrl-C on a process
 * that only waits for it leaves the job to the others instead of cancelling it for everyone.
 */
import type { JobDetail, JobKind } from '../../workers/jobs.js';
import type { AnyJobEvent, JobOf, JobOutcome } from '../contract/jobs.js';
import type { JobTakeover } from '../jobs/supervisor.js';
import { CliError, type CliContext } from './command.js';
import { duration } from './format.js';

/** Waits for the job and returns it succeeded, with its kind's result. */
export async function runJob<K extends JobKind>(
  ctx: CliContext,
  job: JobOf<K>,
  onDetail?: (detail: JobDetail<K>) => void,
): Promise<JobOf<K> & { result: JobOutcome<K> }> {
  const app = ctx.app();
  const tty = process.stderr.isTTY;
  let lastLine = '';
  let lastStage = '';
  let lastBucket = -1;
  const listener = (event: AnyJobEvent) => {
    if (event.job.id !== app.jobs.current(job.id)) return;
    if (event.detail !== undefined && isOf(event, job.kind)) onDetail?.(event.detail);
    if (event.job.status !== 'running') return;
    const percent = Math.floor(event.job.progress * 100);
    const eta = event.job.etaSeconds === null || percent >= 100 ? '' : `, ${duration(event.job.etaSeconds)} left`;
    const line = `${event.job.title}: ${event.job.stage} ${percent}%${eta}`;
    if (tty) {
      process.stderr.write(`\r\x1b[2K${line}`);
    } else if (event.job.stage !== lastStage || Math.floor(percent / 10) !== lastBucket) {
      // Logs and pipes get a line per stage and per 10 %, not a flood.
      ctx.err(line);
    }
    lastStage = event.job.stage;
    lastBucket = Math.floor(percent / 10);
    lastLine = line;
  };
  const onTakeover = (takeover: JobTakeover) => {
    if (takeover.to.id !== app.jobs.current(job.id)) return;
    if (tty && lastLine) process.stderr.write('\r\x1b[2K');
    ctx.err(takeover.message);
    lastLine = '';
  };
  app.jobs.on('job', listener);
  app.jobs.on('takeover', onTakeover);
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    const id = app.jobs.current(job.id);
    if (app.jobs.shares(id)) {
      // Another process computes it for others too: this one stops waiting, the job goes on.
      app.jobs.leave(id);
      ctx.err(`\nLeft job ${id}; it goes on in the process computing it, for the others waiting on it.`);
      process.exit(130);
    }
    ctx.err('\nCancelling… (press Ctrl-C again to leave at once)');
    app.jobs.cancel(id);
  };
  process.on('SIGINT', onSigint);
  try {
    const final = await app.jobs.wait(job);
    if (tty && lastLine) process.stderr.write('\r\x1b[2K');
    if (final.status === 'succeeded' && hasResult(final)) return final;
    if (final.status === 'succeeded') throw new CliError(`${final.title} finished without a result.`);
    if (final.status === 'cancelled') throw new CliError(`${final.title}: cancelled.`);
    const error = final.error;
    if (ctx.debug && error?.lastStderr?.length) ctx.err(error.lastStderr.join('\n'));
    if (ctx.debug && error?.stack) ctx.err(error.stack);
    throw new CliError(error?.message ?? `${final.title} ${final.status}.`);
  } finally {
    app.jobs.off('job', listener);
    app.jobs.off('takeover', onTakeover);
    process.off('SIGINT', onSigint);
  }
}

function isOf<K extends JobKind>(event: AnyJobEvent, kind: K): event is AnyJobEvent & { job: JobOf<K>; detail?: JobDetail<K> } {
  return event.job.kind === kind;
}

function hasResult<K extends JobKind>(job: JobOf<K>): job is JobOf<K> & { result: JobOutcome<K> } {
  return job.result !== null;
}
