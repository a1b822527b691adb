/**
 * Running one try of a text or image version from a panel: start the job, follow it (the panel
 * shows its card while it runs), and hand back its result with the download of the results CSV;
 * a failure becomes the message to show.
 */
import { downloadFile, errorMessage } from '../../lib/bridge.js';
import { jobs } from '../../lib/jobs.svelte.js';

/** What a finished try job holds: its result, or why not, and the download of its CSV (in its input). */
interface Finished<R> {
  status: string;
  result: R | null;
  error: { message: string } | null;
  input: { downloadId: string; downloadName: string };
}

export class TryRun {
  jobId = $state<number | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  download = $state<{ id: string; name: string } | null>(null);
  job = $derived(this.jobId === null ? undefined : jobs.get(this.jobId));
  running = $derived(this.job !== undefined && (this.job.status === 'queued' || this.job.status === 'running'));

  /**
   * Runs one try: `follow` submits the job, says its id (the card follows it), and waits for it
   * (`jobs.whenDone`, typed by its kind). Resolves the result, or null with the error set.
   */
  async run<R>(follow: (started: (id: number) => void) => Promise<Finished<R>>): Promise<R | null> {
    this.error = null;
    this.notice = null;
    try {
      const done = await follow((id) => (this.jobId = id));
      if (done.status !== 'succeeded' || !done.result) {
        this.error = done.error?.message ?? `Scoring ${done.status}.`;
        return null;
      }
      this.download = { id: done.input.downloadId, name: done.input.downloadName };
      return done.result;
    } catch (e) {
      this.error = errorMessage(e);
      return null;
    }
  }

  async save(): Promise<void> {
    if (!this.download) return;
    try {
      const saved = await downloadFile(this.download.id, this.download.name);
      if (saved) this.notice = 'savedTo' in saved ? `Saved to ${saved.savedTo}.` : `Downloaded ${saved.downloaded}.`;
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  cancel(): void {
    if (this.jobId !== null) void jobs.cancel(this.jobId);
  }
}

/** A probability in words: one decimal near 0 and 1, else whole per cent. */
export const percent = (p: number): string => `${(p * 100).toFixed(p >= 0.995 || p < 0.005 ? 1 : 0)} %`;
