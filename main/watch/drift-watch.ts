/**
 * The drift watch folder: each new CSV dropped in the folder of the `drift.watch` setting is
 * checked against the version it names (a drift job, stored like any other check), and a
 * `{ type: 'drift' }` event goes out on `driftWatchEvents`; the desktop shell turns it into a
 * notification, serve mode can forward it on its event stream.
 *
 * A file is taken once it stops growing: copies into the folder arrive in pieces, and fs.watch
 * reports every piece. Files present when watching starts are left alone.
 */
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { getSetting } from '../../db/settings.js';
import { submitVersionCheck, type Backend, type DriftOutcome } from '../api/drift.js';
import { driftWatchSettingSchema, type DriftWatchEvent } from '../contract/drift.js';

/** Process-wide: the surfaces (desktop shell, serve mode) subscribe without reaching into the App. */
export const driftWatchEvents = new EventEmitter<{ drift: [DriftWatchEvent] }>();

export interface DriftWatchTiming {
  /** Quiet time after the last fs event of a file before looking at it. */
  debounceMs: number;
  /** Time between the two size checks that must agree. */
  stableMs: number;
}

const DEFAULT_TIMING: DriftWatchTiming = { debounceMs: 400, stableMs: 300 };
const CSV = /\.(csv|tsv|txt)$/i;

export interface DriftWatch {
  readonly folder: string;
  readonly version: string;
  /** Resolves when every file seen so far has been checked (tests). */
  idle(): Promise<void>;
  close(): void;
}

/**
 * Starts watching when the `drift.watch` setting is on and its folder exists; returns null
 * otherwise (a missing folder is logged, not fatal: the app still opens).
 */
export function startDriftWatch(app: Backend, timing: Partial<DriftWatchTiming> = {}): DriftWatch | null {
  const parsed = driftWatchSettingSchema.safeParse(getSetting(app.store.read, 'drift.watch'));
  if (!parsed.success || parsed.data === null) return null;
  const folder = resolve(parsed.data.folder);
  const version = parsed.data.version;
  const { debounceMs, stableMs } = { ...DEFAULT_TIMING, ...timing };
  const log = app.options.log ?? (() => undefined);

  const timers = new Map<string, NodeJS.Timeout>();
  /** name → "size:mtime" of what was checked (or was there at start): a rewrite with new content is checked again. */
  const seen = new Map<string, string>();
  const pending = new Set<Promise<void>>();
  let closed = false;
  let watcher: FSWatcher;
  try {
    watcher = watch(folder, { persistent: false });
  } catch (error) {
    log(`drift watch: cannot watch ${folder} (${(error as Error).message}); check the drift.watch setting.`);
    return null;
  }
  const ready = readdir(folder)
    .then(async (names) => {
      for (const name of names) {
        const info = await stat(join(folder, name)).catch(() => null);
        if (info?.isFile()) seen.set(name, `${info.size}:${info.mtimeMs}`);
      }
    })
    .catch(() => undefined);

  const schedule = (name: string) => {
    clearTimeout(timers.get(name));
    timers.set(
      name,
      setTimeout(() => {
        timers.delete(name);
        track(take(name));
      }, debounceMs),
    );
  };
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  async function take(name: string): Promise<void> {
    await ready;
    const path = join(folder, name);
    const first = await stat(path).catch(() => null);
    if (closed || !first?.isFile()) return;
    await new Promise((done) => setTimeout(done, stableMs));
    const second = await stat(path).catch(() => null);
    if (closed || !second) return;
    if (second.size !== first.size || second.mtimeMs !== first.mtimeMs || second.size === 0) return schedule(name);
    const key = `${second.size}:${second.mtimeMs}`;
    if (seen.get(name) === key) return;
    seen.set(name, key);
    await check(path);
  }

  async function check(file: string): Promise<void> {
    const base = { type: 'drift' as const, file, version };
    try {
      const job = await submitVersionCheck(app, version, file, {}, 'watch');
      const done = await app.jobs.wait(job.id);
      const outcome = done.result as DriftOutcome | null;
      if (done.status !== 'succeeded' || !outcome) {
        const message = done.error?.message ?? `The drift check ${done.status}.`;
        return emit({ ...base, driftReportId: null, versionId: (job.input as { versionId?: number }).versionId ?? null, datasetDrift: false, recommendation: null, message });
      }
      emit({
        ...base,
        driftReportId: outcome.driftReportId,
        versionId: (job.input as { versionId?: number }).versionId ?? null,
        datasetDrift: outcome.datasetDrift,
        recommendation: outcome.recommendation,
        message: outcome.summary,
      });
    } catch (error) {
      emit({ ...base, driftReportId: null, versionId: null, datasetDrift: false, recommendation: null, message: (error as Error).message });
    }
  }

  function emit(event: DriftWatchEvent): void {
    if (closed) return;
    log(`drift watch: ${event.file}: ${event.message}`);
    driftWatchEvents.emit('drift', event);
  }

  watcher.on('change', (_type, filename) => {
    const name = filename?.toString();
    if (!closed && name && CSV.test(name) && !name.startsWith('.')) schedule(name);
  });
  watcher.on('error', (error) => log(`drift watch: ${folder}: ${error.message}`));

  return {
    folder,
    version,
    async idle() {
      await ready;
      while (timers.size > 0 || pending.size > 0) await new Promise((done) => setTimeout(done, 50));
    },
    close() {
      closed = true;
      watcher.close();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
