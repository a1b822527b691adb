/**
 * Image drift: new pictures against the pictures a version was trained on. Each picture becomes
 * one row of simple statistics (stats.ts: brightness, contrast, width, height, aspect, channel
 * means) plus the model's prediction, and the two tables go through the same column-by-column
 * drift engine as tabular data (workers/drift: KS for small references, PSI beside it, prediction
 * drift, performance drift when the new pictures are in class folders), so the report, its
 * storage, its HTML page and the drift history are those of every other version.
 *
 * The training side is summarised once, when the version is trained, and stored in its
 * metadata.json (`driftReference`, at most `REFERENCE_MAX` pictures, a seeded sample beyond): the
 * check needs neither the training folder nor a second pass over it, and a bundle carries it.
 *
 * Beside the statistics, the pictures are compared as the network sees them (embedding.ts: its
 * last hidden layer, principal components, an MMD test), reported under `image.embedding` with a
 * plain sentence that leads the summary. Versions saved before that have no `embedding` in their
 * summary: their report says so in `image.note` and compares the statistics as before.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { compareWithReference } from '../drift/engine.js';
import type { DriftOptions, DriftReport } from '../drift/index.js';
import { UserInputError, throwIfCancelled, type JobContext } from '../protocol.js';
import { loadBestBackend } from '../tfjs/backend.js';
import { Rng } from '../trainer/random.js';
import { loadImageArtifact } from './artifact.js';
import { ImageReadError, loadImage } from './decode.js';
import { picturesOf } from './predict.js';
import { argmaxRow, scorePictures } from './score.js';
import { pictureStats, statColumns, type PictureStats } from './stats.js';
import { registerWasmConvKernels } from './wasm-conv.js';
import { DEFAULT_THRESHOLDS } from '../drift/select.js';
import { EMBEDDING_MAX, MIN_PICTURES, embedFiles, embeddingDrift, embeddingModel, type EmbeddingReference, type ImageDriftDetails } from './embedding.js';

/** Pictures kept in the training-side summary: at most 1,000, so the KS test (small reference) decides, as Evidently's defaults do. */
export const REFERENCE_MAX = 1000;
/** Current pictures read at most (a seeded sample beyond). */
export const CURRENT_MAX = 5000;

/** The training-side summary saved in metadata.json. */
export interface ImageDriftReference {
  version: 1;
  /** Pictures in the training data; `columns` holds a sample of `sampled` of them. */
  images: number;
  sampled: number;
  columns: Partial<Record<keyof PictureStats, number[]>>;
  /** The model's prediction on each sampled picture that it did not learn from (validation, test); null for training pictures. */
  prediction: (string | null)[];
  /** Held-out pictures' embeddings, reduced (embedding.ts); absent in versions saved before embedding drift. */
  embedding?: EmbeddingReference;
  /** Why a version saved with embedding drift has no `embedding` (too few held-out pictures). */
  embeddingSkipped?: string;
}

/** Said when a version has no embedding summary. */
export const NO_EMBEDDING_NOTE =
  'This version was saved before embedding drift existed, so only the picture statistics were compared, not how the pictures look to the model. Train it again (same folder and settings) to compare that too.';

const round = (v: number) => Math.round(v * 1000) / 1000;

/** Seeded sample of at most `max` indices of `n`, in order. */
export function sampleIndices(n: number, max: number, seed: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= max) return all;
  return (new Rng(seed).shuffle(all) as number[]).slice(0, max).sort((a, b) => a - b);
}

/** Statistics of the given pictures (unreadable ones are skipped); `onEach` sees the index of each read one. */
export async function statsOf(paths: string[], colour: boolean, signal?: AbortSignal): Promise<{ columns: Record<string, number[]>; read: number[]; unreadable: number }> {
  const names = statColumns(colour);
  const columns: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const read: number[] = [];
  let unreadable = 0;
  for (const [i, path] of paths.entries()) {
    if (signal && i % 64 === 0) throwIfCancelled(signal);
    try {
      const s = await pictureStats(await loadImage(path));
      for (const n of names) columns[n]!.push(round(s[n]));
      read.push(i);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      unreadable++;
    }
  }
  return { columns, read, unreadable };
}

/** The training-side summary: statistics of a sample of the training pictures and the model's held-out predictions. */
export async function buildDriftReference(paths: string[], heldOut: Map<number, string>, colour: boolean, seed: number, signal?: AbortSignal): Promise<ImageDriftReference> {
  const picked = sampleIndices(paths.length, REFERENCE_MAX, seed);
  const { columns, read } = await statsOf(picked.map((i) => paths[i]!), colour, signal);
  return { version: 1, images: paths.length, sampled: read.length, columns, prediction: read.map((j) => heldOut.get(picked[j]!) ?? null) };
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function tableCsv(columns: Record<string, (number | string | null)[]>): string {
  const names = Object.keys(columns);
  const n = columns[names[0]!]?.length ?? 0;
  const lines = [names.map(csvCell).join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((c) => csvCell(columns[c]![i] ?? null)).join(','));
  return `${lines.join('\n')}\n`;
}

/** What an image drift check needs from the version. */
export interface ImageDriftModel {
  artifactDir: string;
  testMetrics: Record<string, unknown>;
}

/** Drift of the pictures in `currentPath` (a folder, a .txt list or a CSV of paths) against the version's training pictures. */
export async function imageDriftReport(model: ImageDriftModel, currentPath: string, options: DriftOptions, ctx: JobContext): Promise<DriftReport & { image: ImageDriftDetails }> {
  const { tf } = await loadBestBackend();
  if (tf.getBackend() === 'wasm') registerWasmConvKernels();
  ctx.progress({ fraction: 0.02, stage: 'Loading the model' });
  const { model: network, preprocessing: pre, metadata } = await loadImageArtifact(tf, model.artifactDir);
  const scratch = await mkdtemp(join(tmpdir(), 'pilot-image-drift-'));
  try {
    const reference = metadata.driftReference as ImageDriftReference | undefined;
    if (!reference?.columns) {
      throw new UserInputError('This image version was trained before image drift existed, so it holds no summary of its training pictures. Train it again (same folder and settings) to check drift against it.');
    }
    const { base, paths: listed } = await picturesOf(currentPath);
    if (listed.length === 0) throw new UserInputError(`No pictures found in ${currentPath}: give a folder of pictures (any depth), a .txt list of paths or a CSV with a path column.`);
    const warnings: string[] = [];
    const paths = sampleIndices(listed.length, CURRENT_MAX, 42).map((i) => listed[i]!);
    if (paths.length < listed.length) warnings.push(`${listed.length} pictures found; a seeded sample of ${paths.length} was compared.`);
    if (reference.sampled < reference.images) warnings.push(`The training side is a seeded sample of ${reference.sampled} of its ${reference.images} pictures.`);
    const colour = pre.channels === 3;
    ctx.progress({ fraction: 0.1, stage: `Reading ${paths.length} pictures` });
    const current = await statsOf(paths, colour, ctx.signal);
    if (current.unreadable > 0) warnings.push(`${current.unreadable} of ${paths.length} pictures could not be read and were left out.`);
    const readPaths = current.read.map((i) => paths[i]!);
    ctx.progress({ fraction: 0.5, stage: 'Applying the model' });
    const scored = await scorePictures(tf, network as tfjs.LayersModel, pre, readPaths, { signal: ctx.signal });
    ctx.progress({ fraction: 0.7, stage: 'Comparing how the pictures look to the model' });
    const image = await embeddingCheck(tf, network, pre, reference.embedding, reference.embeddingSkipped, readPaths, options, ctx.signal);
    const k = pre.classes.length;
    const predictions = readPaths.map((_, i) => (scored.errors[i] === null ? pre.classes[argmaxRow(scored.probs, i, k)]! : null));
    // Pictures in folders named after the model's classes carry their true label: then performance is measured too.
    const labels = readPaths.map((p) => {
      const first = relative(base, p).split(sep)[0] ?? '';
      return relative(base, p).includes(sep) && pre.classes.includes(first) ? first : null;
    });
    const labelled = labels.filter((l) => l !== null).length;
    const withLabels = labelled >= Math.max(2, readPaths.length * 0.9);
    const names = statColumns(colour);
    const referenceTable: Record<string, (number | string | null)[]> = { ...Object.fromEntries(names.map((n) => [n, reference.columns[n] ?? []])), prediction: reference.prediction };
    const currentTable: Record<string, (number | string | null)[]> = { ...current.columns, prediction: predictions };
    if (withLabels) currentTable.label = labels;
    const referenceCsv = join(scratch, 'training-pictures.csv');
    const currentCsv = join(scratch, 'current-pictures.csv');
    await writeFile(referenceCsv, tableCsv(referenceTable));
    await writeFile(currentCsv, tableCsv(currentTable));
    const accuracy = typeof model.testMetrics.accuracy === 'number' ? model.testMetrics.accuracy : null;
    const report = await compareWithReference(
      {
        referencePath: referenceCsv,
        currentPath: currentCsv,
        options: {
          ...options,
          predictionColumn: 'prediction',
          ...(withLabels ? { labelColumn: 'label', ...(accuracy !== null ? { referenceMetric: { metric: 'accuracy' as const, value: accuracy } } : {}) } : {}),
          includeProfile: false,
        },
      },
      { ...ctx, progress: (p) => ctx.progress({ ...p, fraction: 0.8 + 0.19 * p.fraction }) },
    );
    // The label column exists only on the current side (it is the folder name), so it has no drift to report.
    const { labelDrift: _label, ...rest } = report;
    const sourceName = String((metadata as { source?: unknown }).source ?? 'training pictures');
    const embedding = image.embedding;
    // The model seeing a change is a reason to keep watching even when no statistic moved.
    const raise = embedding?.drifted === true && report.recommendation === 'none';
    const tail = report.summary.replace(/no action needed\.$/, 'keep watching: the model sees a change the picture statistics do not.');
    return {
      ...rest,
      image,
      summary: embedding ? `${embedding.explanation} ${raise ? tail : report.summary}` : report.summary,
      recommendation: raise ? 'watch' : report.recommendation,
      labelDrift: null,
      extraColumns: report.extraColumns.filter((c) => c !== 'label'),
      files: { reference: { ...report.files.reference, file: `${sourceName} (training pictures)` }, current: { ...report.files.current, file: currentPath } },
      warnings: [...warnings, ...report.warnings],
    };
  } finally {
    network.dispose();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The embedding check of the read pictures (a seeded sample of at most EMBEDDING_MAX), or the note why there is none. */
async function embeddingCheck(
  tf: typeof tfjs,
  network: tfjs.LayersModel,
  pre: Parameters<typeof scorePictures>[2],
  reference: EmbeddingReference | undefined,
  skipped: string | undefined,
  paths: string[],
  options: DriftOptions,
  signal: AbortSignal,
): Promise<ImageDriftDetails> {
  if (!reference) return { embedding: null, note: skipped ?? NO_EMBEDDING_NOTE };
  const embedder = embeddingModel(tf, network);
  if (!embedder || embedder.dims !== reference.dims) return { embedding: null, note: `The model's last hidden layer no longer matches the saved embedding summary (${reference.layer}, ${reference.dims} values), so only the picture statistics were compared.` };
  const sample = sampleIndices(paths.length, EMBEDDING_MAX, 43).map((i) => paths[i]!);
  const embeddings = await embedFiles(tf, embedder.model, embedder.dims, pre, sample, signal);
  if (embeddings.length < MIN_PICTURES) return { embedding: null, note: `Only ${embeddings.length} of the new pictures could be read: too few (${MIN_PICTURES} at least) to compare how they look to the model.` };
  const threshold = options.thresholds?.pValue ?? DEFAULT_THRESHOLDS.pValue;
  return { embedding: embeddingDrift(reference, embeddings, threshold, 42), note: null };
}

/** Reads an image version's training-side drift summary (tests, the UI). */
export async function readDriftReference(artifactDir: string): Promise<ImageDriftReference | null> {
  const metadata = JSON.parse(await readFile(join(artifactDir, 'metadata.json'), 'utf8')) as { driftReference?: ImageDriftReference };
  return metadata.driftReference ?? null;
}
