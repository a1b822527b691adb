/** The drift panel's state: stored checks (of one version, or file-to-file), the open report, a running check. */
import type { DriftHistoryEntry, DriftReportRecord } from '../../../../main/contract/index.js';
import { errorMessage, exportFile, invoke } from '../../lib/bridge.js';
import { jobs } from '../../lib/jobs.svelte.js';

export class DriftState {
  history = $state.raw<DriftHistoryEntry[]>([]);
  open = $state.raw<DriftReportRecord | null>(null);
  error = $state<string | null>(null);
  loaded = $state(false);
  /** The job of the check started from this panel, while it runs. */
  runningJobId = $state<number | null>(null);
  referencePath = $state<string | null>(null);
  currentPath = $state<string | null>(null);
  /** The last export's outcome, shown beside the export buttons. */
  exported = $state.raw<{ ok: boolean; text: string } | null>(null);

  constructor(private readonly versionId: number | null) {}

  async refresh(): Promise<void> {
    try {
      this.history = await invoke('drift:history', { versionId: this.versionId, limit: 50 });
      this.loaded = true;
      const latest = this.history[0];
      if (this.open === null && latest) await this.show(latest.id);
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  async show(id: number): Promise<void> {
    try {
      this.open = await invoke('drift:get', { id });
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  /** The open report as a self-contained HTML page, or as JSON (the stored record, as `drift:get` returns it). */
  async exportOpen(format: 'html' | 'json'): Promise<void> {
    const record = this.open;
    if (!record) return;
    try {
      const saved =
        format === 'html'
          ? await (async () => {
              const { html, fileName } = await invoke('drift:html', { id: record.id });
              return exportFile(fileName, html);
            })()
          : await exportFile(`drift-${record.id}.json`, JSON.stringify(record, null, 2), 'application/json');
      if (saved) this.exported = { ok: true, text: 'savedTo' in saved ? `Saved to ${saved.savedTo}.` : `Downloaded ${saved.downloaded}.` };
    } catch (error) {
      this.exported = { ok: false, text: errorMessage(error) };
    }
  }

  /** A check can start: a new file, and a reference (the version's training data, or a chosen file). */
  get ready(): boolean {
    return this.currentPath !== null && (this.versionId !== null || this.referencePath !== null) && this.runningJobId === null;
  }

  /**
   * Starts a check of the chosen current file against the version (its cached training-data
   * profile and its model) or against the chosen reference file; opens its report when done.
   */
  async check(): Promise<void> {
    if (!this.ready || !this.currentPath) return;
    this.error = null;
    try {
      const job = jobs.track(
        await invoke('drift:check', {
          ...(this.referencePath ? { referencePath: this.referencePath } : {}),
          currentPath: this.currentPath,
          ...(this.versionId !== null ? { versionId: this.versionId } : {}),
        }),
      );
      this.runningJobId = job.id;
      const done = await jobs.whenDone(job);
      this.runningJobId = null;
      if (done.status !== 'succeeded') {
        this.error = done.error?.message ?? `The drift check ${done.status}.`;
        return;
      }
      const id = done.result?.driftReportId;
      await this.refresh();
      if (id !== undefined) await this.show(id);
    } catch (error) {
      this.runningJobId = null;
      this.error = errorMessage(error);
    }
  }
}
