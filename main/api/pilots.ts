/**
 * Handlers of guided pilots. Training is the `train.run` job: the handler records a `runs` row and
 * submits the job; the job's result (inside the supervisor's transaction) finishes the run, stores
 * its settings and every epoch, and registers the model version. Epochs also land in `metrics`
 * while the job runs, so an interrupted run keeps its curves; the run's final state follows the
 * job's, whatever ended it.
 */
import type { pilotsChannels } from '../contract/pilots.js';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  appendRegisterEvent,
  getModelVersionByRun,
  insertModelVersion,
  latestLocalHardwareProfileId,
  latestQualityReportId,
  listModelVersions,
  type ModelVersion,
} from '../../db/models.js';
import { archiveProject, getProject, getProjectByName, insertProject, listProjects, updateProject, type Project } from '../../db/projects.js';
import { attachJob, finishRun, getMetrics, getRun, getRunByJob, getRunParams, insertRun, latestMetrics, listRuns, logMetrics, setRunParams, type MetricPoint, type Run } from '../../db/runs.js';
import type { Store, WritableDB } from '../../db/store.js';
import { profileColumn } from '../../workers/trainer/columns.js';
import type { JobInput } from '../../workers/jobs.js';
import { PILOT_TASKS, type PilotResultCore, type PilotTask } from '../../workers/pilot-result.js';
import type { EpochRecord } from '../../workers/trainer/fit.js';
import { readFirstRecords } from '../../workers/csv/reader.js';
import type { App } from '../app-types.js';
import type { ColumnInfo, DatasetInspection, PilotOutcome, PredictOutcome, TrainStarted } from '../contract/pilots.js';
import type { ChannelParsed } from '../contract/index.js';
import type { JobOf, JobSubmitted } from '../contract/jobs.js';
import { AppError, notFound } from '../errors.js';
import type { JobEvent, JobSupervisor } from '../jobs/supervisor.js';
import { checkDataset, requireDataset } from './datasets.js';
import { toCanonical } from '../../workers/csv/number-format.js';
import { getSetting } from '../../db/settings.js';
import type { HandlersOf } from './types.js';
import { versionOf } from './version-ref.js';
import { isResumable, resumeRun } from './resume.js';

// Start-up settles runs whose job ended while the app was away (main/app.ts).
export { settlePilotRuns } from './resume.js';
import { versionVerdict } from '../verdict/gather.js';

const ACTOR = (() => {
  try {
    return userInfo().username || 'app';
  } catch {
    return 'app';
  }
})();

/** The prediction job's input: what the worker needs, plus the version it came from for the result. */
type PredictJobInput = JobSubmitted<'predict.run'>;

export function definePilotsJobs(jobs: JobSupervisor, store: Store): void {
  // `gpu`: at most one training at a time, whichever backend loads (they all use the whole machine).
  // Every pilot kind's training job registers its result the same way; a new kind adds its line here.
  jobs.define('train.run', { resource: 'gpu', onResult: (value, job) => registerResult(store.write, value, job) });
  // jobs.define('train.image', { resource: 'gpu', onResult: (value, job) => registerResult(store.write, value, job) });
  jobs.define('predict.run', {
    resource: 'cpu',
    onResult: (value, job): PredictOutcome => {
      const { modelVersionId, version, projectId } = job.input;
      return { ...value, modelVersionId, version, projectId };
    },
  });
  jobs.on('job', (event) => {
    try {
      followTraining(store.write, event);
    } catch {
      // A bookkeeping failure must not break the supervisor's event stream; the next start settles the run.
    }
  });
}

/** Epochs as they stream in, and the run's end when the job ended any other way than with a result. */
function followTraining(db: WritableDB, { job, detail }: JobEvent): void {
  if (job.kind !== 'train.run') return;
  const run = getRunByJob(db, job.id);
  if (!run || run.status !== 'running') return;
  if (isEpoch(detail)) logMetrics(db, run.id, epochPoints([detail], Date.now()));
  if (job.status === 'failed' || job.status === 'cancelled' || job.status === 'interrupted') {
    finishRun(db, run.id, { status: job.status, finishedAt: job.finishedAt ?? Date.now() });
  }
}

function isEpoch(detail: unknown): detail is EpochRecord {
  return typeof detail === 'object' && detail !== null && typeof (detail as EpochRecord).epoch === 'number' && typeof (detail as EpochRecord).loss === 'number';
}

function epochPoints(epochs: EpochRecord[], now: number): MetricPoint[] {
  return epochs.flatMap((record) =>
    Object.entries(record)
      .filter(([key, value]) => key !== 'epoch' && typeof value === 'number')
      .map(([key, value]) => ({ key, step: record.epoch, timestamp: now, value: value as number })),
  );
}

/**
 * A training job's result, persisted: the run, its settings and epochs, the version and its
 * register event. Any pilot kind's result registers this way (`PilotResultCore`), so every kind's
 * training job is defined with it.
 */
export function registerResult<R extends PilotResultCore>(db: WritableDB, result: R, job: { id: number }): PilotOutcome<R> {
  const run = getRunByJob(db, job.id);
  if (!run || run.projectId === null) throw new Error(`No training run is recorded for job ${job.id}; the model was saved in ${result.artifactDir} but not registered.`);
  const now = Date.now();
  finishRun(db, run.id, {
    status: 'succeeded',
    finishedAt: now,
    backend: result.backend,
    backendReason: result.backendReason,
    task: registryTask(result),
    result,
    artifactDir: result.artifactDir,
    checkpointDir: null,
  });
  setRunParams(db, run.id, { ...Object.fromEntries(Object.entries(result.hyperparameters).map(([key, value]) => [`hp.${key}`, value])), usedBackend: result.backend });
  const tests = Object.entries(result.metrics).flatMap(([key, value]) => (typeof value === 'number' ? [{ key: `test.${key}`, step: result.bestEpoch, timestamp: now, value }] : []));
  logMetrics(db, run.id, [...epochPoints(result.epochs, now), ...tests]);
  const version = insertModelVersion(
    db,
    {
      kind: result.kind,
      projectId: run.projectId,
      runId: run.id,
      datasetId: run.datasetId,
      datasetSha256: result.datasetSha256,
      qualityReportId: latestQualityReportId(db, result.datasetSha256),
      hardwareProfileId: latestLocalHardwareProfileId(db),
      backend: result.backend,
      task: registryTask(result),
      target: result.target,
      hyperparameters: { ...result.hyperparameters },
      testMetrics: { ...result.metrics },
      baselines: { ...result.baselines },
      artifactDir: result.artifactDir,
      artifactSha256: checksumListSha256(result),
    },
    now,
  );
  appendRegisterEvent(db, version, ACTOR, now, `trained by run ${run.id}`);
  updateProject(db, run.projectId, { target: result.target, task: registryTask(result) }, now);
  const { runId: runKey, ...rest } = result;
  return { ...rest, runId: run.id, runKey, modelVersionId: version.id, version: version.version, projectId: run.projectId };
}

/** The result's task as the registry stores it; an engine naming another task is a bug, said plainly. */
function registryTask(result: PilotResultCore): PilotTask {
  const task = PILOT_TASKS.find((known) => known === result.task);
  if (!task) throw new Error(`The ${result.kind} engine returned the task "${result.task}", which the registry does not know (${PILOT_TASKS.join(', ')}).`);
  return task;
}

/** SHA-256 of `checksums.json` as written (its bytes are what a copy of the artifact carries). */
function checksumListSha256(result: PilotResultCore): string {
  const file = join(result.artifactDir, 'checksums.json');
  const bytes = existsSync(file) ? readFileSync(file) : Buffer.from(JSON.stringify(result.checksums, null, 1));
  return createHash('sha256').update(bytes).digest('hex');
}

function requireProject(app: App, id: number): Project {
  const project = getProject(app.store.read, id);
  if (!project) throw notFound(`Project ${id}`, 'List projects to see their ids.');
  return project;
}

function requireRun(app: App, id: number): Run {
  const run = getRun(app.store.read, id);
  if (!run) throw notFound(`Run ${id}`, "Open the project to see its runs' ids.");
  return run;
}

function headline(version: ModelVersion): { metric: string; value: number } | null {
  const metrics = version.testMetrics as { accuracy?: number; r2?: number };
  if (typeof metrics.accuracy === 'number') return { metric: 'accuracy', value: metrics.accuracy };
  if (typeof metrics.r2 === 'number') return { metric: 'r2', value: metrics.r2 };
  return null;
}

/** Checks the dataset before a run: a missing file is refused; a changed one too, unless the caller accepts it. */
async function usableDataset(app: App, datasetId: number, allowChanged: boolean) {
  const check = await checkDataset(requireDataset(app, datasetId));
  if (check.status === 'missing') throw new AppError('invalid-input', check.message ?? 'The dataset file is missing.');
  if (check.status === 'changed' && !allowChanged) {
    throw new AppError('conflict', `${check.message} Or train on its current content anyway (the version records the new SHA-256).`);
  }
  return check;
}

type TrainInput = ChannelParsed<'pilots:train'>;

async function startTraining(app: App, input: TrainInput): Promise<TrainStarted> {
  const project = requireProject(app, input.projectId);
  if (project.archivedAt !== null) throw new AppError('conflict', `Project ${project.name} is archived. Create a new project to train again.`);
  if (project.kind !== 'tabular') throw new AppError('invalid-input', `${project.name} is a ${project.kind} pilot; this trains tabular pilots. Train it from its own wizard.`);
  const { projectId: _project, datasetId, allowChanged, ...settings } = input;
  const check = await usableDataset(app, datasetId, allowChanged);
  const dataset = check.dataset;
  if (!dataset.columns.includes(settings.target)) {
    throw new AppError('invalid-input', `The target column "${settings.target}" is not in ${dataset.name}. Its columns are: ${dataset.columns.join(', ')}.`);
  }
  const runKey = `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const checkpointDir = join(app.options.dataDir, 'runs', runKey);
  const now = Date.now();
  // Not one transaction: the supervisor reads the job it inserts through the read connection, which
  // sees only committed rows. A run whose job could not be queued is marked failed at once.
  const run = insertRun(app.store.write, { projectId: project.id, datasetId, datasetSha256: check.currentSha256 ?? dataset.sha256, checkpointDir, startedAt: now });
  // The dataset's number formats travel with the run (a resume reads the file the same way).
  const numberFormats = dataset.numberFormats;
  // Encryption at rest (`pilot models encryption on`) is decided when the run starts, and kept for a resume (main/api/resume.ts).
  const encryptArtifacts = getSetting<boolean>(app.store.read, 'models.encryptAtRest') === true;
  setRunParams(app.store.write, run.id, { ...settings, runKey, file: dataset.path, numberFormats, encryptArtifacts });
  const job = submitFor(app, run, `Train ${project.name}`, { ...settings, file: dataset.path, runId: runKey, numberFormats, encryptArtifacts }, checkpointDir);
  updateProject(app.store.write, project.id, { datasetId, target: settings.target, ...(settings.task === 'auto' ? {} : { task: settings.task }) }, now);
  return { job, run: getRun(app.store.read, run.id) ?? run, warning: check.status === 'changed' ? check.message : null };
}

function submitFor(app: App, run: Run, title: string, input: JobInput<'train.run'>, checkpointDir: string | null): JobOf<'train.run'> {
  try {
    const job = app.jobs.submit({ kind: 'train.run', title, input });
    attachJob(app.store.write, run.id, job.id, checkpointDir);
    return job;
  } catch (error) {
    finishRun(app.store.write, run.id, { status: 'failed', finishedAt: Date.now() });
    throw error;
  }
}

/** Likely targets: names that say "outcome", then the last column; constants and identifiers never. */
const OUTCOME_NAME = /^(target|label|class|outcome|y|result|churn(ed)?|fraud|is_?fraud|default(ed)?|survived|species|income|quality|cnt|count|price|sales|demand|failure|failed|two_year_recid|is_recid|attrition)$/i;

function taskOf(column: ColumnInfo): 'binary' | 'multiclass' | 'regression' {
  if (column.kind === 'numeric' && column.distinct > 20) return 'regression';
  return column.distinct === 2 ? 'binary' : 'multiclass';
}

async function inspect(app: App, datasetId: number): Promise<DatasetInspection> {
  const check = await checkDataset(requireDataset(app, datasetId));
  if (check.status === 'missing') throw new AppError('invalid-input', check.message ?? 'The dataset file is missing.');
  // The profile is a guide for the wizard: the first rows say the same as all of them, and reading
  // only those (at most 256 KB) keeps a large file from blocking the main process.
  const { dataset } = check;
  const bomBytes = dataset.encoding === 'utf-8-bom' ? 3 : dataset.encoding.startsWith('utf-16') ? 2 : 0;
  const records = await readFirstRecords({ path: dataset.path, encoding: dataset.encoding, delimiter: dataset.delimiter, start: bomBytes, end: (await stat(dataset.path)).size }, 5001);
  const width = dataset.columns.length;
  const sample = (dataset.hasHeader ? records.slice(1) : records).map((row) => (row.length >= width ? row : [...row, ...new Array<string>(width - row.length).fill('')]));
  const formats = new Map(dataset.numberFormats.map((f) => [f.column, f]));
  const columns: ColumnInfo[] = dataset.columns.map((name, c) => {
    const format = formats.get(name);
    const values = sample.map((row) => (format ? (toCanonical(row[c] ?? '', format) ?? row[c] ?? '') : (row[c] ?? '')));
    const profile = profileColumn(name, values);
    const examples = [...new Set(sample.map((row) => row[c] ?? '').filter((v) => v.trim() !== ''))].slice(0, 4);
    return { name, kind: profile.kind, missing: profile.missing, distinct: profile.distinct, exclude: profile.exclude ?? null, examples, numberFormat: format?.note ?? null };
  });
  const usable = columns.filter((column) => column.distinct >= 2 && column.distinct <= Math.max(50, sample.length) && !(column.exclude && !column.exclude.startsWith('looks like personal')));
  const suggestions: DatasetInspection['suggestions'] = [];
  for (const column of usable.filter((c) => OUTCOME_NAME.test(c.name))) suggestions.push({ column: column.name, task: taskOf(column), reason: 'its name says it is an outcome' });
  const last = columns.at(-1);
  if (last && usable.includes(last) && !suggestions.some((s) => s.column === last.name)) suggestions.push({ column: last.name, task: taskOf(last), reason: 'the last column often holds the outcome' });
  for (const column of usable.filter((c) => c.kind === 'boolean' && !suggestions.some((s) => s.column === c.name)).slice(0, 2)) {
    suggestions.push({ column: column.name, task: 'binary', reason: 'a yes/no column is a natural thing to predict' });
  }
  return { datasetId, rows: dataset.rowCount, sampled: sample.length, columns, suggestions, warning: check.message };
}

export const pilotsHandlers: HandlersOf<typeof pilotsChannels> = {
  'pilots:list': (input, app) => {
    return listProjects(app.store.read, { archived: input.archived }).map((project) => {
      const versions = listModelVersions(app.store.read, project.id);
      const latest = versions[0];
      const running = listRuns(app.store.read, project.id).find((run) => run.status === 'running');
      return {
        ...project,
        versions: versions.length,
        latestVersion: latest ? { id: latest.id, version: latest.version, headline: headline(latest) } : null,
        runningRunId: running?.id ?? null,
      };
    });
  },
  'pilots:get': (input, app) => {
    const project = requireProject(app, input.id);
    const runs = listRuns(app.store.read, project.id).map((run) => ({ ...run, latest: latestMetrics(app.store.read, run.id), resumable: isResumable(run) }));
    return { project, runs, versions: listModelVersions(app.store.read, project.id) };
  },
  'pilots:create': (input, app) => {
    if (getProjectByName(app.store.read, input.name)) throw new AppError('conflict', `A project named "${input.name}" exists already. Choose another name, or open that project.`);
    if (input.datasetId !== undefined && input.datasetId !== null) requireDataset(app, input.datasetId);
    return insertProject(app.store.write, input, Date.now());
  },
  'pilots:update': (input, app) => {
    const { id, ...patch } = input;
    requireProject(app, id);
    if (patch.name !== undefined) {
      const other = getProjectByName(app.store.read, patch.name);
      if (other && other.id !== id) throw new AppError('conflict', `A project named "${patch.name}" exists already. Choose another name.`);
    }
    if (patch.datasetId !== undefined && patch.datasetId !== null) requireDataset(app, patch.datasetId);
    return updateProject(app.store.write, id, patch, Date.now())!;
  },
  'pilots:delete': (input, app) => {
    requireProject(app, input.id);
    return { archived: archiveProject(app.store.write, input.id, Date.now()) };
  },
  'pilots:inspect': (input, app) => inspect(app, input.datasetId),
  'pilots:train': (input, app) => startTraining(app, input),
  'pilots:resume': (input, app) => resumeRun(app, input.runId),
  'pilots:run': (input, app) => {
    const run = requireRun(app, input.id);
    const version = getModelVersionByRun(app.store.read, run.id);
    return { run, params: getRunParams(app.store.read, run.id), metrics: getMetrics(app.store.read, run.id), version, verdict: version ? versionVerdict(app.store.read, version) : null };
  },
  'pilots:predict': async (input, app) => {
    const version = versionOf(app.store.read, input.model);
    const path = resolve(input.path);
    const outPath = resolve(input.outPath);
    if (!existsSync(path)) throw new AppError('invalid-input', `File not found: ${path}. Check the path.`);
    if (path === outPath) throw new AppError('invalid-input', 'The output file would overwrite the input file. Choose another --out path.');
    if (!input.force && existsSync(outPath)) throw new AppError('invalid-input', `${outPath} already exists. Choose another output file, or pass --force to overwrite it.`);
    const job: PredictJobInput = {
      artifactDir: version.artifactDir,
      path,
      outPath,
      modelVersionId: version.id,
      version: version.version,
      projectId: version.projectId,
      ...(input.horizon !== undefined ? { horizon: input.horizon } : {}),
      ...(input.force !== undefined ? { force: input.force } : {}),
      ...(input.escapeFormulas !== undefined ? { escapeFormulas: input.escapeFormulas } : {}),
      ...(version.threshold !== null ? { threshold: version.threshold } : {}),
    };
    return app.jobs.submit({ kind: 'predict.run', title: `Predict ${basename(path)} with version ${version.version}`, input: job });
  },
};
