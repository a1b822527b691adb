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
import { transform } from './preprocess.js';

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

const CHUNK = 4096;

/** Predicts `rows` (raw cells named by `header`) with the model in `artifactDir`. */
export async function predictRows(
  artifactDir: string,
  header: string[],
  rows: string[][],
  tf?: typeof tfjs,
): Promise<{ predictions: Prediction[]; warnings: string[] }> {
  const lib = tf ?? (await loadBestBackend()).tf;
  const { model, pipeline } = await loadArtifact(lib, artifactDir);
  try {
    const { preprocessing, target } = pipeline;
    const { x, report } = transform(preprocessing, header, rows);
    const warnings: string[] = [];
    const features = preprocessing.features.map((f) => f.column);
    if (report.missingColumns.length === features.length) {
      throw new UserInputError(
        `None of the model's columns are in the file (it needs ${features.join(', ')}). Check that this is the right file for this model.`,
      );
    }
    if (report.missingColumns.length) {
      warnings.push(
        `Column(s) ${report.missingColumns.map((c) => `"${c}"`).join(', ')} are missing from the file: every row uses the training median or most common value instead, so predictions are less reliable. Add the column(s) for full accuracy.`,
      );
    }
    for (const [column, count] of Object.entries(report.unseen)) {
      warnings.push(`"${column}": ${count} row(s) have a category the model did not learn in training (new or rare); they were treated as "other".`);
    }
    const d = preprocessing.inputs.length;
    const predictions: Prediction[] = [];
    for (let start = 0; start < rows.length; start += CHUNK) {
      const n = Math.min(CHUNK, rows.length - start);
      const input = lib.tensor2d(x.subarray(start * d, (start + n) * d), [n, d]);
      const result = model.predict(input) as tfjs.Tensor;
      const output = result.dataSync();
      input.dispose();
      result.dispose();
      for (let i = 0; i < n; i++) {
        if (target.task === 'regression') predictions.push({ value: output[i]! * target.std + target.mean });
        else if (target.task === 'binary') {
          const p = output[i]!;
          predictions.push({ label: target.classes[p >= 0.5 ? 1 : 0]!, probabilities: { [target.classes[0]!]: 1 - p, [target.classes[1]!]: p } });
        } else {
          const k = target.classes.length;
          let best = 0;
          const probabilities: Record<string, number> = {};
          for (let j = 0; j < k; j++) {
            probabilities[target.classes[j]!] = output[i * k + j]!;
            if (output[i * k + j]! > output[i * k + best]!) best = j;
          }
          predictions.push({ label: target.classes[best]!, probabilities });
        }
      }
    }
    return { predictions, warnings };
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
  const { predictions, warnings } = await predictRows(artifactDir, table.columns, canonical.rows, tf);
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
