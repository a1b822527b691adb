/** The Hardware page's state: the latest profile of this machine, its history, the fleet, and the profiling job (STYLE.md §9). */
import type { HardwareDiff, HardwareProfileRecord, HardwareProfileSummary, Job } from '../../../../main/contract/index.js';
import { errorMessage, invoke, onEvent } from '../../lib/bridge.js';
import { dateTime } from '../../lib/format.js';
import { jobs } from '../../lib/jobs.svelte.js';

export class HardwareStore {
  /** Every stored profile, newest first (this machine's and imported ones). */
  history = $state.raw<HardwareProfileSummary[]>([]);
  /** The newest profile of each machine, with its report. */
  fleet = $state.raw<HardwareProfileRecord[]>([]);
  /** The profile shown in detail (the newest local one unless another is picked). */
  current = $state.raw<HardwareProfileRecord | null>(null);
  /** What changed since the same machine's previous profile. */
  changes = $state.raw<HardwareDiff | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);
  jobId = $state<number | null>(null);
  importing = $state(false);

  #stop: (() => void) | null = null;

  get job(): Job | undefined {
    return this.jobId === null ? undefined : jobs.get(this.jobId);
  }

  /** Loads everything and reloads when a profiling job succeeds, wherever it was started. */
  start(): () => void {
    if (this.#stop) return this.#stop;
    const off = onEvent((event) => {
      if (event.job.kind === 'hardware.profile' && event.job.status === 'succeeded') void this.refresh();
    });
    void this.refresh();
    this.#stop = () => {
      off();
      this.#stop = null;
    };
    return this.#stop;
  }

  async refresh(pickId?: number): Promise<void> {
    try {
      const [history, fleet] = await Promise.all([invoke('hardware:list', {}), invoke('hardware:fleet', {})]);
      this.history = history;
      this.fleet = fleet;
      const id = pickId ?? history.find((entry) => entry.source === 'local')?.id ?? history[0]?.id;
      await this.show(id);
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loaded = true;
    }
  }

  /** Shows one profile and what changed since the previous profile of the same machine. */
  async show(id: number | undefined): Promise<void> {
    if (id === undefined) {
      this.current = null;
      this.changes = null;
      return;
    }
    try {
      const record = await invoke('hardware:get', { id });
      this.current = record;
      const previous = this.history.find((entry) => entry.machineId === record.machineId && entry.createdAt < record.createdAt);
      this.changes = previous ? await invoke('hardware:diff', { fromId: previous.id, toId: record.id }) : null;
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  /** Starts a profile (with the given benchmark) and follows it live. */
  async run(mode: 'none' | 'quick' | 'full'): Promise<void> {
    this.error = null;
    try {
      const job = jobs.track(await invoke('hardware:profile', { mode }));
      this.jobId = job.id;
      const done = await jobs.whenDone(job);
      if (done.status === 'failed') this.error = done.error?.message ?? 'The hardware profile failed.';
      if (done.status === 'succeeded') await this.refresh(done.result?.profileId);
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  async importProfile(input: { path: string } | { text: string; name: string }): Promise<void> {
    this.error = null;
    this.importing = true;
    try {
      const imported = await invoke('hardware:import', input);
      await this.refresh(this.current?.id);
      if (!imported.created) this.error = `${imported.profile.hostname}'s profile of ${dateTime(imported.profile.createdAt)} was already imported.`;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.importing = false;
    }
  }

  /** The self-contained HTML report of the given profiles (one, or a fleet). */
  async html(ids: number[]): Promise<string | null> {
    try {
      return (await invoke('hardware:html', { ids })).html;
    } catch (error) {
      this.error = errorMessage(error);
      return null;
    }
  }
}

export const hardware = new HardwareStore();
