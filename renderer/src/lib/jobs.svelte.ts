/**
 * Every job the UI knows about, kept live: loaded with `jobs:list`, then updated by push events
 * (progress, stage, ETA, final state, error). Pages that start a job read it from here, so a job
 * looks the same in the page and in the jobs panel (STYLE.md §9).
 */
import type { AnyJob as Job, JobOf, JobStatus } from '../../../main/contract/index.js';
import type { JobKind } from '../../../workers/jobs.js';
import { errorMessage, invoke, onEvent, onReconnect } from './bridge.js';

/** Whether a job is of the given kind, which types its input and result. */
export function isKind<K extends JobKind>(job: Job, kind: K): job is Job & JobOf<K> {
  return job.kind === kind;
}

export const FINAL: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
export const isFinal = (job: Job): boolean => FINAL.includes(job.status);
export const isActive = (job: Job): boolean => job.status === 'queued' || job.status === 'running';

/** How far a job has come; an event or list answer older than what we hold never wins. */
function rank(job: Job): number {
  const phase = job.status === 'queued' ? 0 : job.status === 'running' ? 1 : 2;
  return phase * 2 + job.progress;
}

/** How many `detail` payloads are kept per job for live charts (one per epoch or step). */
const MAX_DETAILS = 2000;

export class JobsStore {
  /** Jobs by id. Replaced whole on change: cheap at this size, and simple to reason about. */
  #byId = $state.raw<Record<number, Job>>({});
  /** Every `detail` an engine pushed with its progress, oldest first, per job id. */
  #details = $state.raw<Record<number, unknown[]>>({});
  /** Why the last refresh or cancel failed, for the panel to show. */
  error = $state<string | null>(null);
  loaded = $state(false);
  /**
   * The latest change worth saying aloud (a job started, finished, failed, or passed a quarter of
   * its work), for one polite live region. Every percent would be noise for a screen reader.
   */
  announcement = $state('');

  /** Newest first. */
  readonly list = $derived(Object.values(this.#byId).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id));
  readonly active = $derived(this.list.filter(isActive));

  /** Promise resolvers of `whenDone`; not state, nothing renders from it. */
  #waiters: Record<number, ((job: Job) => void)[]> = {};
  #stop: (() => void) | null = null;

  /** Subscribes to push events and loads the list; returns the unsubscribe function. */
  start(): () => void {
    if (this.#stop) return this.#stop;
    const offEvents = onEvent((event) => this.#apply(event.job, event.detail));
    const offReconnect = onReconnect(() => void this.refresh());
    void this.refresh();
    this.#stop = () => {
      offEvents();
      offReconnect();
      this.#stop = null;
    };
    return this.#stop;
  }

  async refresh(): Promise<void> {
    try {
      const jobs = await invoke('jobs:list', { limit: 100 });
      for (const job of jobs) this.#apply(job, undefined, false);
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loaded = true;
    }
  }

  get(id: number): Job | undefined {
    return this.#byId[id];
  }

  /** Every `detail` pushed for a job so far (empty when none), for live charts. */
  details(id: number): readonly unknown[] {
    return this.#details[id] ?? [];
  }

  /** Adds a job a channel just returned (e.g. `datasets:import`), so it shows before its first event. */
  track<J extends Job>(job: J): J {
    this.#apply(job);
    return job;
  }

  /** Resolves with the job once it reaches a final state, typed by its kind. */
  async whenDone<K extends JobKind>(which: { id: number; kind: K }): Promise<JobOf<K>> {
    const id = which.id;
    const held = this.#byId[id];
    const job = held && isFinal(held) ? held : await new Promise<Job>((resolve) => (this.#waiters[id] = [...(this.#waiters[id] ?? []), resolve]));
    if (!isKind(job, which.kind)) throw new Error(`Job ${id} is a ${job.kind} job, not ${which.kind}.`);
    return job;
  }

  async cancel(id: number): Promise<void> {
    try {
      this.#apply(await invoke('jobs:cancel', { id }));
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  #announce(before: Job | undefined, after: Job): void {
    const said = describeChange(before, after);
    if (said) this.announcement = said;
  }

  #apply(job: Job, detail?: unknown, isNews = true): void {
    const held = this.#byId[job.id];
    if (!held || rank(job) >= rank(held)) {
      if (held || isNews) this.#announce(held, job);
      this.#byId = { ...this.#byId, [job.id]: job };
    }
    if (detail !== undefined) {
      const kept = this.#details[job.id] ?? [];
      this.#details = { ...this.#details, [job.id]: [...kept.slice(-(MAX_DETAILS - 1)), detail] };
    }
    const now = this.#byId[job.id];
    if (now && isFinal(now)) {
      const waiters = this.#waiters[job.id];
      delete this.#waiters[job.id];
      waiters?.forEach((resolve) => resolve(now));
    }
  }
}

const SAID: Record<JobStatus, string> = {
  queued: 'queued',
  running: 'started',
  succeeded: 'finished',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

/** What changed between two states of a job, in words; null when nothing worth saying. */
export function describeChange(before: Job | undefined, after: Job): string | null {
  if (before?.status !== after.status) {
    return `${after.title}: ${SAID[after.status]}.${after.status === 'failed' && after.error ? ` ${after.error.message}` : ''}`;
  }
  if (after.status === 'running' && Math.floor(after.progress * 4) > Math.floor(before.progress * 4)) {
    return `${after.title}: ${Math.floor(after.progress * 4) * 25}%.`;
  }
  return null;
}

/** The app's one jobs store. */
export const jobs = new JobsStore();
