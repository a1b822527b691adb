/**
 * Image pilots' job kinds and their start: training (`train.image`, one at a time like every
 * training, registered as a model version the way tabular runs are), the dataset scan and
 * prediction. A picture folder is not an imported CSV, so the project and run carry no dataset id;
 * the run records the folder's SHA-256 (over its file list and contents) instead.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getProject, getProjectByName, insertProject, setProjectKind } from '../../db/projects.js';
import { attachJob, finishRun, getRun, getRunByJob, getRunParams, insertRun, logMetrics, setRunParams } from '../../db/runs.js';
import type { Store, WritableDB } from '../../db/store.js';
import type { ImageInputRaw } from '../../workers/image/schema.js';
import type { App } from '../app-types.js';
import { encryptArtifacts } from './at-rest.js';
import type { imageChannels, ImageTrainStarted } from '../contract/images.js';
import type { ChannelParsed } from '../contract/index.js';
import type { JobOf } from '../contract/jobs.js';
import { AppError, notFound } from '../errors.js';
import type { JobEvent, JobSupervisor } from '../jobs/supervisor.js';
import { registerResult } from './pilots.js';
import { resumeRun } from './resume.js';
import type { HandlersOf } from './types.js';

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
  // The wizard's plan of a run (sizes, backbone check, a few timed steps) before it trains.
  jobs.define('image.plan', { resource: 'cpu' });
  jobs.on('job', (event) => {
    try {
      followImageTraining(store.write, event);
    } catch {
      // Bookkeeping must not break the supervisor's event stream.
    }
  });
}

/** Logs each epoch as it streams in (the Results step's charts read them back) and closes the run when the job ends without a result. */
function followImageTraining(db: WritableDB, { job, detail }: JobEvent): void {
  if (job.kind !== 'train.image') return;
  const run = getRunByJob(db, job.id);
  if (!run || run.status !== 'running') return;
  const record = detail && typeof detail === 'object' ? (detail as Record<string, unknown>) : null;
  if (record && typeof record.epoch === 'number') {
    const step = record.epoch;
    const now = Date.now();
    logMetrics(db, run.id, Object.entries(record).flatMap(([key, value]) => (key !== 'epoch' && typeof value === 'number' ? [{ key, step, timestamp: now, value }] : [])));
  }
  if (job.status === 'failed' || job.status === 'cancelled' || job.status === 'interrupted') finishRun(db, run.id, { status: job.status, finishedAt: job.finishedAt ?? Date.now() });
}

function existingSource(path: string): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new AppError('invalid-input', `${full} was not found. Give the path of a folder with one subfolder of pictures per class, on the machine running the workbench.`);
  return full;
}

/** Records a run of the wizard's image project and submits its training job. */
function startProjectImageTraining(app: App, input: ChannelParsed<'image:train'>): ImageTrainStarted {
  const project = getProject(app.store.read, input.projectId);
  if (!project) throw notFound(`Project ${input.projectId}`, 'List projects to see their ids.');
  if (project.archivedAt !== null) throw new AppError('conflict', `Project ${project.name} is archived. Create a new project to train again.`);
  const { projectId: _project, ...settings } = input;
  const source = existingSource(settings.source);
  const now = Date.now();
  const run = insertRun(app.store.write, { projectId: project.id, kind: 'image', datasetId: null, datasetSha256: '', startedAt: now });
  if (project.kind !== 'image') setProjectKind(app.store.write, project.id, 'image', now);
  const runKey = `run-${run.id}`;
  // Encryption at rest is decided when the run starts, and kept for a resume (main/api/resume.ts).
  const encrypt = encryptArtifacts(app);
  setRunParams(app.store.write, run.id, { ...settings, source, kind: 'image', runKey, encryptArtifacts: encrypt });
  try {
    const job = app.jobs.submit({ kind: 'train.image', title: `Train ${project.name} (pictures)`, input: { ...settings, source, runId: runKey, encryptArtifacts: encrypt } });
    attachJob(app.store.write, run.id, job.id, join(app.options.dataDir, 'runs', runKey));
    return { job, run: getRun(app.store.read, run.id) ?? run };
  } catch (error) {
    finishRun(app.store.write, run.id, { status: 'failed', finishedAt: Date.now() });
    throw error;
  }
}

/**
 * Continues an image run that stopped (worker killed, app closed, failed, cancelled) from its last
 * checkpoint through the one resume path of every kind (main/api/resume.ts): the stored settings
 * checked again, encryption kept. The trainer itself refuses a checkpoint whose data or settings
 * changed (its fingerprint).
 */
async function resumeImageTraining(app: App, runId: number): Promise<ImageTrainStarted> {
  const stopped = getRun(app.store.read, runId);
  if (stopped && stopped.kind !== 'image') throw new AppError('invalid-input', `Run ${runId} is a ${stopped.kind} run; resume it from its own wizard (pilots:resume).`);
  const params = getRunParams(app.store.read, runId);
  if (typeof params.source === 'string') existingSource(params.source);
  const { job, run } = await resumeRun(app, runId);
  if (job.kind !== 'train.image') throw new AppError('conflict', `Run ${runId} resumed as a ${job.kind} job, not an image one.`);
  return { job, run };
}

export const imageHandlers: HandlersOf<typeof imageChannels> = {
  'image:scan': ({ source, ...options }, app) => app.jobs.submit({ kind: 'image.scan', title: `Scan pictures in ${source}`, input: { ...options, source: existingSource(source) } }),
  'image:train': (input, app) => startProjectImageTraining(app, input),
  'image:resume': ({ runId }, app) => resumeImageTraining(app, runId),
  'image:plan': ({ source, backbone, ...options }, app) =>
    app.jobs.submit({ kind: 'image.plan', title: backbone ? `Check the backbone ${backbone}` : `Plan training on ${source}`, input: { ...options, source: existingSource(source), ...(backbone ? { backbone: resolve(backbone) } : {}) } }),
};

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
  const encrypt = encryptArtifacts(app);
  // What a resume needs (main/api/resume.ts): the settings, the folder key, whether weights are encrypted.
  setRunParams(db, run.id, { ...input, kind: 'image', runKey, encryptArtifacts: encrypt });
  const job = app.jobs.submit({ kind: 'train.image', title: `Train image pilot ${project}`, input: { ...input, runId: runKey, encryptArtifacts: encrypt } });
  attachJob(db, run.id, job.id, join(app.options.dataDir, 'runs', runKey));
  return job;
}
