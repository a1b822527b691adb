/**
 * The contract between the job supervisor (main process) and worker processes.
 *
 * Each job runs in its own OS process. The supervisor forks `dist/worker.js`, sends one `start`
 * message, and may later send `cancel`. The worker answers with any number of `progress` messages
 * and exactly one of `result`, `error` or `cancelled`, then exits. Workers never write to the
 * database: they compute, write large artifacts to files under `dataDir`, and return plain data.
 */

import type { JobKind } from './jobs.js';

export type { JobKind };

/** What the job needs: at most one `gpu` job runs at a time; `cpu` jobs share a configurable number of slots. */
export type JobResource = 'cpu' | 'gpu';

/** An error as it crosses a process boundary: data, never a live object. */
export interface SerializedError {
  /** `Error.name`, or the engine's own error class name (`UserInputError`, `CancelledError`). */
  name: string;
  /** One line a person can act on: what went wrong and what to do next. */
  message: string;
  stack?: string;
  /**
   * `input`: the user's input is wrong (missing file, bad CSV); `internal`: a bug or an
   * environment failure; `cancelled`: the user asked to stop.
   */
  kind: 'input' | 'internal' | 'cancelled';
}

/** One progress report. `fraction` is 0..1; `stage` is a short human phrase ("Hashing", "Epoch 3/20"). */
export interface ProgressReport<D = unknown> {
  fraction: number;
  stage: string;
  /** Engine-specific structured detail, for example one epoch's metrics for the live training chart. */
  detail?: D;
  /** The engine's own estimate of the seconds left (a training's, from its pace: see eta.ts); without it the entry estimates from the fraction. */
  etaSeconds?: number;
}

/** Supervisor → worker. */
export type ToWorker =
  | { type: 'start'; jobId: number; kind: JobKind; input: unknown; dataDir: string }
  | { type: 'cancel' };

/** Worker → supervisor. */
export type FromWorker =
  | { type: 'progress'; fraction: number; stage: string; etaSeconds: number | null; detail?: unknown }
  | { type: 'result'; value: unknown }
  | { type: 'error'; error: SerializedError }
  | { type: 'cancelled' };

/**
 * What an engine receives besides its input. Engines are plain async functions, testable
 * in-process with a context made by `makeContext()` below; the process entry supplies the real one.
 */
export interface JobContext<D = unknown> {
  jobId: number;
  /** The data directory (artifacts go under it, e.g. `models/`, `reports/`). */
  dataDir: string;
  /** Aborted when the user cancels. Check it at every batch, chunk or epoch. */
  signal: AbortSignal;
  /** Report progress; cheap to call often (the runtime throttles what crosses the process boundary). */
  progress(report: ProgressReport<D>): void;
}

/**
 * An engine: takes validated input, reports progress (with detail of type D), returns a
 * JSON-serialisable result. The worker entry validates the input with the kind's schema before the
 * engine sees it (workers/jobs.ts), so an engine never parses its own input again.
 */
export type Engine<I, O, D = unknown> = (input: I, ctx: JobContext<D>) => Promise<O>;

/** An error caused by the user's input, with a message that says what to do. Reported as `kind: 'input'`. */
export class UserInputError extends Error {
  override name = 'UserInputError';
}

/** Thrown by `throwIfCancelled` when the job's signal is aborted. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('Cancelled by the user.');
  }
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof CancelledError) return { name: error.name, message: error.message, kind: 'cancelled' };
  if (error instanceof UserInputError) return { name: error.name, message: error.message, kind: 'input' };
  if (error instanceof Error) {
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}), kind: 'internal' };
  }
  return { name: 'Error', message: String(error), kind: 'internal' };
}

/** A context for running an engine in-process (tests, benchmarks). Collects progress reports. */
export function makeContext<D = unknown>(options: { dataDir?: string; signal?: AbortSignal; jobId?: number } = {}): JobContext<D> & {
  reports: ProgressReport<D>[];
} {
  const reports: ProgressReport<D>[] = [];
  return {
    jobId: options.jobId ?? 0,
    dataDir: options.dataDir ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
    reports,
    progress(report) {
      reports.push(report);
    },
  };
}
