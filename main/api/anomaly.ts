/**
 * Handlers of the anomaly pilot: `anomaly:train` checks the dataset and queues `train.anomaly`;
 * `anomaly:predict` queues the prediction job on a saved anomaly model's folder.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Store } from '../../db/store.js';
import type { App } from '../app.js';
import { AppError } from '../errors.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import { checkDataset, requireDataset } from './datasets.js';
import type { HandlerMap } from './types.js';

export function defineAnomalyJobs(jobs: JobSupervisor, _store: Store): void {
  // `gpu`: one training at a time, as for every pilot (each uses the whole machine).
  jobs.define('train.anomaly', { resource: 'gpu' });
}

/** The folder of an anomaly model named by path or by key; refused when it is not one. */
function modelFolder(app: App, model: string): string {
  const folder = isAbsolute(model) || existsSync(model) ? resolve(model) : join(app.options.dataDir, 'models', model);
  let kind: unknown;
  try {
    kind = (JSON.parse(readFileSync(join(folder, 'metadata.json'), 'utf8')) as { kind?: unknown }).kind;
  } catch {
    throw new AppError('not-found', `No model in ${folder} (no readable metadata.json). Give the folder of a trained anomaly model, or its key (the training result's runId).`);
  }
  if (kind !== 'anomaly') throw new AppError('invalid-input', `${folder} is not an anomaly-detection model. For a registered tabular model, give its version (id or PROJECT@VERSION).`);
  return folder;
}

export const anomalyHandlers: HandlerMap<'anomaly:train' | 'anomaly:predict'> = {
  'anomaly:train': async ({ datasetId, allowChanged, ...settings }, app) => {
    const check = await checkDataset(requireDataset(app, datasetId));
    if (check.status === 'missing') throw new AppError('invalid-input', check.message ?? 'The dataset file is missing.');
    if (check.status === 'changed' && !allowChanged) throw new AppError('conflict', `${check.message} Or train on its current content anyway.`);
    const dataset = check.dataset;
    for (const column of [...(settings.label ? [settings.label] : []), ...settings.exclude, ...settings.include]) {
      if (!dataset.columns.includes(column)) throw new AppError('invalid-input', `Column "${column}" is not in ${dataset.name}. Its columns are: ${dataset.columns.join(', ')}.`);
    }
    const runId = `anomaly-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    return app.jobs.submit({ kind: 'train.anomaly', title: `Find unusual rows in ${dataset.name}`, input: { ...settings, file: dataset.path, runId } });
  },
  'anomaly:predict': ({ model, path, outPath }, app) => {
    const artifactDir = modelFolder(app, model);
    const file = resolve(path);
    if (!existsSync(file)) throw new AppError('invalid-input', `File not found: ${file}. Check the path.`);
    return app.jobs.submit({ kind: 'predict.run', title: `Score ${file}`, input: { artifactDir, path: file, outPath: resolve(outPath) } });
  },
};
