/**
 * `evaluate.run` for an image version: a new labelled folder of pictures (one subfolder per class,
 * or a CSV of path + label, as for training) scored with the saved model, with the trainer's own
 * metric functions (accuracy, balanced accuracy, per class, confusion matrix, calibration) plus
 * top-k, and the change from the version's recorded test metrics with an interval: the same
 * result shape as a tabular evaluation, so it is stored and shown the same way.
 */
import type { z } from 'zod';
import { differences, type Scored } from '../evaluate/intervals.js';
import type { EvaluationResult, evaluateInputSchema } from '../evaluate/index.js';
import { UserInputError, type JobContext } from '../protocol.js';
import { loadBackend, loadBestBackend } from '../tfjs/backend.js';
import { classificationMetrics } from '../trainer/metrics.js';
import { loadImageArtifact } from './artifact.js';
import { datasetHash } from './data.js';
import { topKAccuracy } from './evaluate.js';
import { listImages, listingStage } from './files.js';
import { argmaxRow, scorePictures } from './score.js';
import { registerWasmConvKernels } from './wasm-conv.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export async function evaluateImageVersion(input: z.output<typeof evaluateInputSchema>, ctx: JobContext): Promise<EvaluationResult> {
  ctx.progress({ fraction: 0.02, stage: 'Listing pictures' });
  const tf = input.backend === 'auto' ? (await loadBestBackend()).tf : await loadBackend(input.backend);
  if (tf.getBackend() === 'wasm') registerWasmConvKernels();
  const { model, preprocessing: pre } = await loadImageArtifact(tf, input.artifactDir);
  try {
    const listing = await listImages(input.file, { onProgress: (looked) => ctx.progress({ fraction: 0.02, stage: listingStage(looked) }), signal: ctx.signal });
    const classes = pre.classes;
    const known = listing.entries.filter((e) => classes.includes(e.label));
    const unknown = new Map<string, number>();
    for (const e of listing.entries) if (!classes.includes(e.label)) unknown.set(e.label, (unknown.get(e.label) ?? 0) + 1);
    if (known.length === 0) {
      throw new UserInputError(
        `None of the pictures in ${input.file} are in a folder named after one of the model's classes (${classes.join(', ')}). Put each picture in a subfolder named after its true class (or give a CSV of path + label).`,
      );
    }
    ctx.progress({ fraction: 0.05, stage: `Scoring ${known.length} pictures` });
    const scored = await scorePictures(tf, model, pre, known.map((e) => e.path), {
      signal: ctx.signal,
      onBatch: (done) => ctx.progress({ fraction: 0.05 + 0.8 * (done / known.length), stage: `Scoring pictures (${done}/${known.length})` }),
    });
    const k = classes.length;
    const rows = known.map((_, i) => i).filter((i) => scored.errors[i] === null);
    const n = rows.length;
    if (n < 2) throw new UserInputError(`Only ${n} picture(s) of ${input.file} could be read and scored; give a folder with more readable pictures of the model's classes.`);
    const probs = new Float32Array(n * k);
    const actual = new Float64Array(n);
    const predicted = new Float64Array(n);
    rows.forEach((r, i) => {
      probs.set(scored.probs.subarray(r * k, (r + 1) * k), i * k);
      actual[i] = classes.indexOf(known[r]!.label);
      predicted[i] = argmaxRow(probs, i, k);
    });
    const binary = k === 2;
    ctx.progress({ fraction: 0.88, stage: 'Scoring' });
    const metrics = { ...classificationMetrics(classes, actual, probs, binary, binary ? input.threshold : undefined), topK: [3, 5].filter((t) => k > t).map((t) => ({ k: t, accuracy: topKAccuracy(probs, actual, t, k) })) };
    if (binary) for (let i = 0; i < n; i++) predicted[i] = probs[2 * i + 1]! >= input.threshold ? 1 : 0;
    const s: Scored = { task: binary ? 'binary' : 'multiclass', actual, predicted, score: binary ? Float64Array.from({ length: n }, (_, i) => probs[2 * i + 1]!) : null, classes: k };
    const diffs = differences(s, input.recorded, { confidence: input.confidence, resamples: input.resamples, seed: input.seed, signal: ctx.signal });
    const lines: string[] = [];
    for (const e of known) {
      const bytes = await readFile(e.path).catch(() => null);
      if (bytes) lines.push(`${e.rel}\t${bytes.length}\t${createHash('sha256').update(bytes).digest('hex')}`);
    }
    const warnings: string[] = [];
    const unknownCount = [...unknown.values()].reduce((a, b) => a + b, 0);
    if (unknownCount) warnings.push(`${unknownCount} picture(s) are in folders that are not classes of the model (e.g. "${[...unknown.keys()][0]}"); they were left out of the metrics.`);
    if (scored.failed) warnings.push(`${scored.failed} picture(s) could not be read and were left out (e.g. ${known[scored.errors.findIndex((e) => e !== null)]!.rel}).`);
    if (listing.skipped.length) warnings.push(`${listing.skipped.length} file(s) were skipped (not pictures, or links that lead nowhere).`);
    const missing = classes.filter((_, c) => !actual.some((v) => v === c));
    if (missing.length) warnings.push(`The folder has no pictures of ${missing.map((c) => `"${c}"`).join(', ')}: the per-class figures of those classes are empty.`);
    if (n < 30) warnings.push(`Only ${n} pictures were scored: the intervals are wide; evaluate on more pictures before deciding.`);
    ctx.progress({ fraction: 1, stage: 'Done' });
    return {
      file: input.file,
      datasetSha256: datasetHash(lines),
      task: binary ? 'binary' : 'multiclass',
      target: 'label',
      ...(binary ? { threshold: input.threshold } : {}),
      rows: { total: listing.entries.length, scored: n, missingLabel: 0, unknownLabel: unknownCount },
      metrics,
      differences: diffs,
      interval: { confidence: input.confidence, resamples: input.resamples },
      fairness: [],
      columns: { missing: [], extra: [], unseenCategories: [], protectedMissing: [] },
      unknownLabels: [...unknown.keys()].slice(0, 5),
      warnings,
    };
  } finally {
    model.dispose();
  }
}
