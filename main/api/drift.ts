/** Handlers of drift checks: queue a check (a job whose result is stored in `drift_reports`), list the history, fetch one. */
import { basename, resolve } from 'node:path';
import { getDriftReport, insertDriftReport, listDriftReports, type DriftReportRecord } from '../../db/drift.js';
import type { Store } from '../../db/store.js';
import type { DriftReport } from '../../workers/drift/index.js';
import { notFound } from '../errors.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import type { HandlerMap } from './types.js';

/** The stored result of a `drift.check` job: the report and the id of its `drift_reports` row. */
export type DriftOutcome = DriftReport & { driftReportId: number };

export function defineDriftJobs(jobs: JobSupervisor, store: Store): void {
  jobs.define('drift.check', {
    resource: 'cpu',
    onResult(value, job): DriftOutcome {
      const report = value as DriftReport;
      const input = job.input as { currentPath: string; versionId?: number };
      const record = insertDriftReport(store.write, { versionId: input.versionId ?? null, currentPath: input.currentPath, report, jobId: job.id }, Date.now());
      return { ...record.report, driftReportId: record.id };
    },
  });
}

export const driftHandlers: HandlerMap<'drift:check' | 'drift:history' | 'drift:get'> = {
  'drift:check': (input, app) => {
    const referencePath = resolve(input.referencePath);
    const currentPath = resolve(input.currentPath);
    return app.jobs.submit({
      kind: 'drift.check',
      title: `Drift ${basename(currentPath)} vs ${basename(referencePath)}`,
      input: { referencePath, currentPath, ...(input.versionId ? { versionId: input.versionId } : {}), ...(input.options ? { options: input.options } : {}) },
    });
  },
  'drift:history': (input, app) => listDriftReports(app.store.read, { ...(input.versionId !== undefined ? { versionId: input.versionId } : {}), limit: input.limit }),
  'drift:get': (input, app): DriftReportRecord => {
    const record = getDriftReport(app.store.read, input.id);
    if (!record) throw notFound(`Drift report ${input.id}`, 'List the drift history to see report ids.');
    return record;
  },
};
