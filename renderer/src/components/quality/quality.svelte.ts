/** The quality panel's state: which dataset, the scoring options, the job, the report shown (STYLE.md §9). */
import type { Job, QualityReportRecord } from '../../../../main/contract/index.js';
import { errorMessage, invoke, isDesktop, saveFile } from '../../lib/bridge.js';
import { jobs } from '../../lib/jobs.svelte.js';

export class QualityStore {
  datasetId = $state<number | null>(null);
  target = $state('');
  positive = $state('');
  protectedColumns = $state<string[]>([]);
  prediction = $state('');
  threshold = $state('');
  record = $state.raw<QualityReportRecord | null>(null);
  /** The job scoring now, followed live through the jobs store. */
  jobId = $state<number | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  busy = $state(false);

  get job(): Job | undefined {
    return this.jobId === null ? undefined : jobs.get(this.jobId);
  }

  /** Shows a dataset's newest report (and its options in the form), or an empty form. */
  async open(datasetId: number): Promise<void> {
    this.datasetId = datasetId;
    this.error = null;
    this.notice = null;
    try {
      const { record } = await invoke('quality:latest', { datasetId });
      if (this.datasetId !== datasetId) return;
      this.record = record;
      const o = record?.options ?? {};
      this.target = o.target ?? '';
      this.positive = o.positive ?? '';
      this.protectedColumns = o.protected ?? [];
      this.prediction = o.prediction ?? '';
      this.threshold = o.threshold === undefined ? '' : String(o.threshold);
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  /** Scores the dataset with the form's options; a stored report of the same content and options is shown unless `force`. */
  async score(force = false): Promise<void> {
    if (this.datasetId === null) return;
    this.busy = true;
    this.error = null;
    this.notice = null;
    const threshold = this.threshold.trim() === '' ? undefined : Number(this.threshold);
    try {
      if (threshold !== undefined && !Number.isFinite(threshold)) throw new Error(`The threshold must be a number, not "${this.threshold}".`);
      const started = await invoke('quality:score', {
        datasetId: this.datasetId,
        ...(this.target ? { target: this.target } : {}),
        ...(this.target && this.positive ? { positive: this.positive } : {}),
        ...(this.protectedColumns.length ? { protected: this.protectedColumns } : {}),
        ...(this.prediction ? { prediction: this.prediction } : {}),
        ...(this.prediction && threshold !== undefined ? { threshold } : {}),
        force,
      });
      if (started.stored) {
        this.record = started.stored;
        this.notice = 'This file has not changed since it was scored with these options: showing that report. “Score again” recomputes it.';
        return;
      }
      if (!started.job) return;
      this.jobId = jobs.track(started.job).id;
      const done = await jobs.whenDone(started.job);
      if (done.status === 'succeeded' && done.result) {
        this.record = await invoke('quality:get', { id: done.result.reportId });
      } else if (done.status === 'failed') {
        this.error = done.error?.message ?? 'Scoring failed.';
      }
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.busy = false;
    }
  }

  /** The self-contained HTML report: saved through the native dialog on the desktop, downloaded in a browser. */
  async download(): Promise<void> {
    if (!this.record) return;
    try {
      const { html, fileName } = await invoke('quality:html', { id: this.record.id });
      if (isDesktop) {
        const path = await saveFile(fileName, html);
        if (path) this.notice = `Report saved to ${path}.`;
        return;
      }
      const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.notice = `Report downloaded as ${fileName}.`;
    } catch (error) {
      this.error = errorMessage(error);
    }
  }
}
