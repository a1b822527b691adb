/**
 * Runs a job from the CLI: progress on stderr (one updating line on a terminal, a line per stage
 * otherwise), Ctrl-C cancels the job (a second Ctrl-C leaves at once), and the outcome becomes
 * the result or a one-line error.
 */
import type { Job } from '../../db/jobs.js';
import type { JobEvent } from '../jobs/supervisor.js';
import { CliError, type CliContext } from './command.js';
import { duration } from './format.js';

export async function runJob(ctx: CliContext, job: Job, onDetail?: (detail: unknown) => void): Promise<Job> {
  const app = ctx.app();
  const tty = process.stderr.isTTY;
  let lastLine = '';
  let lastStage = '';
  let lastBucket = -1;
  const listener = (event: JobEvent) => {
    if (event.job.id !== job.id) return;
    if (event.detail !== undefined) onDetail?.(event.detail);
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
  app.jobs.on('job', listener);
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    ctx.err('\nCancelling… (press Ctrl-C again to leave at once)');
    app.jobs.cancel(job.id);
  };
  process.on('SIGINT', onSigint);
  try {
    const final = await app.jobs.wait(job.id);
    if (tty && lastLine) process.stderr.write('\r\x1b[2K');
    if (final.status === 'succeeded') return final;
    if (final.status === 'cancelled') throw new CliError(`${final.title}: cancelled.`);
    const error = final.error;
    if (ctx.debug && error?.lastStderr?.length) ctx.err(error.lastStderr.join('\n'));
    if (ctx.debug && error?.stack) ctx.err(error.stack);
    throw new CliError(error?.message ?? `${final.title} ${final.status}.`);
  } finally {
    app.jobs.off('job', listener);
    process.off('SIGINT', onSigint);
  }
}
