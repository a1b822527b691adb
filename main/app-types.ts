/**
 * The shape of the assembled backend, apart from its assembly (main/app.ts): every handler, CLI
 * command and server takes an `App`, and importing the type from here keeps them out of a circle
 * with the composition root that imports them all.
 */
import type { Store } from '../db/store.js';
import type { JobSupervisor } from './jobs/supervisor.js';

export interface AppOptions {
  dataDir: string;
  /** The built worker entry, dist/worker.js. */
  workerPath: string;
  mode: 'desktop' | 'serve' | 'cli';
  version: string;
  electronVersion?: string | null;
  /** better-sqlite3 built for Electron's ABI (desktop app only). */
  nativeBinding?: string;
  /** Where slow queries and other diagnostics go. */
  log?: (line: string) => void;
}

export interface App {
  readonly options: AppOptions;
  readonly store: Store;
  readonly jobs: JobSupervisor;
  close(): Promise<void>;
}
