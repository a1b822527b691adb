/** The shapes the job supervisor works with: how a kind is defined, its options, a running worker. */
import type { ChildProcess } from 'node:child_process';
import type { Job } from '../../db/jobs.js';
import type { Store } from '../../db/store.js';
import type { JobKind, JobResult } from '../../workers/jobs.js';
import type { FromWorker, JobResource } from '../../workers/protocol.js';
import type { AnyJob, AnyJobEvent, JobOf, JobOutcome, JobSubmitted } from '../contract/jobs.js';
import type { ResourceRule } from './resources.js';

/**
 * How a kind of job is run and what happens with its result in the main process. A kind whose
 * stored result is the worker's own needs no `onResult`.
 */
export type JobDefinition<K extends JobKind> = {
  /**
   * `gpu`: uses the GPU when it will run on a GPU backend (labelled `cpu` otherwise, see
   * main/jobs/resources.ts); `cpu`; or a function of the input, taken as it answers.
   */
  resource: ResourceRule<JobSubmitted<K>>;
} & ([JobOutcome<K>] extends [JobResult<K>]
  ? { onResult?: (value: JobResult<K>, job: JobOf<K>) => JobOutcome<K> }
  : {
      /**
       * Persists the worker's result (inside one transaction) and returns what is stored as the
       * job's result. Throwing fails the job with that message.
       */
      onResult: (value: JobResult<K>, job: JobOf<K>) => JobOutcome<K>;
    });

/** What listeners receive on every change of a job; `detail` carries engine data such as an epoch's metrics. */
export type JobEvent = AnyJobEvent;

/** Stored definitions, kind-erased: the supervisor meets a worker's result as plain data. */
export interface StoredDefinition {
  resource: ResourceRule<unknown>;
  onResult?: (value: never, job: never) => unknown;
}

export interface SupervisorOptions {
  store: Store;
  dataDir: string;
  /** The built worker entry (dist/worker.js). */
  workerPath: string;
  cpuSlots: number;
  /** After a cancel message, how long a worker has to stop before it is killed. */
  graceMs?: number;
  /** Lines of a worker's stderr kept for the error of a job whose worker died. */
  stderrLines?: number;
  /** Whether `gpu` kinds will run on a GPU backend here (default: main/jobs/resources.ts's check). */
  gpuAvailable?: () => boolean;
}

export interface Running {
  child: ChildProcess;
  resource: JobResource;
  cancelRequested: boolean;
  finalMessage: FromWorker | null;
  stderr: string[];
  lastProgressWrite: number;
  killTimer: NodeJS.Timeout | null;
}

/**
 * A job row with its kind's types. This is the one place the job boundary's types are trusted
 * rather than checked: every row's result was stored by a supervisor from its kind's `onResult`
 * (or is what its kind's engine returned), and its input is what `submit` took for that kind.
 */
export function trusted(job: Job): AnyJob {
  return job as AnyJob;
}
