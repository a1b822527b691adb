/**
 * The `tryit.score` engine: scores a few new rows (typed in a form, or a small CSV) with a
 * registered tabular version, through the same rows → predictions path as `pilot predict`
 * (`predictLoaded`, at the version's operating threshold), and explains each of the first rows with
 * per-feature contributions (shapley.ts) against a background sample of the training rows
 * (background.ts). The rows with their predictions and top reasons are written as a CSV whose
 * prediction columns are what `pilot predict` writes for the same rows.
 */
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { topReasons } from '../../common/reasons.js';
import { throwIfCancelled, UserInputError, type Engine } from '../protocol.js';
import { predictLoaded } from '../predict/rows.js';
import { loadBestBackend } from '../tfjs/backend.js';
import { loadArtifact } from '../trainer/artifact.js';
import { canonicalRows, loadTable, modelNumberFormats, notNumberWarnings } from '../trainer/load.js';
import type { Prediction } from '../trainer/predict.js';
import { defuse } from '../trainer/predict.js';
import { inputNames, transform } from '../trainer/preprocess.js';
import { encodeBackground, trainingBackground, typicalBackground, type Background, type ColumnRange } from './background.js';
import { linkEvaluator, logitsModel } from './link.js';
import { shapleySampling, type Block } from './shapley.js';

/** Most rows a try-it file may have: larger files are for `pilot predict` / the Predict job. */
export const MAX_TRY_ROWS = 10_000;
/** Rows sent back for the table (the CSV has them all). */
const SHOWN_ROWS = 500;

export const tryitInputSchema = z.object({
  artifactDir: z.string().min(1),
  /** Binary: the version's operating threshold (default 0.5). */
  threshold: z.number().gt(0).lt(1).optional(),
  /** Rows typed in the form: raw cells named by `header`. */
  table: z.object({ header: z.array(z.string()).min(1), rows: z.array(z.array(z.string())).min(1).max(MAX_TRY_ROWS) }).optional(),
  /** Or a CSV file of rows. */
  path: z.string().min(1).optional(),
  /** What the user calls the file (an upload's own name), for messages. */
  fileName: z.string().default('the rows'),
  /** Where the results CSV goes (a new file). */
  outPath: z.string().min(1),
  /** Rows explained (the first ones). */
  explainRows: z.number().int().min(0).max(1000).default(100),
  /** Background rows drawn from the training split. */
  backgroundRows: z.number().int().min(1).max(1000).default(100),
  /** Feature orders sampled per explained row (rounded up to a multiple of 2 × background rows). */
  samples: z.number().int().min(2).max(100_000).default(1000),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(42),
  /** The run's settings and the data's SHA-256, to read the training rows again; null when gone. */
  training: z.object({ input: z.record(z.string(), z.unknown()), datasetSha256: z.string() }).nullable(),
  /** Why there is no training data (shown with the typical-row fallback). */
  noTrainingReason: z.string().optional(),
  /** The background cache of this version. */
  cachePath: z.string().min(1),
});
export type TryitInput = z.infer<typeof tryitInputSchema>;

export interface Explanation {
  /** Row index in the scored rows. */
  row: number;
  /** The class whose log-odds are explained, or null for a number. */
  explained: string | null;
  /** The mean output over the background, and the row's output: base + Σ contributions = output (link space). */
  base: number;
  output: number;
  contributions: Array<{ column: string; value: string; contribution: number; standardError: number }>;
  /** The top reasons in words, strongest first. */
  reasons: string[];
}

export interface TryitResult {
  task: 'binary' | 'multiclass' | 'regression';
  classes: string[];
  threshold: number;
  /** The scored rows' columns, and the first rows (at most SHOWN_ROWS) with their predictions. */
  header: string[];
  rows: string[][];
  predictions: Prediction[];
  totalRows: number;
  explanations: Explanation[];
  /** How the contributions were estimated, in words, and its figures. */
  method: { samples: number; backgroundRows: number; seed: number; background: Background['source']; note: string; space: string };
  /** The form's figures from the training rows (null without training data). */
  ranges: ColumnRange[] | null;
  outPath: string;
  /** Columns added to the CSV after the input columns. */
  addedColumns: string[];
  warnings: string[];
  seconds: number;
}

export const tryitEngine: Engine<TryitInput, TryitResult> = async (input, ctx) => {
  const started = performance.now();
  if (!input.table === !input.path) throw new UserInputError('Give either rows typed in the form or a CSV file, not both.');
  ctx.progress({ fraction: 0.02, stage: 'Loading the model' });
  const { tf } = await loadBestBackend();
  const { model, pipeline } = await loadArtifact(tf, input.artifactDir);
  const logits = logitsModel(tf, model);
  try {
    const { header, rows, scored, warnings } = await readRows(input, input.artifactDir);
    const { predictions, warnings: predictWarnings } = predictLoaded(tf, model, pipeline, header, scored, input.threshold);
    warnings.push(...predictWarnings);
    throwIfCancelled(ctx.signal);

    const target = pipeline.target;
    const classes = target.task === 'regression' ? [] : target.classes;
    let background: Background;
    ctx.progress({ fraction: 0.1, stage: 'Reading training rows for the comparison' });
    if (input.training) {
      const cache = await trainingBackground(input.cachePath, input.training, pipeline.preprocessing.features.map((f) => f.column), input.backgroundRows, input.seed);
      background = encodeBackground(cache, pipeline);
    } else {
      background = typicalBackground(pipeline, input.noTrainingReason ?? 'the training data is not available');
    }

    const blocks = blocksOf(pipeline.preprocessing.features);
    const { x } = transform(pipeline.preprocessing, header, scored);
    const d = pipeline.preprocessing.inputs.length;
    const k = target.task === 'multiclass' ? target.classes.length : 1;
    const explainCount = Math.min(rows.length, input.explainRows);
    const explanations: Explanation[] = [];
    let samples = 0;
    const columnIndex = new Map(header.map((h, i) => [h, i]));
    for (let r = 0; r < explainCount; r++) {
      throwIfCancelled(ctx.signal);
      ctx.progress({ fraction: 0.15 + 0.8 * (r / Math.max(1, explainCount)), stage: `Explaining row ${r + 1} of ${explainCount}` });
      const p = predictions[r]!;
      const classIndex = target.task === 'multiclass' ? target.classes.indexOf(p.label!) : 1;
      const explained = target.task === 'regression' ? null : target.task === 'binary' ? target.classes[1]! : p.label!;
      const f = linkEvaluator(tf, logits, k, {
        task: target.task,
        classIndex,
        mean: target.task === 'regression' ? target.mean : 0,
        std: target.task === 'regression' ? target.std : 1,
      });
      const result = await shapleySampling(f, x.slice(r * d, (r + 1) * d), blocks, background.x, background.m, { samples: input.samples, seed: input.seed + r });
      samples = result.samples;
      const contributions = result.contributions.map((c) => ({
        column: c.column,
        value: rows[r]![columnIndex.get(c.column) ?? -1] ?? '',
        contribution: c.value,
        standardError: c.standardError,
      }));
      // Class names that are numbers ("0", "1") read better with the target's name.
      const named = (label: string) => (/^-?\d+(\.\d+)?$/.test(label) ? `${target.column} = ${label}` : label);
      const others = target.task === 'binary' ? `“${named(target.classes[0]!)}”` : null;
      const scale = target.task === 'regression' ? target.std : 1;
      const reasons = topReasons(contributions, explained === null ? null : named(explained), scale, 5, others).map((reason) => reason.words);
      explanations.push({ row: r, explained, base: result.base, output: result.output, contributions, reasons });
    }
    if (explainCount < rows.length) warnings.push(`Reasons are given for the first ${explainCount} of ${rows.length.toLocaleString('en')} rows; every row is predicted.`);

    ctx.progress({ fraction: 0.97, stage: 'Writing the results' });
    const added = await writeResults(input.outPath, header, rows, predictions, explanations);
    ctx.progress({ fraction: 1, stage: 'Done' });
    return {
      task: target.task,
      classes,
      threshold: input.threshold ?? 0.5,
      header,
      rows: rows.slice(0, SHOWN_ROWS),
      predictions: predictions.slice(0, SHOWN_ROWS),
      totalRows: rows.length,
      explanations,
      method: {
        samples,
        backgroundRows: background.m,
        seed: input.seed,
        background: background.source,
        note: background.note,
        space: target.task === 'regression' ? `the prediction in ${target.column}'s units` : 'log-odds of the class (a push of +1 takes even odds to about 73 %)',
      },
      ranges: background.ranges,
      outPath: input.outPath,
      addedColumns: added,
      warnings,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    logits.dispose();
    model.dispose();
  }
};

/** Each source column's inputs, in the pipeline's order. */
export function blocksOf(features: Parameters<typeof inputNames>[0][]): Block[] {
  let start = 0;
  return features.map((feature) => {
    const width = inputNames(feature).length;
    const block = { column: feature.column, start, end: start + width };
    start += width;
    return block;
  });
}

/** The rows to score: the form's, or the file's (read as `pilot predict` reads it); messages name the user's file. */
async function readRows(input: TryitInput, artifactDir: string): Promise<{ header: string[]; rows: string[][]; scored: string[][]; warnings: string[] }> {
  const formats = await modelNumberFormats(artifactDir);
  if (input.table) {
    const canonical = canonicalRows(input.table.header, input.table.rows, formats);
    return { header: input.table.header, rows: input.table.rows, scored: canonical.rows, warnings: notNumberWarnings(canonical.notNumbers, formats) };
  }
  const path = input.path!;
  let table;
  try {
    table = await loadTable(path, { maxBytes: 64 * 1024 * 1024 });
  } catch (error) {
    if (error instanceof UserInputError) throw new UserInputError(error.message.split(path).join(input.fileName));
    throw error;
  }
  if (table.rows.length === 0) throw new UserInputError(`${input.fileName} has a header but no rows to score.`);
  if (table.rows.length > MAX_TRY_ROWS) {
    throw new UserInputError(`${input.fileName} has ${table.rows.length.toLocaleString('en')} rows; trying a model takes at most ${MAX_TRY_ROWS.toLocaleString('en')}. Score the whole file with Predict (pilot predict VERSION FILE), or try a smaller sample.`);
  }
  // Formats apply to the scored values; the CSV keeps the cells as written (as pilot predict does).
  const canonical = canonicalRows(table.columns, table.rows, formats);
  return { header: table.columns, rows: table.rows, scored: canonical.rows, warnings: [...table.warnings, ...notNumberWarnings(canonical.notNumbers, formats)].map((w) => w.split(path).join(input.fileName)) };
}

/** The rows, `pilot predict`'s prediction columns (same cells and number formatting), then the top reasons. */
async function writeResults(outPath: string, header: string[], rows: string[][], predictions: Prediction[], explanations: Explanation[]): Promise<string[]> {
  const cell = (value: string) => csvCell(defuse(value));
  const first = predictions[0]!;
  const probabilityColumns = first.probabilities ? Object.keys(first.probabilities) : [];
  const added = [...(first.value !== undefined ? ['prediction'] : ['prediction', ...probabilityColumns.map((c) => `probability_${c}`)]), 'top_reasons'];
  const lines = [[...header, ...added].map(cell).join(',')];
  rows.forEach((row, i) => {
    const p = predictions[i]!;
    const extra = p.value !== undefined ? [String(p.value)] : [p.label!, ...probabilityColumns.map((c) => p.probabilities![c]!.toFixed(6))];
    lines.push([...row, ...extra, explanations[i]?.reasons.slice(0, 3).join('; ') ?? ''].map(cell).join(','));
  });
  await writeFile(outPath, `${lines.join('\n')}\n`, { flag: 'wx' });
  return added;
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

