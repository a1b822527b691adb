/**
 * What each kind of job keeps as its result once the main process has stored what the worker
 * returned (`JobOutcomes`), and the job and push-event types derived from it and from the map of
 * job kinds (workers/jobs.ts). A kind without an entry here keeps its worker's result; a pilot
 * kind (its result extends `PilotResultCore`) keeps a `PilotOutcome`.
 */
import type { Job } from '../../db/jobs.js';
import type { Evaluation } from '../../db/evaluations.js';
import type { QualityOptions } from '../../db/quality.js';
import type { JobDetail, JobInput, JobKind, JobResult } from '../../workers/jobs.js';
import type { PilotResultCore } from '../../workers/pilot-result.js';
import type { ImportOutcome } from './datasets.js';
import type { DriftOutcome } from './drift.js';
import type { HardwareOutcome } from './hardware.js';
import type { PilotOutcome, PredictOutcome } from './pilots.js';
import type { QualityOutcome } from './quality.js';

/** The stored result of the kinds whose result the main process turns into something else. */
export interface JobOutcomes {
  'dataset.import': ImportOutcome;
  'hardware.profile': HardwareOutcome;
  'quality.score': QualityOutcome;
  'predict.run': PredictOutcome;
  'drift.check': DriftOutcome;
  'evaluate.run': Evaluation;
}

/**
 * What the main process keeps beside a kind's worker input in `jobs.input`, for its `onResult`
 * (the worker's schema drops these fields).
 */
export interface JobBookkeeping {
  'quality.score': { datasetId: number; datasetSha256: string; options: QualityOptions };
  'predict.run': { modelVersionId: number; version: number; projectId: number };
  'drift.check': {
    versionId?: number;
    /** Set when this run builds the version's profile from its training file: cache it if the file still has this hash. */
    cacheFor?: { versionId: number; datasetSha256: string };
    /** The watch folder started it (the UI shows its outcome as a toast). */
    watch?: true;
  };
  'evaluate.run': { versionId: number };
  /** The version tried, and the download that holds the results CSV (main/api/downloads.ts). */
  'tryit.score': { versionId: number; downloadId: string; downloadName: string };
  'tryit.text': { versionId: number; downloadId: string; downloadName: string };
  'tryit.image': { versionId: number; downloadId: string; downloadName: string };
}

/** What a job of kind K is submitted with and keeps as `input`: the worker's input and the main process's bookkeeping. */
export type JobSubmitted<K extends JobKind> = JobInput<K> & (K extends keyof JobBookkeeping ? JobBookkeeping[K] : unknown);

/** What a finished job of kind K holds in `result`. */
export type JobOutcome<K extends JobKind> = K extends keyof JobOutcomes
  ? JobOutcomes[K]
  : [JobResult<K>] extends [never]
    ? never
    : JobResult<K> extends PilotResultCore
    ? PilotOutcome<JobResult<K>>
    : JobResult<K>;

/** A job of kind K with its input and result typed. */
export type JobOf<K extends JobKind> = Job<K, JobOutcome<K>, JobSubmitted<K>>;

/** Any job, discriminated by `kind`: narrow on it to get that kind's result type. */
export type AnyJob = { [K in JobKind]: JobOf<K> }[JobKind];

/** One change of a job, with its kind's progress detail when the worker sent one. */
export type JobEventOf<K extends JobKind> = { job: JobOf<K>; detail?: JobDetail<K> };

/** Any job event, discriminated by `job.kind`. */
export type AnyJobEvent = { [K in JobKind]: JobEventOf<K> }[JobKind];

/** Server-pushed events (job progress) on the one event stream. */
export type PushEvent = { type: 'job' } & AnyJobEvent;
