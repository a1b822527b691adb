/**
 * Handlers of text pilots. Training is the `train.text` job: the handler records a `runs` row and
 * submits the job; the job's result (inside the supervisor's transaction) finishes the run, stores
 * its settings and epochs, and registers the model version, as tabular runs do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { getDataset } from '../../db/datasets.js';
import type { Job } from '../../db/jobs.js';
import { appendRegisterEvent, insertModelVersion, latestLocalHardwareProfileId, latestQualityReportId } from '../../db/models.js';
import { getProject, updateProject } from '../../db/projects.js';
import { attachJob, finishRun, getRun, getRunByJob, insertRun, logMetrics, setRunParams, type MetricPoint } from '../../db/runs.js';
import type { Store, WritableDB } from '../../db/store.js';
import type { TextTrainResult } from '../../workers/text/engine.js';
import type { TextEpochRecord } from '../../workers/text/fit.js';
import type { App } from '../app.js';
import type { TextTrainOutcome, TextTrainStarted } from '../contract/text.js';
import type { ChannelParsed } from '../contract/index.js';
import { AppError, notFound } from '../errors.js';
import type { JobEvent, JobSupervisor } from '../jobs/supervisor.js';
import type { HandlerMap } from './types.js';

const ACTOR = (() => {
  try {
    return userInfo().username || 'app';
  } catch {
    return 'app';
  }
})();

export function defineTextJobs(jobs: JobSupervisor, store: Store): void {
  // `gpu`: one training at a time, like tabular runs (both use the whole machine).
  jobs.define('train.text', { resource: 'gpu', onResult: (value, job) => registerTextResult(store.write, value, job) });
  jobs.on('job', (event) => {
    try {
      followTextTraining(store.write, event);
    } catch {
      // Bookkeeping must not break the supervisor's event stream.
    }
  });
}

function epochPoints(epochs: TextEpochRecord[], now: number): MetricPoint[] {
  return epochs.flatMap((record) =>
    Object.entries(record)
      .filter(([key, value]) => key !== 'epoch' && typeof value === 'number')
      .map(([key, value]) => ({ key, step: record.epoch, timestamp: now, value: value as number })),
  );
}

function followTextTraining(db: WritableDB, { job, detail }: JobEvent): void {
  if (job.kind !== 'train.text') return;
  const run = getRunByJob(db, job.id);
  if (!run || run.status !== 'running') return;
  const record = detail as Partial<TextEpochRecord> | null;
  if (typeof record?.epoch === 'number' && typeof record.loss === 'number') logMetrics(db, run.id, epochPoints([record as TextEpochRecord], Date.now()));
  if (job.status === 'failed' || job.status === 'cancelled' || job.status === 'interrupted') finishRun(db, run.id, { status: job.status, finishedAt: job.finishedAt ?? Date.now() });
}

function registerTextResult(db: WritableDB, result: TextTrainResult, job: Job): TextTrainOutcome {
  const run = getRunByJob(db, job.id);
  if (!run || run.projectId === null) throw new Error(`No training run is recorded for job ${job.id}; the model was saved in ${result.artifactDir} but not registered.`);
  const now = Date.now();
  finishRun(db, run.id, { status: 'succeeded', finishedAt: now, backend: result.backend, backendReason: result.backendReason, task: result.task, result, artifactDir: result.artifactDir, checkpointDir: null });
  setRunParams(db, run.id, { ...Object.fromEntries(Object.entries(result.hyperparameters).map(([key, value]) => [`hp.${key}`, value])), usedBackend: result.backend });
  const tests = Object.entries(result.metrics)
    .filter(([, value]) => typeof value === 'number')
    .map(([key, value]) => ({ key: `test.${key}`, step: result.bestEpoch, timestamp: now, value: value as number }));
  logMetrics(db, run.id, [...epochPoints(result.epochs, now), ...tests]);
  const checksumsFile = join(result.artifactDir, 'checksums.json');
  const version = insertModelVersion(
    db,
    {
      projectId: run.projectId,
      runId: run.id,
      datasetId: run.datasetId,
      datasetSha256: result.datasetSha256,
      qualityReportId: latestQualityReportId(db, result.datasetSha256),
      hardwareProfileId: latestLocalHardwareProfileId(db),
      backend: result.backend,
      task: result.task,
      target: result.target,
      hyperparameters: { ...result.hyperparameters, kind: 'text', textColumn: result.textColumn },
      testMetrics: { ...result.metrics },
      baselines: { ...result.baselines },
      artifactDir: result.artifactDir,
      artifactSha256: createHash('sha256')
        .update(existsSync(checksumsFile) ? readFileSync(checksumsFile) : Buffer.from(JSON.stringify(result.checksums, null, 1)))
        .digest('hex'),
    },
    now,
  );
  markText(db, 'model_versions', version.id);
  appendRegisterEvent(db, version, ACTOR, now, `trained by text run ${run.id}`);
  updateProject(db, run.projectId, { target: result.target, task: result.task }, now);
  const { runId: runKey, ...rest } = result;
  return { ...rest, runId: run.id, runKey, modelVersionId: version.id, version: version.version, projectId: run.projectId };
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
  const run = insertRun(app.store.write, { projectId: project.id, datasetId, datasetSha256: dataset?.sha256 ?? '', checkpointDir, startedAt: Date.now() });
  markText(app.store.write, 'runs', run.id);
  markText(app.store.write, 'projects', project.id);
  setRunParams(app.store.write, run.id, { ...settings, kind: 'text', runKey });
  try {
    const job = app.jobs.submit({ kind: 'train.text', title: `Train ${project.name} (text)`, input: { ...settings, path, runId: runKey } });
    attachJob(app.store.write, run.id, job.id, checkpointDir);
    return { job, run: getRun(app.store.read, run.id) ?? run };
  } catch (error) {
    finishRun(app.store.write, run.id, { status: 'failed', finishedAt: Date.now() });
    throw error;
  }
}

/**
 * Records that a row is a text pilot's (the `kind` column of migration 007). The db/ insert
 * functions do not take a kind yet; when they do, this goes.
 */
function markText(db: WritableDB, table: 'runs' | 'projects' | 'model_versions', id: number): void {
  db.prepare(`UPDATE ${table} SET kind = 'text' WHERE id = ?`).run(id);
}

export const textHandlers: HandlerMap<'text:train'> = {
  'text:train': (input, app) => startTextTraining(app, input),
};
