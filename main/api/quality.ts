/** Handlers of the Quality capability: scoring is a job whose report is stored; a re-run on unchanged content reuses it. */
import type { qualityChannels } from '../contract/quality.js';
import { basename, extname } from 'node:path';
import { getDataset } from '../../db/datasets.js';
import {
  canonicalJson,
  findQualityReport,
  getQualityReport,
  insertQualityReport,
  latestQualityReport,
  listQualityReports,
  type QualityOptions,
  type QualityReportRecord,
} from '../../db/quality.js';
import type { Store } from '../../db/store.js';
import { renderQualityHtml } from '../../workers/quality/index.js';
import type { App } from '../app-types.js';
import type { DatasetCheck, QualityOutcome } from '../contract/index.js';
import { AppError, notFound } from '../errors.js';
import type { JobSubmitted } from '../contract/jobs.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import { checkDataset, requireDataset } from './datasets.js';
import type { HandlersOf } from './types.js';

/** The job input as stored in `jobs.input`: the engine's input plus what `onResult` needs to file the report. */
export type QualityJobInput = JobSubmitted<'quality.score'>;

export function defineQualityJobs(jobs: JobSupervisor, store: Store): void {
  jobs.define('quality.score', {
    resource: 'cpu',
    onResult(value, job): QualityOutcome {
      const input = job.input;
      const record = insertQualityReport(
        store.write,
        { datasetId: input.datasetId, datasetSha256: input.datasetSha256, options: input.options, report: value, jobId: job.id },
        Date.now(),
      );
      return { reportId: record.id, datasetId: record.datasetId, score: record.score };
    },
  });
}

/** A dataset whose file still holds what was imported; otherwise the check's message as a one-line error. */
async function usableDataset(app: App, id: number): Promise<DatasetCheck & { currentSha256: string }> {
  const check = await checkDataset(requireDataset(app, id));
  if (check.status === 'missing') throw new AppError('not-found', check.message ?? `${check.dataset.name} is missing.`);
  if (check.status === 'changed' || check.currentSha256 === null) {
    throw new AppError('conflict', `${check.message ?? `${check.dataset.name} changed.`} (pilot datasets import ${check.dataset.path})`);
  }
  return check as DatasetCheck & { currentSha256: string };
}

function requireReport(app: App, id: number): QualityReportRecord {
  const record = getQualityReport(app.store.read, id);
  if (!record) throw notFound(`Quality report ${id}`, 'List a dataset\'s reports with `pilot quality history DATASET_ID` to see their ids.');
  return record;
}

export const qualityHandlers: HandlersOf<typeof qualityChannels> = {
  'quality:score': async (input, app) => {
    const { dataset, currentSha256 } = await usableDataset(app, input.datasetId);
    const test = input.testDatasetId === undefined ? null : await usableDataset(app, input.testDatasetId);
    const options: QualityOptions = {
      ...(input.target !== undefined ? { target: input.target } : {}),
      ...(input.positive !== undefined ? { positive: input.positive } : {}),
      ...(input.protected?.length ? { protected: input.protected } : {}),
      ...(input.prediction !== undefined ? { prediction: input.prediction } : {}),
      ...(input.threshold !== undefined ? { threshold: input.threshold } : {}),
      ...(input.missingMarkers !== undefined ? { missingMarkers: input.missingMarkers } : {}),
      // The test file's content is part of what was computed: a changed test set means a new report.
      ...(test ? { testDatasetId: test.dataset.id, testSha256: test.currentSha256 } : {}),
      ...(dataset.numberFormats.length > 0 ? { numberFormats: dataset.numberFormats.map((f) => `${f.column}:${f.decimal}${f.thousands}`) } : {}),
    };
    // Taken before the look-up: a job of another process that stores this report from now on is
    // reused rather than computed again (jobs.dedupe_key).
    const since = Date.now();
    const optionsKey = canonicalJson(options);
    if (!input.force) {
      const stored = findQualityReport(app.store.read, { datasetId: dataset.id, datasetSha256: currentSha256, optionsKey });
      if (stored) return { job: null, stored };
    }
    const { testDatasetId: _id, testSha256: _sha, numberFormats: _formats, ...engineOptions } = options;
    const jobInput: QualityJobInput = {
      path: dataset.path,
      header: dataset.hasHeader,
      ...engineOptions,
      ...(dataset.numberFormats.length > 0 ? { numberFormats: dataset.numberFormats } : {}),
      ...(test ? { testPath: test.dataset.path } : {}),
      datasetId: dataset.id,
      datasetSha256: currentSha256,
      options,
    };
    // Several processes scoring the same content with the same options share one job and report.
    const once = input.force ? undefined : { key: `quality.score:${dataset.id}:${currentSha256}:${optionsKey}`, since };
    return { job: app.jobs.submit({ kind: 'quality.score', title: `Score quality of ${dataset.name}`, input: jobInput, ...(once ? { once } : {}) }), stored: null };
  },
  'quality:get': (input, app) => requireReport(app, input.id),
  'quality:latest': (input, app) => {
    requireDataset(app, input.datasetId);
    return { record: latestQualityReport(app.store.read, input.datasetId) };
  },
  'quality:list': (input, app) => {
    requireDataset(app, input.datasetId);
    return listQualityReports(app.store.read, input.datasetId);
  },
  'quality:html': (input, app) => {
    const record = requireReport(app, input.id);
    const name = getDataset(app.store.read, record.datasetId)?.name ?? basename(record.report.file.path);
    const stem = basename(name, extname(name)).replace(/[^\w.-]+/g, '_') || 'dataset';
    return { html: renderQualityHtml(record.report), fileName: `${stem}-quality-${record.id}.html` };
  },
};
