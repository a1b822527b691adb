/**
 * `evaluate.run` for a text version: the saved model scores the text column of a new labelled CSV,
 * or a folder of class subfolders as training reads it (the same tokenizer, hashing and tfjs model as `pilot predict`), with the trainer's metric
 * functions, the change from the recorded test metrics with an interval, and fairness per
 * protected group, in the same result shape as a tabular evaluation.
 */
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { z } from 'zod';
import { throwIfCancelled, UserInputError, type JobContext } from '../protocol.js';
import { readRange } from '../csv/reader.js';
import { sniffFile } from '../csv/sniff.js';
import { differences, type Scored } from '../evaluate/intervals.js';
import type { EvaluationResult, evaluateInputSchema } from '../evaluate/index.js';
import { loadBackend, loadBestBackend } from '../tfjs/backend.js';
import { groupFairness } from '../trainer/fairness.js';
import { classificationMetrics } from '../trainer/metrics.js';
import { isMissing } from '../trainer/values.js';
import { loadTextArtifact, type TextPipeline } from './artifact.js';
import { readTextDataset } from './read.js';
import { scoreTexts } from './predict.js';

/** Whether an artifact folder holds a text version (its metadata.json says so). */
export async function isTextArtifact(dir: string): Promise<boolean> {
  try {
    const metadata = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as { kind?: unknown };
    return metadata.kind === 'text';
  } catch {
    return false;
  }
}

export async function evaluateTextVersion(input: z.output<typeof evaluateInputSchema>, ctx: JobContext): Promise<EvaluationResult> {
  ctx.progress({ fraction: 0.02, stage: 'Reading the file' });
  const tf = input.backend === 'auto' ? (await loadBestBackend()).tf : await loadBackend(input.backend);
  const { model, pipeline } = await loadTextArtifact(tf, input.artifactDir);
  try {
    const info = await stat(input.file).catch(() => {
      throw new UserInputError(`${input.file} was not found. Check the path, then retry.`);
    });
    const read = info.isDirectory() ? await readFolder(input.file, pipeline) : await readCsv(input, pipeline);
    const { texts, actual, groups, present, total, missingLabel, unknown, columns } = read;
    const unknownLabel = [...unknown.values()].reduce((a, b) => a + b, 0);
    const n = texts.length;
    if (n < 2) {
      const what = read.folder ? `${input.file} (one subfolder per class, named as the model's classes)` : input.file;
      throw new UserInputError(`Only ${n} document(s) of ${what} have a label the model knows (${missingLabel} blank, ${unknownLabel} unknown). Give labelled documents of the classes the model learned (${pipeline.classes.join(', ')}).`);
    }
    throwIfCancelled(ctx.signal);

    ctx.progress({ fraction: 0.2, stage: 'Predicting' });
    const k = pipeline.classes.length;
    const probs = new Float32Array(n * k);
    for (let from = 0; from < n; from += 32) {
      throwIfCancelled(ctx.signal);
      probs.set(await scoreTexts(tf, model, pipeline, texts.slice(from, from + 32)), from * k);
      ctx.progress({ fraction: 0.2 + 0.5 * (Math.min(n, from + 32) / n), stage: 'Predicting' });
    }

    ctx.progress({ fraction: 0.75, stage: 'Scoring' });
    const binary = pipeline.task === 'binary';
    const scored: Scored = { task: pipeline.task, actual: Float64Array.from(actual), predicted: new Float64Array(n), score: binary ? new Float64Array(n) : null, classes: k };
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
      scored.predicted[i] = binary ? (probs[i * k + 1]! >= 0.5 ? 1 : 0) : best;
      if (scored.score) scored.score[i] = probs[i * k + 1]!;
    }
    const metrics = classificationMetrics(pipeline.classes, scored.actual, probs, binary);
    const diffs = differences(scored, input.recorded, { confidence: input.confidence, resamples: input.resamples, seed: input.seed, signal: ctx.signal });
    const fairness = present.map((column, g) => groupFairness(column, groups[g]!, pipeline.task, scored.actual, scored.predicted));
    const known = new Set([pipeline.textColumn, pipeline.target, ...input.excluded, ...input.protected]);

    const warnings = [...read.warnings];
    const empty = texts.filter((x) => x.trim() === '').length;
    if (empty > 0) warnings.push(`${empty} document(s) have an empty "${pipeline.textColumn}": they were scored from no words at all, so the figures understate the model.`);
    if (unknownLabel) {
      const where = read.folder ? `are in a subfolder that is not a class the model learned (e.g. "${[...unknown.keys()][0]}"; its classes: ${pipeline.classes.join(', ')})` : `have a label the model never learned (e.g. "${[...unknown.keys()][0]}")`;
      warnings.push(`${unknownLabel} document(s) ${where}; they were left out of the metrics.`);
    }
    if (missingLabel) warnings.push(`${missingLabel} document(s) have no label and were left out.`);
    if (n < 30) warnings.push(`Only ${n} documents were scored: the intervals are wide; evaluate on more documents before deciding.`);
    ctx.progress({ fraction: 1, stage: 'Done' });
    return {
      file: input.file,
      datasetSha256: read.datasetSha256,
      task: pipeline.task,
      target: pipeline.target,
      rows: { total, scored: n, missingLabel, unknownLabel },
      metrics,
      differences: diffs,
      interval: { confidence: input.confidence, resamples: input.resamples },
      fairness,
      columns: { missing: [], extra: columns.filter((c) => !known.has(c)), unseenCategories: [], protectedMissing: input.protected.filter((c) => !columns.includes(c)) },
      unknownLabels: [...unknown.keys()].slice(0, 5),
      warnings,
    };
  } finally {
    model.dispose();
  }
}

/** The labelled documents of the file or folder, and what was left out. */
interface Labelled {
  folder: boolean;
  texts: string[];
  /** Class index of each text. */
  actual: number[];
  /** Per protected column present, each text's group. */
  groups: string[][];
  present: string[];
  total: number;
  missingLabel: number;
  /** Labels (or subfolders) the model never learned, with their document counts. */
  unknown: Map<string, number>;
  columns: string[];
  datasetSha256: string;
  warnings: string[];
}

async function readCsv(input: z.output<typeof evaluateInputSchema>, pipeline: TextPipeline): Promise<Labelled> {
  const sniffed = await sniffFile(input.file);
  const columns = sniffed.columns;
  const t = columns.indexOf(pipeline.textColumn);
  const y = columns.indexOf(pipeline.target);
  if (y < 0) throw new UserInputError(`${input.file} has no "${pipeline.target}" column: evaluating needs the true label of each document. Add the labels, or use pilot predict for unlabelled documents.`);
  if (t < 0) throw new UserInputError(`${input.file} has no "${pipeline.textColumn}" column, which the model reads. Its columns are: ${columns.join(', ')}. Rename the column to "${pipeline.textColumn}".`);
  const present = input.protected.filter((c) => columns.includes(c));
  const out: Labelled = { folder: false, texts: [], actual: [], groups: present.map(() => []), present, total: 0, missingLabel: 0, unknown: new Map(), columns, datasetSha256: '', warnings: [...sniffed.warnings] };
  const { size } = await stat(input.file);
  await readRange({
    path: input.file,
    encoding: sniffed.encoding,
    delimiter: sniffed.delimiter,
    start: sniffed.bomBytes,
    end: size,
    skipHeader: sniffed.hasHeader,
    onRecord(fields) {
      out.total++;
      const cell = (fields[y] ?? '').trim();
      if (isMissing(cell)) return void out.missingLabel++;
      const c = pipeline.classes.indexOf(cell);
      if (c < 0) return void out.unknown.set(cell, (out.unknown.get(cell) ?? 0) + 1);
      // Copies: the reader reuses its field strings' buffers across chunks.
      out.texts.push((' ' + (fields[t] ?? '')).slice(1, pipeline.maxChars + 1));
      out.actual.push(c);
      present.forEach((column, g) => out.groups[g]!.push((' ' + (fields[columns.indexOf(column)] ?? '')).slice(1)));
    },
  });
  out.datasetSha256 = createHash('sha256').update(await readFile(input.file)).digest('hex');
  return out;
}

/**
 * A folder of class subfolders, read as training reads one (each file in its own encoding, e-mails
 * decoded, binary files skipped by name, long texts cut): a subfolder's name is its documents' label.
 */
async function readFolder(path: string, pipeline: TextPipeline): Promise<Labelled> {
  const data = await readTextDataset({ path, maxChars: pipeline.maxChars, purpose: 'evaluate' });
  const out: Labelled = { folder: true, texts: [], actual: [], groups: [], present: [], total: data.texts.length, missingLabel: 0, unknown: new Map(), columns: [], datasetSha256: data.datasetSha256, warnings: data.warnings };
  data.labels.forEach((label, i) => {
    const c = pipeline.classes.indexOf(label);
    if (c < 0) out.unknown.set(label, (out.unknown.get(label) ?? 0) + 1);
    else {
      out.texts.push(data.texts[i]!);
      out.actual.push(c);
    }
  });
  return out;
}
