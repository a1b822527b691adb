/**
 * `pilots:resume` for every pilot kind: a run that stopped before the end (its worker killed, the
 * app closed, cancelled) and left a checkpoint continues from it with the settings it started with,
 * which each kind's start handler stored in `run_params` (the run's folder key, its input, its
 * file's number formats and whether its weights are encrypted at rest).
 *
 * Encryption at rest: a resumed run encrypts its weights when the run started with encryption on
 * or when it is on now (`pilot models encryption on` is a promise about every model written while
 * it is on). Whether weights are encrypted does not shape training, so it is not part of the
 * checkpoint's fingerprint: turning encryption on between the stop and the resume keeps the run
 * resumable.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { getJob } from '../../db/jobs.js';
import { getProject } from '../../db/projects.js';
import { attachJob, finishRun, getRun, getRunParams, listRunningRuns, type Run } from '../../db/runs.js';
import type { Store } from '../../db/store.js';
import { anomalyInputSchema } from '../../workers/anomaly/schema.js';
import { forecastInputSchema } from '../../workers/forecast/schema.js';
import { imageInputSchema } from '../../workers/image/schema.js';
import { textInputSchema } from '../../workers/text/schema.js';
import { trainInputSchema } from '../../workers/trainer/schema.js';
import type { App } from '../app-types.js';
import type { ResumeStarted, TrainingJob } from '../contract/pilots.js';
import { AppError, notFound } from '../errors.js';
import { encryptArtifacts } from './at-rest.js';
import { checkDataset, requireDataset } from './datasets.js';

/**
 * Runs still marked running whose job ended without telling us (the app was closed, the job row
 * recovered). Called at start-up, after the supervisor recovered its jobs, and before a resume: a
 * read channel never writes.
 */
export function settlePilotRuns(store: Store): void {
  for (const row of listRunningRuns(store.read)) {
    const job = row.jobId === null ? null : getJob(store.read, row.jobId);
    if (job && (job.status === 'queued' || job.status === 'running' || job.status === 'succeeded')) continue;
    const status = job?.status === 'failed' || job?.status === 'cancelled' ? job.status : 'interrupted';
    finishRun(store.write, row.id, { status, finishedAt: job?.finishedAt ?? Date.now() });
  }
}

/** A run that stopped before the end and left a checkpoint can continue from it. */
export function isResumable(run: Run): boolean {
  return run.status !== 'running' && run.status !== 'succeeded' && run.checkpointDir !== null && existsSync(join(run.checkpointDir, 'checkpoint.json'));
}

/** Keys of `run_params` that are not job input: the folder key, the kind, and what registering the result added. */
function isBookkeeping(key: string): boolean {
  return key === 'runKey' || key === 'kind' || key === 'usedBackend' || key.startsWith('hp.');
}

/** The stored settings read back from the database, checked again by the kind's own schema. */
function parsed<S extends z.ZodType>(schema: S, raw: Record<string, unknown>, run: Run): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AppError('conflict', `Run ${run.id}'s stored settings are no longer valid (${issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'unreadable'}), so it cannot be resumed. Start a new run instead.`);
  }
  return result.data;
}

/** Submits the resumed job of the run's kind. */
function submitResume(app: App, run: Run, title: string, raw: Record<string, unknown>): TrainingJob {
  switch (run.kind) {
    case 'tabular':
      return app.jobs.submit({ kind: 'train.run', title, input: parsed(trainInputSchema, raw, run) });
    case 'image':
      return app.jobs.submit({ kind: 'train.image', title, input: parsed(imageInputSchema, raw, run) });
    case 'text':
      // Runs stored before the path was stored resolved: resolve it as the start handler did.
      return app.jobs.submit({ kind: 'train.text', title, input: parsed(textInputSchema, { ...raw, path: typeof raw.path === 'string' ? resolve(raw.path) : raw.path }, run) });
    case 'anomaly':
      return app.jobs.submit({ kind: 'train.anomaly', title, input: parsed(anomalyInputSchema, raw, run) });
    case 'forecast':
      return app.jobs.submit({ kind: 'train.forecast', title, input: parsed(forecastInputSchema, raw, run) });
  }
}

export async function resumeRun(app: App, runId: number): Promise<ResumeStarted> {
  app.jobs.recover(); // a run whose owning process is gone is interrupted, not "still running"
  settlePilotRuns(app.store);
  const run = getRun(app.store.read, runId);
  if (!run) throw notFound(`Run ${runId}`, "Open the project to see its runs' ids.");
  if (!isResumable(run)) {
    throw new AppError('conflict', `Run ${runId} cannot be resumed: ${run.status === 'running' ? 'it is still running' : run.status === 'succeeded' ? 'it finished' : 'its checkpoint is gone'}. Start a new run instead.`);
  }
  const params = getRunParams(app.store.read, run.id);
  const runKey = params.runKey;
  if (typeof runKey !== 'string') throw new AppError('conflict', `Run ${runId} has no recorded folder, so it cannot be resumed. Start a new run instead.`);
  const settings = Object.fromEntries(Object.entries(params).filter(([key]) => !isBookkeeping(key)));
  const encrypt = settings.encryptArtifacts === true || encryptArtifacts(app);
  if (run.datasetId !== null) {
    const check = await checkDataset(requireDataset(app, run.datasetId));
    if (check.status === 'missing') throw new AppError('invalid-input', check.message ?? 'The dataset file is missing.');
    if (check.status === 'changed') throw new AppError('conflict', `${check.message} A run resumes only on the data it started with: start a new run instead.`);
  }
  const project = run.projectId === null ? null : getProject(app.store.read, run.projectId);
  const raw = { ...settings, runId: runKey, resumeFrom: runKey, encryptArtifacts: encrypt };
  try {
    const job = submitResume(app, run, `Resume ${project?.name ?? `run ${run.id}`}`, raw);
    attachJob(app.store.write, run.id, job.id, run.checkpointDir);
    return { job, run: getRun(app.store.read, run.id) ?? run, warning: null };
  } catch (error) {
    finishRun(app.store.write, run.id, { status: 'failed', finishedAt: Date.now() });
    throw error;
  }
}
