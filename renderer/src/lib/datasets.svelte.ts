/** The registered datasets and what the Data page does with them (STYLE.md §9). */
import type { Dataset, DatasetCheck, Job, JobOf } from '../../../main/contract/index.js';
import { errorMessage, invoke, onEvent } from './bridge.js';
import { isKind, jobs, type JobsStore } from './jobs.svelte.js';

export class DatasetsStore {
  items = $state.raw<Dataset[]>([]);
  loaded = $state(false);
  /** The last failure, as the envelope's message; the page shows it until dismissed. */
  error = $state<string | null>(null);
  /** The latest "Check for changes" answer per dataset id. */
  checks = $state.raw<Record<number, DatasetCheck>>({});
  /** Datasets with a check or delete under way. */
  busy = $state.raw<Record<number, 'check' | 'delete'>>({});
  /** The import job this page started most recently, followed live through the jobs store. */
  importJobId = $state<number | null>(null);

  #stop: (() => void) | null = null;
  #jobs: JobsStore;

  constructor(jobsStore: JobsStore) {
    this.#jobs = jobsStore;
  }

  /** Loads the list and reloads it whenever an import job succeeds, wherever it was started. */
  start(): () => void {
    if (this.#stop) return this.#stop;
    const off = onEvent((event) => {
      if (event.job.kind === 'dataset.import' && event.job.status === 'succeeded') void this.refresh();
    });
    void this.refresh();
    this.#stop = () => {
      off();
      this.#stop = null;
    };
    return this.#stop;
  }

  /** That import job, live (undefined before the first import). */
  get importJob(): JobOf<'dataset.import'> | undefined {
    const job = this.importJobId === null ? undefined : this.#jobs.get(this.importJobId);
    return job && isKind(job, 'dataset.import') ? job : undefined;
  }

  async refresh(): Promise<void> {
    try {
      this.items = await invoke('datasets:list', {});
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loaded = true;
    }
  }

  /** Queues an import; a failed job's message becomes the page's error. Resolves with the final job. */
  async importPath(path: string): Promise<Job | null> {
    this.error = null;
    let job: Job;
    try {
      job = this.#jobs.track(await invoke('datasets:import', { path }));
    } catch (error) {
      this.error = errorMessage(error);
      return null;
    }
    this.importJobId = job.id;
    const done = await this.#jobs.whenDone(job);
    if (done.status === 'succeeded') await this.refresh();
    else if (done.status !== 'cancelled' && this.importJobId === job.id) this.error = done.error?.message ?? `The import ${done.status}.`;
    return done;
  }

  async check(id: number): Promise<void> {
    this.busy = { ...this.busy, [id]: 'check' };
    try {
      this.checks = { ...this.checks, [id]: await invoke('datasets:check', { id }) };
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      const { [id]: _done, ...rest } = this.busy;
      this.busy = rest;
    }
  }

  async remove(id: number): Promise<void> {
    this.busy = { ...this.busy, [id]: 'delete' };
    try {
      await invoke('datasets:delete', { id });
      this.items = this.items.filter((dataset) => dataset.id !== id);
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      const { [id]: _done, ...rest } = this.busy;
      this.busy = rest;
    }
  }
}

export const datasets = new DatasetsStore(jobs);
