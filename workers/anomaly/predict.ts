/**
 * Scoring new rows with a saved anomaly model: the same preprocessing as in training (checked
 * against the artifact's checksums first), the reconstruction error as the score, the stored
 * threshold for the flag, and the three columns that contributed most to each row's error.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { UserInputError } from '../protocol.js';
import { loadBestBackend } from '../tfjs/backend.js';
import { loadArtifact } from '../trainer/artifact.js';
import { canonicalRows, loadTable } from '../trainer/load.js';
import { defuse } from '../trainer/predict.js';
import { transform, type Preprocessing } from '../trainer/preprocess.js';
import { blocksOf, reconstructionScores, topContributions } from './reconstruction.js';

/** `preprocessing.json` of an anomaly model. */
interface AnomalyPipeline {
  preprocessing: Preprocessing;
  /** `errorWeights`: per input, 1 / its mean squared error on the validation rows believed normal. */
  anomaly: { threshold: number; errorWeights: number[] };
}

export interface AnomalyPredictResult {
  /** Tells this result from a tabular model's. */
  task: 'anomaly';
  rows: number;
  outPath: string;
  /** Columns added to the output file. */
  addedColumns: string[];
  /** Rows whose score reached the threshold. */
  flagged: number;
  threshold: number;
  warnings: string[];
}

export const ADDED_COLUMNS = ['anomaly_score', 'anomaly_flag', 'top_feature_1', 'top_feature_2', 'top_feature_3'];

const CHUNK = 4096;

/**
 * Reads `inputPath`, scores every row, and writes the rows with `anomaly_score`, `anomaly_flag`
 * (1 when the score is ≥ the model's threshold, or `options.threshold`) and `top_feature_1…3`
 * (`column (share of the error)`) added, to `outPath`.
 */
export async function predictAnomalies(
  artifactDir: string,
  inputPath: string,
  outPath: string,
  options: { threshold?: number; tf?: typeof tfjs; escapeFormulas?: boolean } = {},
): Promise<AnomalyPredictResult> {
  const lib = options.tf ?? (await loadBestBackend()).tf;
  const { model, metadata } = await loadArtifact(lib, artifactDir);
  try {
    if (metadata['kind'] !== 'anomaly') throw new UserInputError(`${artifactDir} is not an anomaly-detection model (its kind is "${String(metadata['kind'] ?? 'tabular')}"). Use pilot predict with that model's own kind.`);
    const pipeline = JSON.parse(await readFile(join(artifactDir, 'preprocessing.json'), 'utf8')) as AnomalyPipeline;
    const { preprocessing } = pipeline;
    const threshold = options.threshold ?? pipeline.anomaly.threshold;
    const table = await loadTable(inputPath, { numberFormats: preprocessing.numberFormats ?? {} });
    if (table.rows.length === 0) throw new UserInputError(`${inputPath} has a header but no rows to score.`);
    const { x, report } = transform(preprocessing, table.columns, table.rows);
    const features = preprocessing.features.map((f) => f.column);
    if (report.missingColumns.length === features.length) {
      throw new UserInputError(`None of the model's columns are in the file (it needs ${features.join(', ')}). Check that this is the right file for this model.`);
    }
    const warnings = [...table.warnings];
    if (report.missingColumns.length) {
      warnings.push(
        `Column(s) ${report.missingColumns.map((c) => `"${c}"`).join(', ')} are missing from the file: every row uses the training median or most common value instead, which hides anomalies in them. Add the column(s).`,
      );
    }
    for (const [column, count] of Object.entries(report.unseen)) {
      warnings.push(`"${column}": ${count} row(s) have a category the model did not learn in training (new or rare); they were treated as "other", which itself raises their score.`);
    }
    const d = preprocessing.inputs.length;
    const blocks = blocksOf(preprocessing);
    // The input's cells are written back: formula-like ones get a leading ' unless asked not to (CSV injection).
    const cell = options.escapeFormulas === false ? csvCell : (value: string) => csvCell(defuse(value));
    const lines = [[...table.columns, ...ADDED_COLUMNS].map(cell).join(',')];
    let flagged = 0;
    for (let start = 0; start < table.rows.length; start += CHUNK) {
      const n = Math.min(CHUNK, table.rows.length - start);
      const chunk = x.subarray(start * d, (start + n) * d);
      const output = lib.tidy(() => (model.predict(lib.tensor2d(chunk, [n, d])) as tfjs.Tensor).dataSync());
      const r = reconstructionScores(chunk, output, n, blocks, pipeline.anomaly.errorWeights);
      for (let i = 0; i < n; i++) {
        const flag = r.scores[i]! >= threshold;
        if (flag) flagged++;
        const top = topContributions(r, i, blocks, 3).map((c) => `${c.column} (${Math.round(100 * c.share)}%)`);
        while (top.length < 3) top.push('');
        lines.push([...table.rows[start + i]!, r.scores[i]!.toPrecision(6), flag ? '1' : '0', ...top].map(cell).join(','));
      }
    }
    await writeFile(outPath, `${lines.join('\n')}\n`);
    return { task: 'anomaly', rows: table.rows.length, outPath, addedColumns: ADDED_COLUMNS, flagged, threshold, warnings };
  } finally {
    model.dispose();
  }
}

/**
 * Scores rows already read (drift checks compare these scores on the training file and on a new
 * batch): the reconstruction error of each row, with the model's own preprocessing, and whether it
 * reaches the stored threshold.
 */
export async function scoreAnomalyRows(artifactDir: string, columns: string[], rows: string[][], options: { tf?: typeof tfjs } = {}): Promise<{ scores: Float64Array; threshold: number; warnings: string[] }> {
  const lib = options.tf ?? (await loadBestBackend()).tf;
  const { model, metadata } = await loadArtifact(lib, artifactDir);
  try {
    if (metadata['kind'] !== 'anomaly') throw new UserInputError(`${artifactDir} is not an anomaly-detection model (its kind is "${String(metadata['kind'] ?? 'tabular')}").`);
    const pipeline = JSON.parse(await readFile(join(artifactDir, 'preprocessing.json'), 'utf8')) as AnomalyPipeline;
    // Rows read by the caller: numbers written as in training (decimal comma …) are read that way here.
    const { x, report } = transform(pipeline.preprocessing, columns, canonicalRows(columns, rows, pipeline.preprocessing.numberFormats).rows);
    const warnings = report.missingColumns.length ? [`Column(s) ${report.missingColumns.map((c) => `"${c}"`).join(', ')} are missing: their training median or most common value was used, which hides anomalies in them.`] : [];
    const d = pipeline.preprocessing.inputs.length;
    const blocks = blocksOf(pipeline.preprocessing);
    const scores = new Float64Array(rows.length);
    for (let start = 0; start < rows.length; start += CHUNK) {
      const n = Math.min(CHUNK, rows.length - start);
      const chunk = x.subarray(start * d, (start + n) * d);
      const output = lib.tidy(() => (model.predict(lib.tensor2d(chunk, [n, d])) as tfjs.Tensor).dataSync());
      scores.set(reconstructionScores(chunk, output, n, blocks, pipeline.anomaly.errorWeights).scores, start);
    }
    return { scores, threshold: pipeline.anomaly.threshold, warnings };
  } finally {
    model.dispose();
  }
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
