/**
 * The contract between the job supervisor (main process) and worker processes.
 *
 * Each job runs in its own OS process. The supervisor forks `dist/worker.js`, sends one `start`
 * message, and may later send `cancel`. The worker answers with any number of `progress` messages
 * and exactly one of `result`, `error` or `cancelled`, then exits. Workers never write to the
 * database: they compute, write large artifacts to files under `dataDir`, and return plain data.
 */

/** Every kind of job a worker can run. Adding an engine means adding its kind here and in `engines.ts`. */
export type JobKind =
  | 'dataset.import'
  | 'hardware.profile'
  | 'quality.score'
  | 'train.run'
  | 'train.anomaly'
  | 'predict.run'
  | 'drift.check'
  | 'evaluate.run'
  | 'test.sleep'
  | 'test.crash';

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
export interface ProgressReport {
  fraction: number;
  stage: string;
  /** Engine-specific structured detail, for example one epoch's metrics for the live training chart. */
  detail?: unknown;
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
export interface JobContext {
  jobId: number;
  /** The data directory (artifacts go under it, e.g. `models/`, `reports/`). */
  dataDir: string;
  /** Aborted when the user cancels. Check it at every batch, chunk or epoch. */
  signal: AbortSignal;
  /** Report progress; cheap to call often (the runtime throttles what crosses the process boundary). */
  progress(report: ProgressReport): void;
}

/** An engine: takes validated input, reports progress, returns a JSON-serialisable result. */
export type Engine<I, O> = (input: I, ctx: JobContext) => Promise<O>;

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
export function makeContext(options: { dataDir?: string; signal?: AbortSignal; jobId?: number } = {}): JobContext & {
  reports: ProgressReport[];
} {
  const reports: ProgressReport[] = [];
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
