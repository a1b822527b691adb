/**
 * What a job card says under its bar, computed once from the job so the words, the percentage and
 * the bar cannot disagree. A running job whose engine already said "Done" (it is saving its result
 * and registering the model) reads "Saving the results…": "Done" is for a job that succeeded.
 */
import type { AnyJob as Job } from '../../../main/contract/index.js';
import { duration, percent } from './format.js';

export interface JobLine {
  /** 0..1 for the bar; null draws it indeterminate (queued). */
  fraction: number | null;
  /** The words on the left: the stage while it runs, how it ended after. */
  stage: string;
  /** The figures on the right: percentage and time left while it runs, the time it took after. */
  numbers: string;
}

const clamp = (x: number) => Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));

/** Whether a running job is past its work (its engine said "Done", or its bar is full): saving its result. */
const finishing = (job: Pick<Job, 'progress' | 'stage'>) => clamp(job.progress) >= 1 || /^done\b/i.test(job.stage.trim());

/**
 * A running job's time left in words ("about 1 min 30 s left"), or '' when there is none to say:
 * the one phrase for the job card and for a training's live epoch line, from the job's
 * `etaSeconds` (the worker's one estimate, workers/eta.ts).
 */
export function timeLeft(job: Pick<Job, 'status' | 'progress' | 'stage' | 'etaSeconds'>): string {
  return job.status === 'running' && !finishing(job) && job.etaSeconds !== null ? `about ${duration(job.etaSeconds)} left` : '';
}

export function jobLine(job: Pick<Job, 'status' | 'progress' | 'stage' | 'etaSeconds' | 'startedAt' | 'finishedAt'>): JobLine {
  if (job.status === 'queued') return { fraction: null, stage: 'Waiting for a free slot…', numbers: '' };
  if (job.status === 'running') {
    const fraction = clamp(job.progress);
    const eta = timeLeft(job);
    return { fraction, stage: finishing(job) ? 'Saving the results…' : job.stage || 'Starting…', numbers: `${percent(fraction)}${eta ? ` · ${eta}` : ''}` };
  }
  const took = job.startedAt !== null && job.finishedAt !== null ? duration((job.finishedAt - job.startedAt) / 1000) : '';
  if (job.status === 'succeeded') return { fraction: 1, stage: 'Done', numbers: took };
  const stage =
    job.status === 'cancelled' ? 'Cancelled' : job.stage ? `Stopped while: ${job.stage.charAt(0).toLowerCase()}${job.stage.slice(1)}` : 'Stopped';
  return { fraction: clamp(job.progress), stage, numbers: took };
}
