/** Handlers of the Data capability: import (a job), list, check for changes, forget. */
import type { datasetChannels } from '../contract/datasets.js';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { deleteDataset, getDataset, listDatasets, upsertDataset, type Dataset } from '../../db/datasets.js';
import type { Store } from '../../db/store.js';
import type { App } from '../app-types.js';
import type { DatasetCheck } from '../contract/datasets.js';
import { AppError, notFound } from '../errors.js';
import { listSamples } from '../samples.js';
import { fileHashes } from './file-hashes.js';
import type { ImportOutcome } from '../contract/datasets.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import type { HandlersOf } from './types.js';

export function defineDatasetJobs(jobs: JobSupervisor, store: Store): void {
  jobs.define('dataset.import', {
    resource: 'cpu',
    onResult(result, job): ImportOutcome {
      return upsertDataset(store.write, { ...result, jobId: job.id }, Date.now());
    },
  });
}

export function requireDataset(app: App, id: number): Dataset {
  const dataset = getDataset(app.store.read, id);
  if (!dataset) throw notFound(`Dataset ${id}`, 'List datasets to see their ids.');
  return dataset;
}

/**
 * Whether a registered file still holds what was imported. Capabilities call this before they use
 * a dataset, so a file edited since import is noticed (DESIGN: "a file that changed is noticed
 * when it is used"). The hash decides; it is taken again only when the file's size, time or inode
 * moved since this process last hashed it (file-hashes.ts).
 */
export async function checkDataset(dataset: Dataset): Promise<DatasetCheck> {
  const info = await stat(dataset.path).catch(() => null);
  if (!info?.isFile()) {
    return { dataset, status: 'missing', currentSha256: null, message: `${dataset.name} is no longer at ${dataset.path}. Put it back, or import it again from where it is now.` };
  }
  const sha256 = await fileHashes.sha256(dataset.path, info);
  if (sha256 === dataset.sha256) return { dataset, status: 'unchanged', currentSha256: sha256, message: null };
  return {
    dataset,
    status: 'changed',
    currentSha256: sha256,
    message: `${dataset.name} changed since it was imported (its SHA-256 differs). Results computed from it describe the old content: import it again to work with the new one.`,
  };
}

export const datasetHandlers: HandlersOf<typeof datasetChannels> = {
  'datasets:list': (_input, app) => listDatasets(app.store.read),
  'datasets:import': (input, app) => {
    const path = resolve(input.path);
    // The same file imported by several processes at once is read once; each gets that job's dataset.
    const once = { key: `dataset.import:${path}:${input.numberFormat ? JSON.stringify(input.numberFormat) : ''}`, since: Date.now() };
    return app.jobs.submit({ kind: 'dataset.import', title: `Import ${basename(path)}`, input: { path, ...(input.numberFormat ? { numberFormat: input.numberFormat } : {}) }, once });
  },
  'datasets:samples': (_input, app) => {
    const registered = listDatasets(app.store.read);
    return listSamples().map((s) => ({ ...s, datasetId: registered.find((d) => d.path === s.path)?.id ?? null }));
  },
  'datasets:import-sample': (input, app) => {
    const sample = listSamples().find((s) => s.file === input.file);
    if (!sample) throw new AppError('not-found', `"${input.file}" is not one of the example datasets shipped with this version (${listSamples().map((s) => s.file).join(', ') || 'none'}).`);
    return app.jobs.submit({ kind: 'dataset.import', title: `Import the example ${sample.file}`, input: { path: sample.path } });
  },
  'datasets:check': (input, app) => checkDataset(requireDataset(app, input.id)),
  'datasets:delete': (input, app) => {
    requireDataset(app, input.id);
    return { deleted: deleteDataset(app.store.write, input.id) };
  },
};
