/**
 * One worker process: forked with its environment and a side channel for progress, its stderr kept
 * for the last words of a worker that dies, and its exit turned into the job's outcome.
 *
 * The side channel (file descriptor PROGRESS_FD, named to the worker in PILOT_PROGRESS_FD) carries
 * progress lines written from a worker thread while the worker's own event loop is blocked in a
 * long synchronous call, such as libtensorflow compiling GPU kernels on first use
 * (workers/tfjs/first-batch.ts): the IPC channel cannot be written from a worker thread.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { JobError } from '../../db/jobs.js';
import type { FromWorker, JobResource, ToWorker } from '../../workers/protocol.js';
import type { Running } from './definitions.js';

/** The worker's file descriptor of the progress side channel (0–2 are stdio, 3 is IPC). */
export const PROGRESS_FD = 4;

/** What the supervisor hears from a worker. */
export interface WorkerHandlers {
  message: (message: FromWorker) => void;
  exit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** Forks the worker entry and wires its channels to `handlers`. */
export function spawnWorker(options: { workerPath: string; env: NodeJS.ProcessEnv; resource: JobResource; stderrLines: number }, handlers: WorkerHandlers): Running {
  const child = fork(options.workerPath, [], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
    env: { ...options.env, PILOT_PROGRESS_FD: String(PROGRESS_FD) },
    execArgv: [],
  });
  const running: Running = {
    child,
    resource: options.resource,
    cancelRequested: false,
    finalMessage: null,
    stderr: [],
    lastProgressWrite: 0,
    killTimer: null,
  };
  const keep = (chunk: Buffer) => {
    const lines = chunk.toString('utf8').split(/\r?\n/).filter((line) => line.trim() !== '');
    running.stderr.push(...lines.map((line) => line.slice(0, 500)));
    running.stderr.splice(0, Math.max(0, running.stderr.length - options.stderrLines));
  };
  child.stderr?.on('data', keep);
  child.stdout?.on('data', keep);
  const side = child.stdio[PROGRESS_FD] as Readable | null | undefined;
  if (side) readLines(side, (line) => {
    const message = parseSideProgress(line);
    if (message) handlers.message(message);
  });
  child.on('message', (message: FromWorker) => handlers.message(message));
  child.on('error', (error) => running.stderr.push(`spawn error: ${error.message}`));
  child.on('exit', (code, signal) => handlers.exit(code, signal));
  return running;
}

/** Sends a message when the worker still listens. */
export function sendTo(child: ChildProcess, message: ToWorker): void {
  if (child.connected) child.send(message);
}

/** One side-channel line as a progress message; anything else is ignored (the channel carries only progress). */
export function parseSideProgress(line: string): Extract<FromWorker, { type: 'progress' }> | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { type, fraction, stage } = value as Record<string, unknown>;
  if (type !== 'progress' || typeof fraction !== 'number' || !Number.isFinite(fraction) || typeof stage !== 'string') return null;
  return { type: 'progress', fraction: Math.min(1, Math.max(0, fraction)), stage: stage.slice(0, 300), etaSeconds: null };
}

function readLines(stream: Readable, onLine: (line: string) => void): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = (lines.pop() ?? '').slice(-10_000);
    for (const line of lines) if (line.trim() !== '') onLine(line);
  });
  stream.on('error', () => undefined);
}

/** How a worker's life ended, from its final message and exit. */
export type WorkerOutcome = { status: 'result'; value: unknown } | { status: 'cancelled' } | { status: 'failed'; error: JobError };

export function outcomeOf(running: Running, code: number | null, signal: NodeJS.Signals | null): WorkerOutcome {
  const message = running.finalMessage;
  if (message?.type === 'result') return { status: 'result', value: message.value };
  if (message?.type === 'cancelled' || (running.cancelRequested && message?.type !== 'error')) return { status: 'cancelled' };
  if (message?.type === 'error') return { status: 'failed', error: { ...message.error, ...(message.error.kind === 'internal' ? { lastStderr: running.stderr } : {}) } };
  const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
  const last = running.stderr.at(-1);
  return {
    status: 'failed',
    error: {
      name: 'WorkerDied',
      message: `The worker process stopped unexpectedly: it ${how}${last ? `. Its last words: "${last}"` : ''}. Try again; if it happens again, run with fewer jobs at once or check free memory.`,
      kind: 'internal',
      lastStderr: running.stderr,
    },
  };
}
