/**
 * Image pilots' job kinds and their start: training (`train.image`, one at a time like every
 * training, registered as a model version the way tabular runs are), the dataset scan and
 * prediction. A picture folder is not an imported CSV, so the project and run carry no dataset id;
 * the run records the folder's SHA-256 (over its file list and contents) instead.
 */
import { insertProject, getProjectByName } from '../../db/projects.js';
import { attachJob, insertRun } from '../../db/runs.js';
import type { Store } from '../../db/store.js';
import type { ImageInputRaw } from '../../workers/image/schema.js';
import type { App } from '../app-types.js';
import type { JobOf } from '../contract/jobs.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import { registerResult } from './pilots.js';
import { join } from 'node:path';

export function defineImageJobs(jobs: JobSupervisor, store: Store): void {
  jobs.define('train.image', {
    resource: 'gpu',
    onResult: (value, job) => {
      // The version's kind comes from the result (kind: 'image'); the run and project were created as image ones.
      return registerResult(store.write, value, job);
    },
  });
  jobs.define('image.scan', { resource: 'cpu' });
  jobs.define('predict.image', { resource: 'cpu' });
}

/** Creates (or reuses) the image project, records a run and submits its training job. */
export function startImageTraining(app: App, project: string, input: ImageInputRaw): JobOf<'train.image'> {
  const now = Date.now();
  const db = app.store.write;
  let existing = getProjectByName(app.store.read, project);
  if (!existing) {
    existing = insertProject(db, { name: project, kind: 'image' }, now);
  }
  const run = insertRun(db, { projectId: existing.id, kind: 'image', datasetId: null, datasetSha256: '', startedAt: now });
  const runKey = `run-${run.id}`;
  const job = app.jobs.submit({ kind: 'train.image', title: `Train image pilot ${project}`, input: { ...input, runId: runKey } });
  attachJob(db, run.id, job.id, join(app.options.dataDir, 'runs', runKey));
  return job;
}
