/**
 * The worker process. Forked by the job supervisor for one job: waits for `start`, runs the
 * engine, streams throttled progress with an ETA, answers with exactly one final message and
 * exits. If the parent goes away, the worker exits too rather than compute for nobody.
 */
import { secondsLeft } from './eta.js';
import { jobKinds } from './jobs.js';
import { takeProgressChannel } from './progress-channel.js';
import {
  CancelledError,
  type FromWorker,
  type JobContext,
  serializeError,
  type ToWorker,
} from './protocol.js';

/** Progress crosses the process boundary at most this often (the last report always does). */
const PROGRESS_INTERVAL_MS = 100;

takeProgressChannel();
const controller = new AbortController();
let finished = false;

function send(message: FromWorker): Promise<void> {
  return new Promise((done) => {
    if (!process.send || !process.connected) return done();
    process.send(message, undefined, {}, () => done());
  });
}

async function finish(message: FromWorker): Promise<never> {
  finished = true;
  await send(message);
  process.disconnect?.();
  process.exit(0);
}

async function run(start: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const load = Object.hasOwn(jobKinds, start.kind) ? jobKinds[start.kind] : undefined;
  if (!load) {
    await finish({ type: 'error', error: { name: 'UnknownJob', message: `This version has no engine for jobs of kind "${start.kind}".`, kind: 'internal' } });
    return;
  }
  const startedAt = performance.now();
  let lastSent = 0;
  let pending: FromWorker | null = null;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    if (pending) void send(pending);
    pending = null;
    lastSent = performance.now();
  };
  const ctx: JobContext = {
    jobId: start.jobId,
    dataDir: start.dataDir,
    signal: controller.signal,
    progress(report) {
      const fraction = Math.min(1, Math.max(0, Number.isFinite(report.fraction) ? report.fraction : 0));
      const elapsed = (performance.now() - startedAt) / 1000;
      const etaSeconds = secondsLeft(fraction, elapsed, report.etaSeconds);
      pending = { type: 'progress', fraction, stage: report.stage, etaSeconds, ...(report.detail === undefined ? {} : { detail: report.detail }) };
      // Structured detail (an epoch's metrics) is never dropped; plain progress is throttled.
      if (report.detail !== undefined || performance.now() - lastSent >= PROGRESS_INTERVAL_MS) flush();
      else timer ??= setTimeout(flush, PROGRESS_INTERVAL_MS);
    },
  };
  try {
    // The one validation of a job's input: the worker trusts nobody, not even the main process.
    const value = await (await load()).run(start.input, ctx);
    if (timer) clearTimeout(timer);
    flush();
    await finish({ type: 'result', value });
  } catch (error) {
    if (timer) clearTimeout(timer);
    if (error instanceof CancelledError || (controller.signal.aborted && (error as Error)?.name === 'AbortError')) {
      await finish({ type: 'cancelled' });
    }
    await finish({ type: 'error', error: serializeError(error) });
  }
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'start') void run(message);
  else if (message.type === 'cancel') controller.abort();
});
process.on('disconnect', () => {
  if (!finished) process.exit(1);
});
process.on('uncaughtException', (error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  void finish({ type: 'error', error: serializeError(error) });
});
process.on('unhandledRejection', (error) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  void finish({ type: 'error', error: serializeError(error) });
});
