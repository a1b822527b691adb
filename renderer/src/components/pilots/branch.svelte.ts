/**
 * What the wizard branches of the newer pilot kinds (pictures, documents, unusual cases,
 * forecasts) share: their own settings kept in the project's saved wizard state under the kind's
 * key, the live epochs of a training job, and following that job to the registered version.
 */
import type { Job, JobStatus } from '../../../../main/contract/index.js';
import { jobs } from '../../lib/jobs.svelte.js';
import { pilots } from './pilots.svelte.js';

type Setting = string | number | boolean | null;

/**
 * A branch's settings as saved in `projects.wizard[key]`, over `defaults`: a saved value is taken
 * only when it has the default's type (a `null` default takes a string or a number), so state an
 * older build wrote cannot break the page.
 */
export function readSettings<T extends Record<string, Setting>>(key: string, defaults: T): T {
  const saved: unknown = pilots.project?.wizard[key];
  const out: Record<string, Setting> = { ...defaults };
  if (saved && typeof saved === 'object' && !Array.isArray(saved)) {
    for (const [name, fallback] of Object.entries(defaults)) {
      const value: unknown = Object.getOwnPropertyDescriptor(saved, name)?.value;
      const fits = fallback === null ? value === null || typeof value === 'string' || typeof value === 'number' : typeof value === typeof fallback;
      if (fits && (typeof value !== 'number' || Number.isFinite(value))) out[name] = value as Setting;
    }
  }
  return out as T;
}

/** Saves a branch's settings with the rest of the wizard state (step, run). */
export async function saveSettings(key: string, settings: Record<string, Setting>): Promise<void> {
  Object.assign(pilots.wizard, { [key]: { ...settings } });
  await pilots.save();
}

/** One epoch as a training job pushes it: loss and validation loss, plus the kind's own numbers. */
export type LiveEpoch = { epoch: number; loss: number; valLoss: number } & Record<string, number>;

/** The epochs among a job's pushed details (other details, such as reading progress, are skipped). */
export function liveEpochs(details: readonly unknown[]): LiveEpoch[] {
  return details.flatMap((d) => {
    if (typeof d !== 'object' || d === null) return [];
    const numbers = Object.fromEntries(Object.entries(d).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)));
    const { epoch, loss, valLoss } = numbers;
    return epoch !== undefined && loss !== undefined && valLoss !== undefined ? [{ ...numbers, epoch, loss, valLoss }] : [];
  });
}

/**
 * Follows a training job the branch started: the wizard remembers its run, and once the job ends
 * the project is reloaded (its run, version and verdict) and, when it succeeded, the branch moves
 * to its results step.
 */
export async function followTraining(job: Job, runId: number, resultsStep: number): Promise<{ status: JobStatus; error: string | null }> {
  jobs.track(job);
  pilots.trainJobId = job.id;
  pilots.wizard.runId = runId;
  await pilots.save();
  const done = await jobs.whenDone(job);
  const project = pilots.project;
  if (project) await pilots.open(project.id);
  if (done.status === 'succeeded' && pilots.wizard.runId === runId) await pilots.goTo(resultsStep);
  return { status: done.status, error: done.error?.message ?? null };
}

/**
 * A resumed run's job pushes only the epochs after its checkpoint: the run's stored epochs before
 * them (from `pilots.runDetail`, the run the wizard shows) come first, so its charts read as one
 * run. A fresh run (another run id) or a job that pushed every epoch gets nothing added.
 */
export function withStoredEpochs(live: LiveEpoch[]): LiveEpoch[] {
  const detail = pilots.runDetail;
  const first = live[0]?.epoch;
  if (first === undefined || first <= 1 || !detail || detail.run.id !== pilots.wizard.runId) return live;
  const byEpoch: Record<number, Record<string, number>> = {};
  for (const [key, points] of Object.entries(detail.metrics)) {
    for (const point of points) if (point.step < first) byEpoch[point.step] = { ...byEpoch[point.step], [key]: point.value };
  }
  const stored = Object.entries(byEpoch)
    .map(([epoch, values]) => ({ ...values, epoch: Number(epoch) }))
    .sort((a, b) => a.epoch - b.epoch);
  return [...liveEpochs(stored), ...live];
}
