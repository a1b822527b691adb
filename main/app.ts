/**
 * The workbench backend, assembled: data directory, store, job supervisor and the handlers of
 * every capability. The desktop app, serve mode and the CLI each create one of these; nothing
 * here imports electron.
 */
import { availableParallelism } from 'node:os';
import { getSetting } from '../db/settings.js';
import { openStore } from '../db/store.js';
import { defineDatasetJobs } from './api/datasets.js';
import { defineQualityJobs } from './api/quality.js';
import { defineHardwareJobs } from './api/hardware.js';
import { defineModelJobs } from './api/models.js';
import { definePilotsJobs, settlePilotRuns } from './api/pilots.js';
import { defineTextJobs } from './api/text.js';
import { defineDriftJobs } from './api/drift.js';
import { defineImageJobs } from './api/images.js';
import { defineAnomalyJobs } from './api/anomaly.js';
import { defineForecastJobs } from './api/forecast.js';
import { defineTryitJobs } from './api/tryit.js';
import { startDriftWatch } from './watch/drift-watch.js';
import type { App, AppOptions } from './app-types.js';
import { databasePath } from './paths.js';
import { JobSupervisor } from './jobs/supervisor.js';

export type { App, AppOptions } from './app-types.js';

/** Opens the store (migrating it), recovers jobs orphaned by a previous run, and defines every job kind. */
export function createApp(options: AppOptions): App {
  const store = openStore(databasePath(options.dataDir), { ...(options.log ? { log: options.log } : {}), ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) });
  const cpuSlots = getSetting<number>(store.read, 'jobs.cpuSlots') ?? Math.max(1, availableParallelism() - 1);
  const jobs = new JobSupervisor({ store, dataDir: options.dataDir, workerPath: options.workerPath, cpuSlots });
  defineDatasetJobs(jobs, store);
  defineQualityJobs(jobs, store);
  defineHardwareJobs(jobs, store);
  defineModelJobs(jobs, store);
  definePilotsJobs(jobs, store);
  defineDriftJobs(jobs, store);
  defineImageJobs(jobs, store);
  defineTextJobs(jobs, store);
  defineAnomalyJobs(jobs, store);
  defineForecastJobs(jobs, store);
  defineTryitJobs(jobs);
  jobs.define('test.sleep', { resource: (input) => (input.gpu ? 'gpu' : 'cpu') }).define('test.crash', { resource: 'cpu' });
  jobs.recover();
  settlePilotRuns(store);
  // The drift watch folder (setting drift.watch) runs in the long-lived surfaces, not per CLI command.
  const driftWatch = options.mode === 'cli' ? null : startDriftWatch({ store, jobs, options });
  return {
    options,
    store,
    jobs,
    async close() {
      driftWatch?.close();
      await jobs.shutdown();
      store.close();
    },
  };
}
