/**
 * Handlers of trying a version: the form's schema (from the saved pipeline, with the training
 * rows' ranges once they were read), scoring as a `tryit.score` job whose CSV is a download, and
 * downloads of results, bundles and model cards.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { getDataset } from '../../db/datasets.js';
import type { RegistryVersion } from '../../db/registry.js';
import { getRunParams } from '../../db/runs.js';
import type { SavedPipeline } from '../../workers/trainer/artifact.js';
import { MISSING_LEVEL } from '../../workers/trainer/preprocess.js';
import type { BackgroundCache, ColumnRange } from '../../workers/tryit/background.js';
import type { App } from '../app-types.js';
import type { TryField, TrySchema, tryitChannels } from '../contract/tryit.js';
import { AppError } from '../errors.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import { checkDataset } from './datasets.js';
import { findDownload, newDownload } from './downloads.js';
import { exportHandlers } from './export.js';
import { modelHandlers } from './models.js';
import type { HandlersOf } from './types.js';
import { versionOf } from './version-ref.js';

/** The largest download `downloads:read` hands to the desktop renderer as text. */
const MAX_READ_BYTES = 50 * 1024 * 1024;

export function defineTryitJobs(jobs: JobSupervisor): void {
  // The stored result is the worker's own; the download id is in the job's input.
  jobs.define('tryit.score', { resource: 'cpu' });
  jobs.define('tryit.text', { resource: 'cpu' });
  jobs.define('tryit.image', { resource: 'cpu' });
}

/** The background cache of a version (workers/tryit/background.ts writes it). */
function cachePath(app: App, version: RegistryVersion): string {
  return join(app.options.dataDir, 'tryit', `version-${version.id}-${version.datasetSha256.slice(0, 16)}.json`);
}

function tabular(app: App, ref: string | number): RegistryVersion {
  const version = versionOf(app.store.read, ref);
  if (version.kind !== 'tabular') {
    throw new AppError('invalid-input', `${version.projectName} v${version.version} is a ${version.kind} model; trying rows in a form is for table models. Use Predict with a file of that kind instead.`);
  }
  return version;
}

async function pipelineOf(version: RegistryVersion): Promise<SavedPipeline> {
  try {
    return JSON.parse(await readFile(join(version.artifactDir, 'preprocessing.json'), 'utf8')) as SavedPipeline;
  } catch {
    throw new AppError('not-found', `The model files of ${version.projectName} v${version.version} are missing or damaged (preprocessing.json in ${version.artifactDir}). Import its bundle again.`);
  }
}

/** The run's settings and the data's hash, to read the training rows again; or why they cannot be. */
async function trainingOf(app: App, version: RegistryVersion): Promise<{ input: Record<string, unknown>; datasetSha256: string } | { reason: string }> {
  const params = getRunParams(app.store.read, version.runId);
  if (typeof params.file !== 'string' || typeof params.target !== 'string') return { reason: 'this version was imported or its run kept no settings' };
  if (version.datasetId === null) return { reason: 'its training dataset is no longer registered' };
  const dataset = getDataset(app.store.read, version.datasetId);
  if (!dataset) return { reason: 'its training dataset is no longer registered' };
  const check = await checkDataset(dataset);
  if (check.status === 'missing') return { reason: `${dataset.name} is no longer where it was` };
  if (check.currentSha256 !== version.datasetSha256) return { reason: `${dataset.name} changed since this version was trained on it` };
  const input = Object.fromEntries(Object.entries(params).filter(([key]) => !key.startsWith('hp.') && key !== 'usedBackend' && key !== 'runKey'));
  return { input: { ...input, file: dataset.path }, datasetSha256: version.datasetSha256 };
}

async function cachedRanges(path: string, sha: string): Promise<ColumnRange[] | null> {
  if (!existsSync(path)) return null;
  try {
    const cache = JSON.parse(await readFile(path, 'utf8')) as BackgroundCache;
    return cache.datasetSha256 === sha ? cache.ranges : null;
  } catch {
    return null;
  }
}

/** A number as typed in a form: no trailing float noise. */
function plain(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** The form's inputs: each feature column with its default (median or most common) and what training saw. */
export function formFields(pipeline: SavedPipeline, ranges: ColumnRange[] | null): TryField[] {
  const byColumn = new Map((ranges ?? []).map((r) => [r.column, r]));
  return pipeline.preprocessing.features.map((feature): TryField => {
    const range = byColumn.get(feature.column);
    const seen = range?.kind === 'values' ? range.values.map((v) => v.value) : null;
    switch (feature.kind) {
      case 'numeric': {
        const median = plain(feature.scaler.median);
        const number = range?.kind === 'number' ? range : null;
        return { column: feature.column, kind: 'number', default: median, min: number?.min ?? null, max: number?.max ?? null, typical: `median ${median}` };
      }
      case 'boolean': {
        const choices = seen ?? [feature.falseValue, feature.trueValue];
        const usual = feature.mode === 1 ? feature.trueValue : feature.falseValue;
        const initial = choices.find((c) => c.toLowerCase() === usual) ?? usual;
        return { column: feature.column, kind: 'choice', default: initial, choices, typical: `most often ${initial}` };
      }
      case 'categorical': {
        const levels = feature.levels.filter((l) => l !== MISSING_LEVEL);
        const choices = seen ?? levels;
        const common = levels[0] ?? choices[0] ?? '';
        return { column: feature.column, kind: 'choice', default: common, choices, typical: common ? `most often ${common}` : 'no common value' };
      }
      case 'date':
        return { column: feature.column, kind: 'date', default: '', typical: 'a date, e.g. 2024-03-01' };
      case 'hashed':
        return seen
          ? { column: feature.column, kind: 'choice', default: seen[0] ?? '', choices: seen, typical: `most often ${seen[0] ?? ''}` }
          : { column: feature.column, kind: 'text', default: '', typical: 'any value' };
    }
  });
}

const cellText = (value: string | number | boolean | null | undefined): string => (value === null || value === undefined ? '' : String(value));

export const tryitHandlers: HandlersOf<typeof tryitChannels> = {
  'tryit:schema': async (input, app): Promise<TrySchema> => {
    const version = tabular(app, input.ref);
    const pipeline = await pipelineOf(version);
    const training = await trainingOf(app, version);
    const ranges = await cachedRanges(cachePath(app, version), version.datasetSha256);
    const target = pipeline.target;
    return {
      versionId: version.id,
      project: version.projectName,
      version: version.version,
      task: target.task,
      classes: target.task === 'regression' ? [] : target.classes,
      positiveClass: target.task === 'binary' ? target.classes[1]! : null,
      threshold: version.threshold ?? 0.5,
      target: target.column,
      fields: formFields(pipeline, ranges),
      background:
        'reason' in training
          ? { source: 'typical', note: `Reasons compare with one typical row (medians and most common values): ${training.reason}.` }
          : { source: 'training', note: 'Reasons compare with a random sample of 100 of the training rows.' },
      rangesFromTraining: ranges !== null,
    };
  },
  'tryit:score': async (input, app) => {
    const version = tabular(app, input.ref);
    const pipeline = await pipelineOf(version);
    const training = await trainingOf(app, version);
    let source: { table: { header: string[]; rows: string[][] } } | { path: string; fileName: string };
    let stem: string;
    if (input.rows) {
      // The model's columns first (blanks where not given), then any others as typed.
      const given = input.columns!;
      const features = pipeline.preprocessing.features.map((f) => f.column);
      const header = [...features, ...given.filter((c) => !features.includes(c))];
      const at = header.map((c) => given.indexOf(c));
      source = { table: { header, rows: input.rows.map((row) => at.map((i) => (i < 0 ? '' : cellText(row[i])))) } };
      stem = input.rows.length === 1 ? 'one-row' : `${input.rows.length}-rows`;
    } else {
      const path = resolve(input.path!);
      const fileName = input.fileName ?? basename(path);
      if (!(await stat(path).catch(() => null))?.isFile()) throw new AppError('not-found', `${fileName} is not there any more. Choose the file again.`);
      source = { path, fileName };
      stem = basename(fileName, extname(fileName));
    }
    const download = await newDownload(app.options.dataDir, `${version.projectName}-v${version.version}-${stem}-scored.csv`);
    return app.jobs.submit({
      kind: 'tryit.score',
      title: `Try ${version.projectName} v${version.version}${'path' in source ? ` on ${source.fileName}` : ''}`,
      input: {
        artifactDir: version.artifactDir,
        ...(version.threshold !== null ? { threshold: version.threshold } : {}),
        ...source,
        outPath: download.path,
        explainRows: input.explainRows,
        samples: input.samples,
        training: 'reason' in training ? null : training,
        ...('reason' in training ? { noTrainingReason: training.reason } : {}),
        cachePath: cachePath(app, version),
        versionId: version.id,
        downloadId: download.id,
        downloadName: download.fileName,
      },
    });
  },
  'downloads:read': async (input, app) => {
    const found = await findDownload(app.options.dataDir, input.id);
    if (!found) throw new AppError('not-found', 'That download is gone (downloads are kept for a day). Run it again.');
    if (found.bytes > MAX_READ_BYTES) throw new AppError('invalid-input', `${found.fileName} is ${Math.round(found.bytes / 1e6)} MB, too large to save from here. It is at ${found.path}.`);
    return { fileName: found.fileName, text: await readFile(found.path, 'utf8') };
  },
  'models:download': async (input, app) => {
    const version = versionOf(app.store.read, input.ref);
    const stem = `${version.projectName}-v${version.version}`;
    if (input.what === 'bundle') {
      const download = await newDownload(app.options.dataDir, `${stem}.pilotmodel`);
      // The bundle file's own name (a slug of the project) decides the download's name.
      const written = await modelHandlers['models:export']({ ref: version.id, path: download.folder, format: 'bundle' }, app);
      return { id: download.id, fileName: basename(written.path), bytes: written.bytes };
    }
    const format = input.what === 'card-html' ? 'html' : 'md';
    const download = await newDownload(app.options.dataDir, `${stem}-model-card.${format}`);
    const written = await exportHandlers['models:card']({ ref: version.id, format, path: download.path }, app);
    return { id: download.id, fileName: download.fileName, bytes: written.bytes };
  },
};
