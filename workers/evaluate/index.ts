/**
 * The `evaluate.run` engine: a saved model version scored on a new labelled file with the
 * trainer's own preprocessing and metric functions, so the figures mean what they meant at
 * training time. Reports the change from the version's recorded test metrics with an interval,
 * fairness per protected group, and what differs in the file (missing and extra columns, unseen
 * categories, labels the model never learned).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { throwIfCancelled, UserInputError, type Engine } from '../protocol.js';
import { loadBackend, loadBestBackend } from '../tfjs/backend.js';
import { loadArtifact } from '../trainer/artifact.js';
import { groupFairness, type AttributeFairness } from '../trainer/fairness.js';
import { modelNumberFormats, notNumberWarnings } from '../trainer/load.js';
import { classificationMetrics, regressionMetrics, type ClassificationMetrics, type RegressionMetrics } from '../trainer/metrics.js';
import { sniffFile } from '../csv/sniff.js';
import { differences, type MetricDifference, type Scored } from './intervals.js';
import type { LabelledMetrics } from '../anomaly/evaluate.js';
import { artifactKind } from '../predict/index.js';
import { sha256File } from '../trainer/artifact.js';
import { scoreFile } from './stream.js';
import { evaluateTextVersion, isTextArtifact } from '../text/evaluate.js';

export { type MetricDifference } from './intervals.js';

export const evaluateInputSchema = z.object({
  /** The version's artifact folder (verified against its checksums before use). */
  artifactDir: z.string().min(1),
  /** The labelled CSV to score (an image version: a folder with one subfolder per class, or a CSV of path + label). */
  file: z.string().min(1),
  /** The version's recorded test metrics (`model_versions.test_metrics`). */
  recorded: z.record(z.string(), z.unknown()).default({}),
  /** Protected attributes: fairness is reported per group of each one present in the file. */
  protected: z.array(z.string().min(1)).default([]),
  /** Columns the training run left out on purpose (not reported as "extra"). */
  excluded: z.array(z.string()).default([]),
  confidence: z.number().min(0.5).max(0.999).default(0.95),
  /** Bootstrap resamples for the intervals of metrics other than accuracy (0 = none). */
  resamples: z.number().int().min(0).max(5000).default(200),
  seed: z.number().int().min(0).default(42),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /**
   * Binary models: the version's operating threshold on P(positive) (default 0.5). `recorded`
   * should then hold the test metrics at the same threshold, so the differences compare like with like.
   */
  threshold: z.number().gt(0).lt(1).default(0.5),
});
export type EvaluateInput = z.input<typeof evaluateInputSchema>;

/** The engine's result (README "JSON shapes": `pilot evaluate --json`). */
export interface EvaluationResult {
  file: string;
  datasetSha256: string;
  /** `anomaly`: the version's stored threshold flags the rows, ranked against the file's known anomalies. */
  task: 'binary' | 'multiclass' | 'regression' | 'anomaly';
  target: string;
  /** Binary: the threshold on P(positive) the rows were decided at (the version's operating threshold). */
  threshold?: number;
  rows: {
    total: number;
    /** Rows with a usable label, all scored. */
    scored: number;
    /** Rows left out: the label is blank. */
    missingLabel: number;
    /** Rows left out: a class the model never learned, or text in a numeric target. */
    unknownLabel: number;
  };
  /** The same metrics as at training time (the trainer's functions; an anomaly version's own `LabelledMetrics`). */
  metrics: ClassificationMetrics | RegressionMetrics | LabelledMetrics;
  /** Headline first: accuracy (or R²), then the others of the task. */
  differences: MetricDifference[];
  interval: { confidence: number; resamples: number };
  fairness: AttributeFairness[];
  columns: {
    /** Model features absent from the file (filled with the training median / most common value). */
    missing: string[];
    /** File columns the model does not use. */
    extra: string[];
    /** Per feature, rows whose category the model did not learn (scored as "other"). */
    unseenCategories: Array<{ column: string; rows: number }>;
    /** Protected attributes asked for but absent from the file. */
    protectedMissing: string[];
  };
  /** Examples of labels the model never learned (at most 5). */
  unknownLabels: string[];
  warnings: string[];
}

/** An anomaly version on a labelled file, flagged by its stored threshold. */
async function evaluateAnomalyVersion(input: z.output<typeof evaluateInputSchema>, signal: AbortSignal): Promise<EvaluationResult> {
  const { evaluateAnomalyFile } = await import('../anomaly/evaluate-file.js');
  const r = await evaluateAnomalyFile(input.artifactDir, input.file, { recorded: input.recorded, confidence: input.confidence, resamples: input.resamples, seed: input.seed, signal });
  return {
    file: input.file,
    datasetSha256: await sha256File(input.file),
    task: 'anomaly',
    target: r.target,
    rows: r.rows,
    metrics: r.metrics,
    differences: r.differences,
    interval: { confidence: input.confidence, resamples: input.resamples },
    fairness: [],
    columns: { ...r.columns, unseenCategories: [], protectedMissing: input.protected },
    unknownLabels: [],
    warnings: r.warnings,
  };
}

export const evaluateVersion: Engine<z.output<typeof evaluateInputSchema>, EvaluationResult> = async (input, ctx) => {
  if (await isTextArtifact(input.artifactDir)) return evaluateTextVersion(input, ctx);
  const kind = await artifactKind(input.artifactDir);
  if (kind === 'anomaly') return evaluateAnomalyVersion(input, ctx.signal);
  if (kind === 'image') return (await import('../image/evaluate-folder.js')).evaluateImageVersion(input, ctx);
  if (kind !== 'tabular') {
    throw new UserInputError(
      kind === 'forecast'
        ? 'A forecast version is checked on newer history with pilot drift VERSION HISTORY.csv (its recent errors against its backtest errors, level and seasonality); evaluate takes tabular, text, anomaly and image versions.'
        : `Evaluating ${kind} versions on a file is not available; evaluate takes tabular, text, anomaly and image versions.`,
    );
  }
  ctx.progress({ fraction: 0.02, stage: 'Reading the header' });
  const sniffed = await sniffFile(input.file);
  const columns = sniffed.columns;
  throwIfCancelled(ctx.signal);
  const lib: typeof tfjs = input.backend === 'auto' ? (await loadBestBackend()).tf : await loadBackend(input.backend);
  ctx.progress({ fraction: 0.05, stage: 'Loading the model' });
  const { model, pipeline } = await loadArtifact(lib, input.artifactDir);
  try {
    const { preprocessing, target } = pipeline;
    const features = preprocessing.features.map((f) => f.column);
    if (!columns.includes(target.column)) {
      throw new UserInputError(
        `${input.file} has no "${target.column}" column: evaluating needs the true outcome of each row. Add the labels, or use pilot predict for unlabelled data.`,
      );
    }
    const missing = features.filter((c) => !columns.includes(c));
    if (missing.length === features.length) {
      throw new UserInputError(`None of the model's columns are in ${input.file} (it needs ${features.join(', ')}). Check that this is the right file for this model.`);
    }
    const known = new Set([...features, target.column, ...input.excluded]);
    const extra = columns.filter((c) => !known.has(c));
    const present = input.protected.filter((c) => columns.includes(c));

    // One streaming pass: labelled rows predicted in batches, only labels and outputs kept (stream.ts).
    ctx.progress({ fraction: 0.08, stage: 'Reading and predicting' });
    // Numbers written as in the training file (decimal comma, thousands separators) are read that way.
    const numberFormats = await modelNumberFormats(input.artifactDir);
    const file = await scoreFile({
      file: input.file,
      sniffed,
      tf: lib,
      model,
      pipeline,
      protectedColumns: present,
      numberFormats,
      signal: ctx.signal,
      onProgress: (fraction) => ctx.progress({ fraction: 0.08 + 0.62 * fraction, stage: 'Reading and predicting' }),
    });
    const { unknown, missingLabel } = file;
    const unknownLabel = [...unknown.values()].reduce((a, b) => a + b, 0);
    const n = file.scored;
    if (n < 2) {
      throw new UserInputError(
        `Only ${n} row(s) of ${input.file} have a label the model knows (${missingLabel} blank, ${unknownLabel} unknown). Give a file with labelled rows of the classes the model learned.`,
      );
    }
    const output = file.output;
    const k = target.task === 'multiclass' ? target.classes.length : 1;

    ctx.progress({ fraction: 0.75, stage: 'Scoring' });
    let metrics: ClassificationMetrics | RegressionMetrics;
    const scored: Scored = { task: target.task, actual: file.actual, predicted: new Float64Array(n), score: null, classes: k === 1 ? 2 : k };
    if (target.task === 'regression') {
      for (let i = 0; i < n; i++) scored.predicted[i] = output[i]! * target.std + target.mean;
      metrics = regressionMetrics(scored.actual, scored.predicted);
    } else if (target.task === 'binary') {
      const probs = new Float32Array(2 * n);
      scored.score = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        probs[2 * i] = 1 - output[i]!;
        probs[2 * i + 1] = output[i]!;
        scored.score[i] = output[i]!;
        scored.predicted[i] = output[i]! >= input.threshold ? 1 : 0;
      }
      metrics = classificationMetrics(target.classes, scored.actual, probs, true, input.threshold);
    } else {
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let j = 1; j < k; j++) if (output[i * k + j]! > output[i * k + best]!) best = j;
        scored.predicted[i] = best;
      }
      metrics = classificationMetrics(target.classes, scored.actual, output, false);
    }
    ctx.progress({ fraction: 0.8, stage: 'Intervals' });
    const diffs = differences(scored, input.recorded, { confidence: input.confidence, resamples: input.resamples, seed: input.seed, signal: ctx.signal });
    throwIfCancelled(ctx.signal);

    ctx.progress({ fraction: 0.9, stage: 'Fairness per group' });
    const protectedMissing = input.protected.filter((c) => !columns.includes(c));
    const fairness = present.map((column) => groupFairness(column, file.groups.get(column)!, target.task, scored.actual, scored.predicted));

    const warnings = [...sniffed.warnings];
    if (file.ragged > 0) warnings.push(`${file.ragged} row(s) did not have ${columns.length} fields; they were padded with blanks or cut.`);
    warnings.push(...notNumberWarnings(file.notNumbers, numberFormats));
    if (missing.length) warnings.push(`Column(s) ${missing.map((c) => `"${c}"`).join(', ')} are missing: every row used the training median or most common value, so these figures understate the model.`);
    if (unknownLabel) warnings.push(`${unknownLabel} row(s) have a label the model never learned (e.g. "${[...unknown.keys()][0]}"); they were left out of the metrics.`);
    if (missingLabel) warnings.push(`${missingLabel} row(s) have no label and were left out.`);
    if (n < 30) warnings.push(`Only ${n} rows were scored: the intervals are wide; evaluate on more rows before deciding.`);
    ctx.progress({ fraction: 1, stage: 'Done' });
    return {
      file: input.file,
      datasetSha256: file.sha256,
      task: target.task,
      target: target.column,
      ...(target.task === 'binary' ? { threshold: input.threshold } : {}),
      rows: { total: file.total, scored: n, missingLabel, unknownLabel },
      metrics,
      differences: diffs,
      interval: { confidence: input.confidence, resamples: input.resamples },
      fairness,
      columns: {
        missing,
        extra,
        // In feature order, as one pass over every row counts them.
        unseenCategories: features.filter((c) => file.unseen.has(c)).map((column) => ({ column, rows: file.unseen.get(column)! })),
        protectedMissing,
      },
      unknownLabels: [...unknown.keys()].slice(0, 5),
      warnings,
    };
  } finally {
    model.dispose();
  }
};
