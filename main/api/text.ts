/**
 * Handlers of text pilots. Training is the `train.text` job: the handler records a `runs` row of
 * kind `text` and submits the job; its result registers the model version through the path every
 * pilot kind shares (`registerResult` in pilots.ts), and its epochs are logged as they stream in.
 */
import type { textChannels } from '../contract/text.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getDataset } from '../../db/datasets.js';
import { getProject, setProjectKind } from '../../db/projects.js';
import { attachJob, finishRun, getRun, getRunByJob, insertRun, logMetrics, setRunParams, type MetricPoint } from '../../db/runs.js';
import type { Store, WritableDB } from '../../db/store.js';
import type { TextEpochRecord } from '../../workers/text/fit.js';
import type { App } from '../app-types.js';
import { encryptArtifacts } from './at-rest.js';
import type { TextTrainStarted } from '../contract/text.js';
import type { ChannelParsed } from '../contract/index.js';
import { AppError, notFound } from '../errors.js';
import type { JobEvent, JobSupervisor } from '../jobs/supervisor.js';
import { registerResult } from './pilots.js';
import type { HandlersOf } from './types.js';

export function defineTextJobs(jobs: JobSupervisor, store: Store): void {
  // `gpu`: one training at a time, like tabular runs (both use the whole machine).
  jobs.define('train.text', { resource: 'gpu', onResult: (value, job) => registerResult(store.write, value, job) });
  jobs.on('job', (event) => {
    try {
      followTextTraining(store.write, event);
    } catch {
      // Bookkeeping must not break the supervisor's event stream.
    }
  });
}

function epochPoints(record: TextEpochRecord, now: number): MetricPoint[] {
  return Object.entries(record)
    .filter(([key, value]) => key !== 'epoch' && typeof value === 'number')
    .map(([key, value]) => ({ key, step: record.epoch, timestamp: now, value: value as number }));
}

function followTextTraining(db: WritableDB, { job, detail }: JobEvent): void {
  if (job.kind !== 'train.text') return;
  const run = getRunByJob(db, job.id);
  if (!run || run.status !== 'running') return;
  const record = detail as Partial<TextEpochRecord> | null;
  if (typeof record?.epoch === 'number' && typeof record.loss === 'number') logMetrics(db, run.id, epochPoints(record as TextEpochRecord, Date.now()));
  if (job.status === 'failed' || job.status === 'cancelled' || job.status === 'interrupted') finishRun(db, run.id, { status: job.status, finishedAt: job.finishedAt ?? Date.now() });
}

function startTextTraining(app: App, input: ChannelParsed<'text:train'>): TextTrainStarted {
  const project = getProject(app.store.read, input.projectId);
  if (!project) throw notFound(`Project ${input.projectId}`, 'List projects to see their ids.');
  if (project.archivedAt !== null) throw new AppError('conflict', `Project ${project.name} is archived. Create a new project to train again.`);
  const { projectId: _project, datasetId, ...settings } = input;
  const path = resolve(settings.path);
  if (!existsSync(path)) throw new AppError('invalid-input', `${path} was not found. Check the path of the CSV file or the folder of documents.`);
  const runKey = `text-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const checkpointDir = join(app.options.dataDir, 'runs', runKey);
  // A CSV's content hash is known from its import; a folder's is computed by the engine (the version records it).
  const dataset = datasetId === null ? null : getDataset(app.store.read, datasetId);
  if (datasetId !== null && !dataset) throw notFound(`Dataset ${datasetId}`, 'List datasets to see their ids.');
  const run = insertRun(app.store.write, { projectId: project.id, kind: 'text', datasetId, datasetSha256: dataset?.sha256 ?? '', checkpointDir, startedAt: Date.now() });
  // A project created from the CLI before its first run is tabular by default: training on documents makes it a text project.
  if (project.kind !== 'text') setProjectKind(app.store.write, project.id, 'text', Date.now());
  // What a resume needs (main/api/resume.ts): the resolved path, and whether weights are encrypted at rest.
  const encrypt = encryptArtifacts(app);
  setRunParams(app.store.write, run.id, { ...settings, path, kind: 'text', runKey, encryptArtifacts: encrypt });
  try {
    const job = app.jobs.submit({ kind: 'train.text', title: `Train ${project.name} (text)`, input: { ...settings, path, runId: runKey, encryptArtifacts: encrypt } });
    attachJob(app.store.write, run.id, job.id, checkpointDir);
    return { job, run: getRun(app.store.read, run.id) ?? run };
  } catch (error) {
    finishRun(app.store.write, run.id, { status: 'failed', finishedAt: Date.now() });
    throw error;
  }
}

export const textHandlers: HandlersOf<typeof textChannels> = {
  'text:train': (input, app) => startTextTraining(app, input),
};
