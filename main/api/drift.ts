/** Handlers of drift checks. The report is the job's stored result (no table of its own yet). */
import { basename, resolve } from 'node:path';
import type { JobSupervisor } from '../jobs/supervisor.js';
import type { HandlerMap } from './types.js';

export function defineDriftJobs(jobs: JobSupervisor): void {
  jobs.define('drift.check', { resource: 'cpu' });
}

export const driftHandlers: HandlerMap<'drift:check'> = {
  'drift:check': (input, app) => {
    const referencePath = resolve(input.referencePath);
    const currentPath = resolve(input.currentPath);
    return app.jobs.submit({
      kind: 'drift.check',
      title: `Drift ${basename(currentPath)} vs ${basename(referencePath)}`,
      input: { referencePath, currentPath, ...(input.options ? { options: input.options } : {}) },
    });
  },
};
