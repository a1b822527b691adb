/**
 * `evaluate.run` for a text version: the saved model scores the text column of a new labelled CSV
 * (the same tokenizer, hashing and tfjs model as `pilot predict`), with the trainer's metric
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
import { loadTextArtifact } from './artifact.js';
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
    const sniffed = await sniffFile(input.file);
    const columns = sniffed.columns;
    const t = columns.indexOf(pipeline.textColumn);
    const y = columns.indexOf(pipeline.target);
    if (y < 0) throw new UserInputError(`${input.file} has no "${pipeline.target}" column: evaluating needs the true label of each document. Add the labels, or use pilot predict for unlabelled documents.`);
    if (t < 0) throw new UserInputError(`${input.file} has no "${pipeline.textColumn}" column, which the model reads. Its columns are: ${columns.join(', ')}. Rename the column to "${pipeline.textColumn}".`);
    const present = input.protected.filter((c) => columns.includes(c));
    const texts: string[] = [];
    const actual: number[] = [];
    const groups: string[][] = present.map(() => []);
    let total = 0;
    let missingLabel = 0;
    const unknown = new Map<string, number>();
    const { size } = await stat(input.file);
    await readRange({
      path: input.file,
      encoding: sniffed.encoding,
      delimiter: sniffed.delimiter,
      start: sniffed.bomBytes,
      end: size,
      skipHeader: sniffed.hasHeader,
      onRecord(fields) {
        total++;
        const cell = (fields[y] ?? '').trim();
        if (isMissing(cell)) return void missingLabel++;
        const c = pipeline.classes.indexOf(cell);
        if (c < 0) return void unknown.set(cell, (unknown.get(cell) ?? 0) + 1);
        // Copies: the reader reuses its field strings' buffers across chunks.
        texts.push((' ' + (fields[t] ?? '')).slice(1, pipeline.maxChars + 1));
        actual.push(c);
        present.forEach((column, g) => groups[g]!.push((' ' + (fields[columns.indexOf(column)] ?? '')).slice(1)));
      },
    });
    const unknownLabel = [...unknown.values()].reduce((a, b) => a + b, 0);
    const n = texts.length;
    if (n < 2) {
      throw new UserInputError(`Only ${n} document(s) of ${input.file} have a label the model knows (${missingLabel} blank, ${unknownLabel} unknown). Give a file with labelled documents of the classes the model learned (${pipeline.classes.join(', ')}).`);
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

    const warnings = [...sniffed.warnings];
    const empty = texts.filter((x) => x.trim() === '').length;
    if (empty > 0) warnings.push(`${empty} document(s) have an empty "${pipeline.textColumn}": they were scored from no words at all, so the figures understate the model.`);
    if (unknownLabel) warnings.push(`${unknownLabel} document(s) have a label the model never learned (e.g. "${[...unknown.keys()][0]}"); they were left out of the metrics.`);
    if (missingLabel) warnings.push(`${missingLabel} document(s) have no label and were left out.`);
    if (n < 30) warnings.push(`Only ${n} documents were scored: the intervals are wide; evaluate on more documents before deciding.`);
    ctx.progress({ fraction: 1, stage: 'Done' });
    return {
      file: input.file,
      datasetSha256: createHash('sha256').update(await readFile(input.file)).digest('hex'),
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
