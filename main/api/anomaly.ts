/**
 * Handlers of the anomaly pilot: `anomaly:train` checks the dataset, records a run in the pilot's
 * project (created when new) and queues `train.anomaly`; the job's result registers a model version
 * through the generic path (`registerResult`), as every pilot kind's. Prediction is the generic
 * `pilots:predict`: the prediction job reads the model's kind from its metadata.
 */
import type { anomalyChannels } from '../contract/anomaly.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { getProjectByName, insertProject } from '../../db/projects.js';
import { attachJob, finishRun, getRunByJob, insertRun, logMetrics, setRunParams } from '../../db/runs.js';
import type { Store } from '../../db/store.js';
import type { App } from '../app-types.js';
import { encryptArtifacts } from './at-rest.js';
import type { AnomalyStarted } from '../contract/anomaly.js';
import { AppError } from '../errors.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import { checkDataset, requireDataset } from './datasets.js';
import { registerResult } from './pilots.js';
import type { HandlersOf } from './types.js';


/** An epoch a `train.anomaly` job pushed (its number, loss and the other numbers), or null for other details. */
function epochOf(detail: unknown): { epoch: number; values: Record<string, number> } | null {
  if (typeof detail !== 'object' || detail === null) return null;
  const values: Record<string, number> = {};
  for (const [key, value] of Object.entries(detail)) if (typeof value === 'number' && Number.isFinite(value)) values[key] = value;
  const { epoch, ...rest } = values;
  return epoch !== undefined && rest.loss !== undefined ? { epoch, values: rest } : null;
}

export function defineAnomalyJobs(jobs: JobSupervisor, store: Store): void {
  // `gpu`: one training at a time, as for every pilot (each uses the whole machine).
  jobs.define('train.anomaly', { resource: 'gpu', onResult: (value, job) => registerResult(store.write, value, job) });
  jobs.on('job', ({ job, detail }) => {
    if (job.kind !== 'train.anomaly') return;
    const status = job.status;
    const ended = status === 'failed' || status === 'cancelled' || status === 'interrupted';
    const epoch = epochOf(detail);
    if (!ended && !epoch) return;
    try {
      const run = getRunByJob(store.write, job.id);
      // Each epoch is stored as it comes, as for the other kinds: a run that stops says which epoch it reached.
      if (run?.status === 'running' && epoch) logMetrics(store.write, run.id, Object.entries(epoch.values).map(([key, value]) => ({ key, step: epoch.epoch, timestamp: Date.now(), value })));
      if (ended && run?.status === 'running') finishRun(store.write, run.id, { status, finishedAt: job.finishedAt ?? Date.now() });
    } catch {
      // Bookkeeping must not break the supervisor's event stream.
    }
  });
}

export const anomalyHandlers: HandlersOf<typeof anomalyChannels> = {
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
    if (existing && existing.kind !== 'anomaly') throw new AppError('conflict', `Project "${name}" is a ${existing.kind} pilot. Give another project name for unusual cases.`);
    const project = existing ?? insertProject(app.store.write, { name, kind: 'anomaly', datasetId, task: 'anomaly', target: settings.label ?? null }, now);
    const runKey = `anomaly-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
    const checkpointDir = join(app.options.dataDir, 'runs', runKey);
    const run = insertRun(app.store.write, { projectId: project.id, kind: 'anomaly', datasetId, datasetSha256: check.currentSha256 ?? dataset.sha256, checkpointDir, startedAt: now });
    // What a resume needs (main/api/resume.ts), whether weights are encrypted at rest included.
    const encrypt = encryptArtifacts(app);
    setRunParams(app.store.write, run.id, { ...settings, kind: 'anomaly', runKey, file: dataset.path, numberFormats: dataset.numberFormats, encryptArtifacts: encrypt });
    try {
      const job = app.jobs.submit({ kind: 'train.anomaly', title: `Find unusual rows in ${dataset.name}`, input: { ...settings, file: dataset.path, runId: runKey, numberFormats: dataset.numberFormats, encryptArtifacts: encrypt } });
      attachJob(app.store.write, run.id, job.id, checkpointDir);
      return { job, runId: run.id, projectId: project.id, project: project.name, warning: check.status === 'changed' ? check.message : null };
    } catch (error) {
      finishRun(app.store.write, run.id, { status: 'failed', finishedAt: Date.now() });
      throw error;
    }
  },
};

