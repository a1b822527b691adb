/**
 * The shape of the assembled backend, apart from its assembly (main/app.ts): every handler, CLI
 * command and server takes an `App`, and importing the type from here keeps them out of a circle
 * with the composition root that imports them all.
 */
import type { Store } from '../db/store.js';
import type { JobSupervisor } from './jobs/supervisor.js';
import type { DesktopKeyInfo } from './keychain.js';

export interface AppOptions {
  dataDir: string;
  /** The built worker entry, dist/worker.js. */
  workerPath: string;
  mode: 'desktop' | 'serve' | 'cli';
  version: string;
  electronVersion?: string | null;
  /** better-sqlite3 built for Electron's ABI (desktop app only). */
  nativeBinding?: string;
  /** The desktop's account of where its model key is (main/keychain.ts); elsewhere the key file is looked at. */
  describeKey?: () => Promise<DesktopKeyInfo>;
  /** Where slow queries and other diagnostics go. */
  log?: (line: string) => void;
}

export interface App {
  readonly options: AppOptions;
  readonly store: Store;
  readonly jobs: JobSupervisor;
  close(): Promise<void>;
}
