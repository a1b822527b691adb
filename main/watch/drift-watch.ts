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
import { submitVersionCheck, type Backend } from '../api/drift.js';
import { driftWatchSettingSchema, type DriftWatchEvent } from '../contract/drift.js';

/** Process-wide: the surfaces (desktop shell, serve mode) subscribe without reaching into the App. */
export const driftWatchEvents = new EventEmitter<{ drift: [DriftWatchEvent] }>();

export interface DriftWatchTiming {
  /** Quiet time after the last fs event of a file before looking at it. */
  debounceMs: number;
  /** Time between the two size checks that must agree. */
  stableMs: number;
  /** How often the `drift.watch` setting is read again (a change takes effect without a restart). */
  pollMs: number;
}

const DEFAULT_TIMING: DriftWatchTiming = { debounceMs: 400, stableMs: 300, pollMs: 2000 };
const CSV = /\.(csv|tsv|txt)$/i;

/** The watch as the setting has it now. */
export interface DriftWatch {
  /** The folder watched now, or null when the setting is off (or its folder cannot be watched). */
  readonly folder: string | null;
  close(): void;
}

interface FolderWatch {
  readonly folder: string;
  close(): void;
}

/**
 * Follows the `drift.watch` setting: watches its folder while it is on, and switches (or stops)
 * within `pollMs` of a change. A folder that cannot be watched is logged, not fatal.
 */
export function startDriftWatch(app: Backend, timing: Partial<DriftWatchTiming> = {}): DriftWatch {
  const options = { ...DEFAULT_TIMING, ...timing };
  const log = app.options.log ?? (() => undefined);
  let current: FolderWatch | null = null;
  let applied = '';
  let closed = false;
  const apply = () => {
    if (closed) return;
    let raw: unknown;
    try {
      raw = getSetting(app.store.read, 'drift.watch');
    } catch {
      return; // the store is closing
    }
    const key = JSON.stringify(raw ?? null);
    if (key === applied) return;
    applied = key;
    current?.close();
    current = null;
    const parsed = driftWatchSettingSchema.safeParse(raw ?? null);
    if (!parsed.success) log('drift watch: the drift.watch setting is not { folder, version }; not watching.');
    else if (parsed.data) current = watchFolder(app, resolve(parsed.data.folder), parsed.data.version, options, log);
  };
  apply();
  const timer = setInterval(apply, options.pollMs);
  timer.unref();
  return {
    get folder() {
      return current?.folder ?? null;
    },
    close() {
      closed = true;
      clearInterval(timer);
      current?.close();
      current = null;
    },
  };
}

function watchFolder(app: Backend, folder: string, version: string, timing: DriftWatchTiming, log: (line: string) => void): FolderWatch | null {
  const { debounceMs, stableMs } = timing;

  const timers = new Map<string, NodeJS.Timeout>();
  /** name → "size:mtime" of what was checked (or was there at start): a rewrite with new content is checked again. */
  const seen = new Map<string, string>();
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
  const track = (work: Promise<void>) => void work.catch((error: Error) => log(`drift watch: ${error.message}`));

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
      const done = await app.jobs.wait(job);
      const outcome = done.result;
      if (done.status !== 'succeeded' || !outcome) {
        const message = done.error?.message ?? `The drift check ${done.status}.`;
        return emit({ ...base, driftReportId: null, versionId: job.input.versionId ?? null, datasetDrift: false, recommendation: null, message });
      }
      emit({
        ...base,
        driftReportId: outcome.driftReportId,
        versionId: job.input.versionId ?? null,
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
    close() {
      closed = true;
      watcher.close();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
