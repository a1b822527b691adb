/**
 * Handlers of forecasting pilots. `forecast:preview` reads the dataset as series in a worker (a
 * `forecast.preview` job, so a large file never blocks the main process) and answers once it is
 * done. `forecast:train` records a `runs` row of kind `forecast` and submits `train.forecast`;
 * its result registers the model version through the path every pilot kind shares
 * (`registerResult`), and its epochs are logged as they stream in.
 */
import type { forecastChannels } from '../contract/forecast.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Dataset } from '../../db/datasets.js';
import { listModelVersions } from '../../db/models.js';
import { getProject, setProjectKind } from '../../db/projects.js';
import { attachJob, finishRun, getRun, getRunByJob, insertRun, logMetrics, setRunParams, type MetricPoint } from '../../db/runs.js';
import type { Store, WritableDB } from '../../db/store.js';
import type { EpochRecord } from '../../workers/trainer/fit.js';
import type { App } from '../app-types.js';
import { encryptArtifacts } from './at-rest.js';
import type { ForecastPreviewOutcome, ForecastTrainStarted } from '../contract/forecast.js';
import type { ChannelParsed } from '../contract/index.js';
import { AppError, notFound } from '../errors.js';
import type { JobEvent, JobSupervisor } from '../jobs/supervisor.js';
import { checkDataset, requireDataset } from './datasets.js';
import { registerResult } from './pilots.js';
import type { HandlersOf } from './types.js';

export function defineForecastJobs(jobs: JobSupervisor, store: Store): void {
  // `gpu`: one training at a time, as for every pilot (each uses the whole machine).
  jobs.define('train.forecast', { resource: 'gpu', onResult: (value, job) => registerResult(store.write, value, job) });
  jobs.define('forecast.preview', { resource: 'cpu' });
  jobs.on('job', (event) => {
    try {
      followForecastTraining(store.write, event);
    } catch {
      // Bookkeeping must not break the supervisor's event stream.
    }
  });
}

function epochPoints(record: EpochRecord, now: number): MetricPoint[] {
  return Object.entries(record).flatMap(([key, value]) =>
    key !== 'epoch' && typeof value === 'number' ? [{ key, step: record.epoch, timestamp: now, value }] : [],
  );
}

function isEpoch(detail: unknown): detail is EpochRecord {
  return typeof detail === 'object' && detail !== null && typeof (detail as EpochRecord).epoch === 'number' && typeof (detail as EpochRecord).loss === 'number';
}

function followForecastTraining(db: WritableDB, { job, detail }: JobEvent): void {
  if (job.kind !== 'train.forecast') return;
  const run = getRunByJob(db, job.id);
  if (!run || run.status !== 'running') return;
  if (isEpoch(detail)) logMetrics(db, run.id, epochPoints(detail, Date.now()));
  if (job.status === 'failed' || job.status === 'cancelled' || job.status === 'interrupted')
    finishRun(db, run.id, { status: job.status, finishedAt: job.finishedAt ?? Date.now() });
}

/** The dataset, its file present, and its columns holding the ones named (checked before anything is recorded). */
async function usableDataset(
  app: App,
  datasetId: number,
  columns: (string | undefined)[],
  allowChanged: boolean,
): Promise<{ dataset: Dataset; sha256: string; warning: string | null }> {
  const check = await checkDataset(requireDataset(app, datasetId));
  if (check.status === 'missing') throw new AppError('invalid-input', check.message ?? 'The dataset file is missing.');
  if (check.status === 'changed' && !allowChanged) throw new AppError('conflict', `${check.message} Or train on its current content anyway.`);
  const { dataset } = check;
  // `dteday+hr`: a date column and an hour column joined.
  for (const column of columns.flatMap((c) => (c === undefined ? [] : c.split('+').map((part) => part.trim())))) {
    if (!dataset.columns.includes(column))
      throw new AppError('invalid-input', `Column "${column}" is not in ${dataset.name}. Its columns are: ${dataset.columns.join(', ')}.`);
  }
  return { dataset, sha256: check.currentSha256 ?? dataset.sha256, warning: check.status === 'changed' ? check.message : null };
}

async function preview(app: App, { datasetId, ...settings }: ChannelParsed<'forecast:preview'>): Promise<ForecastPreviewOutcome> {
  const { dataset } = await usableDataset(app, datasetId, [settings.time, settings.target, settings.id, settings.holiday], true);
  const job = app.jobs.submit({ kind: 'forecast.preview', title: `Read ${dataset.name} as time series`, input: { ...settings, file: dataset.path, numberFormats: dataset.numberFormats } });
  const done = await app.jobs.wait(job);
  if (done.status === 'succeeded' && done.result) return { ...done.result, datasetId };
  const message = done.error?.message ?? `Reading ${dataset.name} as time series ended with status ${done.status}.`;
  throw new AppError(done.error?.kind === 'input' ? 'invalid-input' : 'failed', message);
}

async function startForecastTraining(app: App, input: ChannelParsed<'forecast:train'>): Promise<ForecastTrainStarted> {
  const project = getProject(app.store.read, input.projectId);
  if (!project) throw notFound(`Project ${input.projectId}`, 'List projects to see their ids.');
  if (project.archivedAt !== null) throw new AppError('conflict', `Project ${project.name} is archived. Create a new project to train again.`);
  // A project's versions are of one kind (the registry compares them); an empty project takes the kind of its first run.
  if (project.kind !== 'forecast' && listModelVersions(app.store.read, project.id).length > 0) {
    throw new AppError('conflict', `Project ${project.name} holds ${project.kind} model versions. Create a new project for the forecast.`);
  }
  const { projectId: _project, datasetId, allowChanged, ...settings } = input;
  const { dataset, sha256, warning } = await usableDataset(app, datasetId, [settings.time, settings.target, settings.id, settings.holiday], allowChanged);
  const now = Date.now();
  const runKey = `forecast-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
  const checkpointDir = join(app.options.dataDir, 'runs', runKey);
  const run = insertRun(app.store.write, { projectId: project.id, kind: 'forecast', datasetId, datasetSha256: sha256, checkpointDir, startedAt: now });
  // A project created from the CLI before its first run is tabular by default: a forecast makes it a forecast project.
  if (project.kind !== 'forecast') setProjectKind(app.store.write, project.id, 'forecast', now);
  // What a resume needs (main/api/resume.ts), whether weights are encrypted at rest included.
  const encrypt = encryptArtifacts(app);
  setRunParams(app.store.write, run.id, { ...settings, kind: 'forecast', runKey, file: dataset.path, numberFormats: dataset.numberFormats, encryptArtifacts: encrypt });
  try {
    const job = app.jobs.submit({
      kind: 'train.forecast',
      title: `Forecast ${settings.target} (${project.name})`,
      input: { ...settings, file: dataset.path, runId: runKey, numberFormats: dataset.numberFormats, encryptArtifacts: encrypt },
    });
    attachJob(app.store.write, run.id, job.id, checkpointDir);
    return { job, run: getRun(app.store.read, run.id) ?? run, warning };
  } catch (error) {
    finishRun(app.store.write, run.id, { status: 'failed', finishedAt: Date.now() });
    throw error;
  }
}

export const forecastHandlers: HandlersOf<typeof forecastChannels> = {
  'forecast:preview': (input, app) => preview(app, input),
  'forecast:train': (input, app) => startForecastTraining(app, input),
};
