/**
 * Handlers of drift checks: queue a check (a job whose result is stored in `drift_reports`), list
 * the history, fetch one. A check against a model version reads the version's training data once,
 * caches its profile in `reference_profiles`, and from then on reads only the new batch.
 */
import type { driftChannels } from '../contract/drift.js';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { getDataset } from '../../db/datasets.js';
import { getDriftReport, getReferenceProfile, insertDriftReport, listDriftReports, putReferenceProfile, type DriftReportRecord } from '../../db/drift.js';
import { getVersion, type RegistryVersion } from '../../db/registry.js';
import { requestSample, type RequestSample } from '../../db/serving.js';
import { versionOf } from './version-ref.js';
import { runColumns } from '../../db/runs.js';
import type { Store } from '../../db/store.js';
import { renderDriftHtml, type DriftOptions } from '../../workers/drift/index.js';
import type { App } from '../app-types.js';
import { AppError, notFound } from '../errors.js';
import type { DriftOutcome } from '../contract/drift.js';
import type { JobOf, JobSubmitted } from '../contract/jobs.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import { checkDataset } from './datasets.js';
import type { HandlersOf } from './types.js';
import { metricsAtThreshold } from '../../common/operating.js';

/** What a version check needs of the backend (the watch folder has these before the App exists). */
export type Backend = Pick<App, 'store' | 'jobs' | 'options'>;

/** The job input as stored in `jobs.input`: paths and ids, never the profile itself. */
type DriftJobInput = JobSubmitted<'drift.check'>;

export function defineDriftJobs(jobs: JobSupervisor, store: Store): void {
  jobs.define('drift.check', {
    resource: 'cpu',
    onResult(report, job): DriftOutcome {
      const input = job.input;
      const profile = report.referenceProfile;
      if (input.cacheFor && profile && profile.source.sha256 === input.cacheFor.datasetSha256) {
        putReferenceProfile(store.write, input.cacheFor.versionId, profile, Date.now());
      }
      const record = insertDriftReport(store.write, { versionId: input.versionId ?? null, currentPath: input.currentPath, report, jobId: job.id }, Date.now());
      const { summary, recommendation, datasetDrift, driftShare, driftedColumns, judgedColumns, performance } = record.report;
      return { summary, recommendation, datasetDrift, driftShare, driftedColumns, judgedColumns, performance, driftReportId: record.id, versionId: record.versionId };
    },
  });
}


/** Where the main process writes a cached profile for the worker to read (the job row keeps only the path). */
export function profileFile(dataDir: string, versionId: number, sha256: string): string {
  return join(dataDir, 'drift', 'profiles', `version-${versionId}-${sha256.slice(0, 16)}.json`);
}

/**
 * Queues a check of `currentPath` against a version: from its cached profile when there is one
 * for the training data it was registered with, else from the training file (which must still hold
 * that data), building the profile the job's result then caches.
 */
export async function submitVersionCheck(app: Backend, ref: string | number, currentPath: string, options: DriftOptions = {}, from: 'user' | 'watch' = 'user'): Promise<JobOf<'drift.check'>> {
  const version = versionOf(app.store.read, ref);
  const task = version.task;
  // Only the scalar metrics travel: the recorded residuals and curves would bloat the job row.
  // At the version's operating threshold: the predictions and the registered accuracy both.
  const testMetrics = Object.fromEntries(Object.entries(metricsAtThreshold(version.testMetrics, version.threshold)).filter(([, v]) => typeof v === 'number'));
  const model = { artifactDir: version.artifactDir, task, target: version.target, testMetrics, ...(version.threshold !== null ? { threshold: version.threshold } : {}) };
  if (version.kind === 'image') {
    // The training pictures' summary is saved with the model (metadata.json): no training folder is read.
    return app.jobs.submit({
      kind: 'drift.check',
      title: `${from === 'watch' ? 'Watch folder: drift' : 'Drift'} ${basename(currentPath)} vs ${version.projectName} v${version.version}`,
      input: { currentPath, versionId: version.id, model: { ...model, kind: 'image' as const }, options, ...(from === 'watch' ? { watch: true as const } : {}) } satisfies DriftJobInput,
    });
  }
  if (task === 'forecast' || version.kind === 'text') {
    // The reference of a forecast version (its backtest errors and training profiles) and of a text version (its words, lengths,
    // vocabulary and test predictions) is saved with the model: no training file to read.
    const trainingFile = version.datasetId === null ? '' : (getDataset(app.store.read, version.datasetId)?.path ?? '');
    return app.jobs.submit({
      kind: 'drift.check',
      title: `${from === 'watch' ? 'Watch folder: drift' : 'Drift'} ${basename(currentPath)} vs ${version.projectName} v${version.version}`,
      input: { currentPath, versionId: version.id, model: { ...model, ...(version.kind === 'text' ? { kind: 'text' as const } : {}), trainingFile, datasetSha256: version.datasetSha256 }, options, ...(from === 'watch' ? { watch: true as const } : {}) } satisfies DriftJobInput,
    });
  }
  const identifiers = identifierColumns(app, version.runId).filter((c) => !(options.columns ?? []).includes(c));
  if (identifiers.length > 0) options = { ...options, ignoreColumns: [...new Set([...(options.ignoreColumns ?? []), ...identifiers])] };
  const cached = getReferenceProfile(app.store.read, version.id);
  let reference: Partial<DriftJobInput>;
  if (cached && cached.datasetSha256 === version.datasetSha256) {
    const path = profileFile(app.options.dataDir, version.id, cached.datasetSha256);
    if (!existsSync(path)) {
      await mkdir(join(app.options.dataDir, 'drift', 'profiles'), { recursive: true });
      await writeFile(path, JSON.stringify(cached.profile));
    }
    reference = { referenceProfilePath: path };
  } else {
    const trainingFile = await trainingData(app, version);
    reference = { referencePath: trainingFile, cacheFor: { versionId: version.id, datasetSha256: version.datasetSha256 } };
    options = { ...options, includeProfile: true };
  }
  return app.jobs.submit({
    kind: 'drift.check',
    title: `${from === 'watch' ? 'Watch folder: drift' : 'Drift'} ${basename(currentPath)} vs ${version.projectName} v${version.version}`,
    input: { currentPath, versionId: version.id, model, ...reference, options, ...(from === 'watch' ? { watch: true as const } : {}) } satisfies DriftJobInput,
  });
}

/**
 * Columns the training run left out as identifier-like (row numbers, ids): they always "drift" and
 * say nothing about the data, so a version check leaves them out. Columns the user excluded stay.
 */
function identifierColumns(app: Backend, runId: number): string[] {
  return runColumns(app.store.read, runId)
    .excluded.filter((e) => e.reason.startsWith('identifier-like'))
    .map((e) => e.column);
}

/** The version's training file, refused when it is gone or no longer the data the version was trained on. */
async function trainingData(app: Backend, version: RegistryVersion): Promise<string> {
  const label = `${version.projectName} v${version.version}`;
  if (version.datasetId === null) {
    throw new AppError('not-found', `The training data of ${label} is no longer registered, and no reference profile was cached. Compare files instead: pilot drift TRAINING_FILE CURRENT_FILE.`);
  }
  const dataset = getDataset(app.store.read, version.datasetId);
  if (!dataset) throw notFound(`The training dataset of ${label}`, 'Compare files instead: pilot drift TRAINING_FILE CURRENT_FILE.');
  const check = await checkDataset(dataset);
  if (check.status === 'missing') throw new AppError('not-found', `${check.message} The first drift check of ${label} reads its training data once.`);
  if (check.currentSha256 !== version.datasetSha256) {
    throw new AppError(
      'conflict',
      `${check.dataset.name} changed since ${label} was trained on it (its SHA-256 differs), so it is no longer that version's reference. Restore the original file, or compare files: pilot drift TRAINING_FILE CURRENT_FILE.`,
    );
  }
  return check.dataset.path;
}

export const driftHandlers: HandlersOf<typeof driftChannels> = {
  'drift:check': async (input, app) => {
    const currentPath = resolve(input.currentPath);
    if (input.referencePath === undefined) {
      const ref = input.version ?? input.versionId;
      if (ref === undefined) throw new AppError('invalid-input', 'Give a model version (versionId or version) or a reference file (referencePath) to compare the current file with.');
      return submitVersionCheck(app, ref, currentPath, input.options ?? {});
    }
    if (input.version !== undefined) throw new AppError('invalid-input', 'Give either a version or a reference file, not both.');
    if (input.versionId !== undefined && !getVersion(app.store.read, input.versionId)) throw notFound(`Model version ${input.versionId}`, 'List versions with pilot models list.');
    const referencePath = resolve(input.referencePath);
    return app.jobs.submit({
      kind: 'drift.check',
      title: `Drift ${basename(currentPath)} vs ${basename(referencePath)}`,
      input: { referencePath, currentPath, ...(input.versionId ? { versionId: input.versionId } : {}), ...(input.options ? { options: input.options } : {}) },
    });
  },
  'drift:requests': async (input, app) => {
    const version = versionOf(app.store.read, input.version);
    const sample = requestSample(app.store.read, version.id);
    if (sample.rows.length === 0) {
      throw new AppError('not-found', `${version.projectName} v${version.version} has not answered any prediction request in serve mode yet, so there are no served rows to check. Publish it (pilot models publish) and send requests, or check a file: pilot drift VERSION FILE.`);
    }
    const folder = join(app.options.dataDir, 'drift', 'requests');
    await mkdir(folder, { recursive: true });
    const currentPath = join(folder, `version-${version.id}-requests-${sample.to}.csv`);
    await writeFile(currentPath, sampleCsv(sample));
    return submitVersionCheck(app, version.id, currentPath, input.options ?? {});
  },
  'drift:history': (input, app) => listDriftReports(app.store.read, { ...(input.versionId !== undefined ? { versionId: input.versionId } : {}), limit: input.limit }),
  'drift:get': (input, app): DriftReportRecord => {
    const record = getDriftReport(app.store.read, input.id);
    if (!record) throw notFound(`Drift report ${input.id}`, 'List the drift history to see report ids.');
    return record;
  },
  'drift:html': (input, app) => {
    const record = getDriftReport(app.store.read, input.id);
    if (!record) throw notFound(`Drift report ${input.id}`, 'List the drift history to see report ids.');
    const stem = basename(record.currentPath).replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_') || 'drift';
    return { html: renderDriftHtml(record.report), fileName: `${stem}-drift-${record.id}.html` };
  },
};

/** The served rows as a CSV (header of the columns sent, cells quoted where needed), the drift job's current file. */
function sampleCsv(sample: RequestSample): string {
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${[sample.columns, ...sample.rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
