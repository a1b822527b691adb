/**
 * Applying a saved model version to new rows: the same preprocessing as in training, checked
 * against the artifact's checksums first. Columns the file lacks and categories training never saw
 * are handled (median / "other") and reported in plain words.
 */
import { stat, writeFile } from 'node:fs/promises';
import { ensureFreeSpace } from '../disk.js';
import type * as tfjs from '@tensorflow/tfjs';
import { UserInputError } from '../protocol.js';
import { loadBestBackend } from '../tfjs/backend.js';
import { loadArtifact } from './artifact.js';
import { canonicalRows, loadTable, MAX_TRAINING_BYTES, modelNumberFormats, notNumberWarnings } from './load.js';
import { predictLoaded } from '../predict/rows.js';

/** One row's answer: the predicted class with its probabilities, or the predicted value. */
export interface Prediction {
  label?: string;
  probabilities?: Record<string, number>;
  value?: number;
}

export interface PredictResult {
  rows: number;
  outPath: string;
  task: 'binary' | 'multiclass' | 'regression';
  /** Columns added to the output file. */
  addedColumns: string[];
  warnings: string[];
}

/**
 * Predicts `rows` (raw cells named by `header`) with the model in `artifactDir`. A binary model
 * calls a row positive when P(positive) ≥ `threshold` (the version's operating threshold; 0.5
 * when none was chosen).
 */
export async function predictRows(
  artifactDir: string,
  header: string[],
  rows: string[][],
  tf?: typeof tfjs,
  threshold = 0.5,
): Promise<{ predictions: Prediction[]; warnings: string[] }> {
  const lib = tf ?? (await loadBestBackend()).tf;
  const { model, pipeline } = await loadArtifact(lib, artifactDir);
  try {
    return predictLoaded(lib, model, pipeline, header, rows, threshold);
  } finally {
    model.dispose();
  }
}

/** How `predictFile` writes its output. */
export interface PredictFileOptions {
  /** Overwrite `outPath` if it exists (otherwise an existing file is refused, never replaced). */
  force?: boolean;
  /**
   * Prefix cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first)
   * with a single quote, as OWASP's CSV-injection advice says; numbers such as `-3.5` are kept.
   * Default true; false writes the cells exactly as they were.
   */
  escapeFormulas?: boolean;
  /** Binary models: the operating threshold on P(positive) (default 0.5). */
  threshold?: number;
}

/** Reads `csvPath`, predicts every row, and writes the rows with prediction columns added to `outPath`. */
export async function predictFile(artifactDir: string, csvPath: string, outPath: string, tf?: typeof tfjs, options: PredictFileOptions = {}): Promise<PredictResult> {
  const escape = options.escapeFormulas ?? true;
  const cell = (value: string) => csvCell(escape ? defuse(value) : value);
  if (!options.force && (await stat(outPath).catch(() => null))) {
    throw new UserInputError(`${outPath} already exists. Choose another output file, or pass --force to overwrite it.`);
  }
  ensureFreeSpace(outPath, Math.round((await stat(csvPath)).size * 1.5), 'the predictions file');
  const table = await loadTable(csvPath, MAX_TRAINING_BYTES);
  if (table.rows.length === 0) throw new UserInputError(`${csvPath} has a header but no rows to predict.`);
  // Numbers written as in the training file (decimal comma, thousands separators) are read that way; the output keeps them as written.
  const formats = await modelNumberFormats(artifactDir);
  const canonical = canonicalRows(table.columns, table.rows, formats);
  const { predictions, warnings } = await predictRows(artifactDir, table.columns, canonical.rows, tf, options.threshold);
  warnings.push(...notNumberWarnings(canonical.notNumbers, formats));
  const first = predictions[0]!;
  const probabilityColumns = first.probabilities ? Object.keys(first.probabilities) : [];
  const added = first.value !== undefined ? ['prediction'] : ['prediction', ...probabilityColumns.map((c) => `probability_${c}`)];
  const lines = [[...table.columns, ...added].map(cell).join(',')];
  table.rows.forEach((row, i) => {
    const p = predictions[i]!;
    const extra = p.value !== undefined ? [String(p.value)] : [p.label!, ...probabilityColumns.map((c) => p.probabilities![c]!.toFixed(6))];
    lines.push([...row, ...extra].map(cell).join(','));
  });
  // 'wx' refuses a file that appeared since the check above; --force replaces it.
  await writeFile(outPath, `${lines.join('\n')}\n`, { flag: options.force ? 'w' : 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new UserInputError(`${outPath} already exists. Choose another output file, or pass --force to overwrite it.`);
    throw error;
  });
  return {
    rows: table.rows.length,
    outPath,
    task: first.value !== undefined ? 'regression' : probabilityColumns.length === 2 ? 'binary' : 'multiclass',
    addedColumns: added,
    warnings: [...table.warnings, ...warnings],
  };
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A cell a spreadsheet would evaluate (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`) gets a leading `'`; plain numbers stay numbers. */
export function defuse(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
