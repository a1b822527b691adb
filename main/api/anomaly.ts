/**
 * Handlers of the anomaly pilot: `anomaly:train` checks the dataset, records a run in the pilot's
 * project (created when new) and queues `train.anomaly`; the job's result registers a model version
 * (run, epochs, test metrics, version, register event) the same way as a tabular run. Prediction
 * is the generic `pilots:predict`: the prediction job reads the model's kind from its metadata.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { appendRegisterEvent, insertModelVersion, latestLocalHardwareProfileId, latestQualityReportId } from '../../db/models.js';
import { getProjectByName, insertProject, updateProject } from '../../db/projects.js';
import { attachJob, finishRun, getRunByJob, insertRun, logMetrics, setRunParams, type MetricPoint } from '../../db/runs.js';
import type { Store, WritableDB } from '../../db/store.js';
import type { AnomalyResult } from '../../workers/anomaly/index.js';
import type { App } from '../app.js';
import type { AnomalyStarted } from '../contract/anomaly.js';
import type { JobOf } from '../contract/jobs.js';
import type { PilotOutcome } from '../contract/pilots.js';
import { AppError } from '../errors.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import { checkDataset, requireDataset } from './datasets.js';
import type { HandlerMap } from './types.js';

const ACTOR = (() => {
  try {
    return userInfo().username || 'app';
  } catch {
    return 'app';
  }
})();

export function defineAnomalyJobs(jobs: JobSupervisor, store: Store): void {
  // `gpu`: one training at a time, as for every pilot (each uses the whole machine).
  jobs.define('train.anomaly', { resource: 'gpu', onResult: (value, job) => registerAnomaly(store.write, value, job) });
  jobs.on('job', ({ job }) => {
    if (job.kind !== 'train.anomaly' || !(job.status === 'failed' || job.status === 'cancelled' || job.status === 'interrupted')) return;
    try {
      const run = getRunByJob(store.write, job.id);
      if (run?.status === 'running') finishRun(store.write, run.id, { status: job.status, finishedAt: job.finishedAt ?? Date.now() });
    } catch {
      // Bookkeeping must not break the supervisor's event stream.
    }
  });
}

function registerAnomaly(db: WritableDB, result: AnomalyResult, job: JobOf<'train.anomaly'>): PilotOutcome<AnomalyResult> {
  const run = getRunByJob(db, job.id);
  if (!run || run.projectId === null) throw new Error(`No run is recorded for job ${job.id}; the model was saved in ${result.artifactDir} but not registered.`);
  const now = Date.now();
  finishRun(db, run.id, { status: 'succeeded', finishedAt: now, backend: result.backend, backendReason: result.backendReason, task: 'anomaly', result, artifactDir: result.artifactDir, checkpointDir: null });
  setRunParams(db, run.id, { ...Object.fromEntries(Object.entries(result.hyperparameters).map(([key, value]) => [`hp.${key}`, value])), usedBackend: result.backend });
  const points: MetricPoint[] = result.epochs.flatMap((record) =>
    Object.entries(record)
      .filter(([key, value]) => key !== 'epoch' && typeof value === 'number')
      .map(([key, value]) => ({ key, step: record.epoch, timestamp: now, value: Number(value) })),
  );
  const tests = Object.entries(result.metrics)
    .filter(([, value]) => typeof value === 'number')
    .map(([key, value]) => ({ key: `test.${key}`, step: result.bestEpoch, timestamp: now, value: Number(value) }));
  logMetrics(db, run.id, [...points, ...tests]);
  const file = join(result.artifactDir, 'checksums.json');
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
      task: 'anomaly',
      target: result.target,
      hyperparameters: { ...result.hyperparameters },
      testMetrics: { ...result.metrics },
      baselines: { ...result.baselines },
      artifactDir: result.artifactDir,
      artifactSha256: createHash('sha256').update(existsSync(file) ? readFileSync(file) : Buffer.from(JSON.stringify(result.checksums, null, 1))).digest('hex'),
    },
    now,
  );
  appendRegisterEvent(db, version, ACTOR, now, `trained by run ${run.id}`);
  updateProject(db, run.projectId, { target: result.target, task: 'anomaly' }, now);
  const { runId: runKey, ...rest } = result;
  return { ...rest, runId: run.id, runKey, modelVersionId: version.id, version: version.version, projectId: run.projectId };
}

export const anomalyHandlers: HandlerMap<'anomaly:train'> = {
  'anomaly:train': async ({ datasetId, allowChanged, project: projectName, ...settings }, app: App): Promise<AnomalyStarted> => {
    const check = await checkDataset(requireDataset(app, datasetId));
    if (check.status === 'missing') throw new AppError('invalid-input', check.message ?? 'The dataset file is missing.');
    if (check.status === 'changed' && !allowChanged) throw new AppError('conflict', `${check.message} Or train on its current content anyway.`);
    const dataset = check.dataset;
    for (const column of [...(settings.label ? [settings.label] : []), ...settings.exclude, ...settings.include]) {
      if (!dataset.columns.includes(column)) throw new AppError('invalid-input', `Column "${column}" is not in ${dataset.name}. Its columns are: ${dataset.columns.join(', ')}.`);
    }
    const name = projectName ?? `${dataset.name.replace(/\.[^.]+$/, '')} unusual cases`;
    const now = Date.now();
    const existing = getProjectByName(app.store.read, name);
    if (existing?.archivedAt) throw new AppError('conflict', `Project "${name}" is archived. Give another project name.`);
    const project = existing ?? insertProject(app.store.write, { name, datasetId, task: 'anomaly', target: settings.label ?? null }, now);
    const runKey = `anomaly-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
    const checkpointDir = join(app.options.dataDir, 'runs', runKey);
    const run = insertRun(app.store.write, { projectId: project.id, datasetId, datasetSha256: check.currentSha256 ?? dataset.sha256, checkpointDir, startedAt: now });
    setRunParams(app.store.write, run.id, { ...settings, kind: 'anomaly', runKey, file: dataset.path });
    try {
      const job = app.jobs.submit({ kind: 'train.anomaly', title: `Find unusual rows in ${dataset.name}`, input: { ...settings, file: dataset.path, runId: runKey } });
      attachJob(app.store.write, run.id, job.id, checkpointDir);
      return { job, runId: run.id, projectId: project.id, project: project.name, warning: check.status === 'changed' ? check.message : null };
    } catch (error) {
      finishRun(app.store.write, run.id, { status: 'failed', finishedAt: Date.now() });
      throw error;
    }
  },
};

