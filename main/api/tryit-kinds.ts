/**
 * Handlers of trying text and image versions (and what anomaly and forecast versions offer
 * instead): the panel's facts from the version's saved preprocessing, and scoring as
 * `tryit.text` / `tryit.image` jobs whose results CSV is a download, at the version's threshold.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { RegistryVersion } from '../../db/registry.js';
import type { ImagePreprocessing } from '../../workers/image/artifact.js';
import type { TextPipeline } from '../../workers/text/artifact.js';
import type { App } from '../app-types.js';
import { MAX_TRY_FILES, MAX_TRY_PICTURES, MAX_TYPED_CHARS, MAX_TYPED_TEXTS, type TryAbout, type tryitKindChannels } from '../contract/tryit-kinds.js';
import { AppError } from '../errors.js';
import { newDownload } from './downloads.js';
import type { HandlersOf } from './types.js';
import { versionOf } from './version-ref.js';

async function saved<T>(version: RegistryVersion): Promise<T> {
  try {
    return JSON.parse(await readFile(join(version.artifactDir, 'preprocessing.json'), 'utf8')) as T;
  } catch {
    throw new AppError('not-found', `The model files of ${version.projectName} v${version.version} are missing or damaged (preprocessing.json in ${version.artifactDir}). Import its bundle again.`);
  }
}

function ofKind(app: App, ref: string | number, kind: 'text' | 'image'): RegistryVersion {
  const version = versionOf(app.store.read, ref);
  if (version.kind !== kind) {
    const what = kind === 'text' ? 'documents' : 'pictures';
    throw new AppError('invalid-input', `${version.projectName} v${version.version} is a ${version.kind} model; trying ${what} is for ${kind} models.`);
  }
  return version;
}

/** Each file exists (an upload not swept away, a path that still holds a file); its name for messages. */
async function checkFiles(files: Array<{ path: string; name: string }>): Promise<Array<{ path: string; name: string }>> {
  const out: Array<{ path: string; name: string }> = [];
  for (const f of files) {
    const path = resolve(f.path);
    if (!(await stat(path).catch(() => null))?.isFile()) throw new AppError('not-found', `${f.name} is not there any more. Choose the file again.`);
    out.push({ path, name: basename(f.name) });
  }
  return out;
}

const stemOf = (files: Array<{ name: string }> | undefined, count: number, what: string) =>
  files?.length === 1 ? basename(files[0]!.name, extname(files[0]!.name)) : count === 1 ? `one-${what}` : `${count}-${what}s`;

const OTHER_KINDS = {
  anomaly: {
    message: 'An anomaly model scores whole rows against what it learned as usual, so it is tried on a file of rows: pilot predict adds each row’s score, flag and the columns that make it unusual.',
    commands: ['pilot predict VERSION new-rows.csv --out scored.csv'],
  },
  forecast: {
    message: 'A forecast model continues time series from their recent history, so there is no single case to type: give pilot predict a CSV with each series’ latest values and it writes the next steps with their intervals.',
    commands: ['pilot predict VERSION history.csv --out forecast.csv --horizon 7'],
  },
} as const;

export const tryitKindHandlers: HandlersOf<typeof tryitKindChannels> = {
  'tryit:about': async (input, app): Promise<TryAbout> => {
    const version = versionOf(app.store.read, input.ref);
    const about = { versionId: version.id, project: version.projectName, version: version.version };
    switch (version.kind) {
      case 'tabular':
        return { ...about, kind: 'tabular' };
      case 'text': {
        const pipeline = await saved<TextPipeline>(version);
        return {
          ...about,
          kind: 'text',
          task: pipeline.task,
          classes: pipeline.classes,
          positiveClass: pipeline.task === 'binary' ? pipeline.classes[1]! : null,
          threshold: version.threshold ?? 0.5,
          textColumn: pipeline.textColumn,
          target: pipeline.target,
          maskPii: pipeline.maskPii,
          maxChars: pipeline.maxChars,
          limits: { typedChars: MAX_TYPED_CHARS, typedTexts: MAX_TYPED_TEXTS, files: MAX_TRY_FILES, documents: 10_000, csvMegabytes: 64, documentMegabytes: 10 },
        };
      }
      case 'image': {
        const pre = await saved<ImagePreprocessing>(version);
        return { ...about, kind: 'image', classes: pre.classes, side: pre.side, channels: pre.channels, limits: { pictures: MAX_TRY_PICTURES } };
      }
      default: {
        const other = OTHER_KINDS[version.kind];
        const ref = `${version.projectName}@${version.version}`;
        return { ...about, kind: version.kind, message: other.message, commands: other.commands.map((c) => c.replace('VERSION', ref)) };
      }
    }
  },
  'tryit:text': async (input, app) => {
    const version = ofKind(app, input.ref, 'text');
    const files = input.files ? await checkFiles(input.files) : undefined;
    const count = input.texts?.length ?? files!.length;
    const download = await newDownload(app.options.dataDir, `${version.projectName}-v${version.version}-${stemOf(files, count, 'text')}-scored.csv`);
    return app.jobs.submit({
      kind: 'tryit.text',
      title: `Try ${version.projectName} v${version.version}${files?.length === 1 ? ` on ${files[0]!.name}` : ''}`,
      input: {
        artifactDir: version.artifactDir,
        ...(version.threshold !== null ? { threshold: version.threshold } : {}),
        ...(input.texts ? { texts: input.texts } : { files: files! }),
        outPath: download.path,
        explainDocuments: input.explainDocuments,
        versionId: version.id,
        downloadId: download.id,
        downloadName: download.fileName,
      },
    });
  },
  'tryit:images': async (input, app) => {
    const version = ofKind(app, input.ref, 'image');
    const files = await checkFiles(input.files);
    const download = await newDownload(app.options.dataDir, `${version.projectName}-v${version.version}-${stemOf(files, files.length, 'picture')}-scored.csv`);
    return app.jobs.submit({
      kind: 'tryit.image',
      title: `Try ${version.projectName} v${version.version}${files.length === 1 ? ` on ${files[0]!.name}` : ` on ${files.length} pictures`}`,
      input: { artifactDir: version.artifactDir, files, outPath: download.path, versionId: version.id, downloadId: download.id, downloadName: download.fileName },
    });
  },
};
