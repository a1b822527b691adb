/**
 * `drift.check` for a text version: a new batch of documents (a CSV with the version's text
 * column, or a folder of .txt/.md/.eml files) against the reference saved with the version at
 * training (`drift-reference.ts`): vocabulary, words per document, unseen words, and the model's
 * predictions against its predictions on the test split; with a label column in the CSV, its
 * accuracy against the registered one. The report has the tabular drift's shape and summary.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { throwIfCancelled, UserInputError, type JobContext } from '../protocol.js';
import { performanceDrift } from '../drift/performance.js';
import type { DriftReport, PerformanceDrift } from '../drift/report.js';
import type { DriftModel, DriftOptions } from '../drift/schema.js';
import { DEFAULT_THRESHOLDS, type DriftThresholds } from '../drift/select.js';
import { summarise } from '../drift/summary.js';
import { loadBestBackend } from '../tfjs/backend.js';
import { loadTextArtifact } from './artifact.js';
import type { TextDriftReference } from './drift-reference.js';
import { countBatch, lengthDrift, predictionShift, unseenDrift, vocabularyDrift } from './drift-stats.js';
import { maskText } from './pii-spans.js';
import { readDocuments, scoreTexts } from './predict.js';
import { tokenize } from './tokenize.js';

/** The text-specific figures of a report, beside its columns. */
export interface TextDriftDetails {
  documents: { reference: number; current: number };
  words: { reference: number; current: number };
  /** Share of words unseen in training: in the batch, and in the held-out test documents. */
  unseenShare: { current: number; test: number };
  /** The vocabulary filter's expected false-positive rate (an unseen word taken for seen). */
  vocabularyFalsePositive: number;
  /** Top training words whose share changed most: gained and lost, shares per 1,000 words. */
  gained: Array<{ word: string; reference: number; current: number }>;
  lost: Array<{ word: string; reference: number; current: number }>;
  /** Predicted class shares: on the test split, and now. */
  predictions: { classes: string[]; test: number[]; current: number[] };
}

export async function textDriftReport(model: DriftModel, currentPath: string, options: DriftOptions, ctx: JobContext): Promise<DriftReport & { text: TextDriftDetails }> {
  const thresholds: DriftThresholds = { ...DEFAULT_THRESHOLDS, ...Object.fromEntries(Object.entries(options.thresholds ?? {}).filter(([, v]) => v !== undefined)) };
  ctx.progress({ fraction: 0.02, stage: 'Loading the model' });
  const { tf } = await loadBestBackend();
  const { model: network, pipeline, metadata } = await loadTextArtifact(tf, model.artifactDir);
  try {
    const reference = metadata.driftReference as TextDriftReference | undefined;
    if (!reference || reference.version !== 1) {
      throw new UserInputError(`This text version was trained before drift references were saved with text models, so there is nothing to compare with. Train it again (pilot train … --kind text) and check the new version.`);
    }
    const info = await stat(currentPath).catch(() => {
      throw new UserInputError(`${currentPath} was not found. Check the path, then retry.`);
    });
    ctx.progress({ fraction: 0.05, stage: 'Reading the documents' });
    const warnings: string[] = [];
    const { header, rows, texts: raw } = await readDocuments(currentPath, info.isDirectory(), pipeline.textColumn, warnings);
    const texts = raw.map((t) => (pipeline.maskPii ? maskText(t) : t).slice(0, pipeline.maxChars));
    throwIfCancelled(ctx.signal);

    ctx.progress({ fraction: 0.2, stage: 'Counting words' });
    const batch = countBatch(reference, texts.map((t) => tokenize(t)));
    ctx.progress({ fraction: 0.4, stage: 'Predicting' });
    const k = pipeline.classes.length;
    const predicted = new Array<number>(texts.length);
    for (let from = 0; from < texts.length; from += 64) {
      throwIfCancelled(ctx.signal);
      const probs = await scoreTexts(tf, network, pipeline, raw.slice(from, from + 64));
      for (let r = 0; r < probs.length / k; r++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (probs[r * k + c]! > probs[r * k + best]!) best = c;
        // Binary: the version's operating threshold on P(positive), as predict and evaluate decide.
        predicted[from + r] = k === 2 ? (probs[r * k + 1]! >= (model.threshold ?? 0.5) ? 1 : 0) : best;
      }
      ctx.progress({ fraction: 0.4 + 0.5 * Math.min(1, (from + 64) / texts.length), stage: 'Predicting' });
    }
    const classCounts = new Array<number>(k).fill(0);
    for (const p of predicted) classCounts[p]!++;

    const columns = [vocabularyDrift(reference, batch, thresholds), lengthDrift(reference, batch, thresholds), unseenDrift(reference, batch, thresholds)];
    const predictionDrift = predictionShift(reference, pipeline.classes, classCounts, thresholds);
    const performance = labelledAccuracy(header, rows, pipeline.target, pipeline.classes, predicted, model, options, thresholds, warnings);
    const judged = columns.filter((c) => c.status === 'judged');
    const driftedColumns = judged.filter((c) => c.drifted).length;
    const driftShare = judged.length === 0 ? 0 : driftedColumns / judged.length;
    const driftShareThreshold = options.driftShare ?? 0.5;
    const sha = info.isDirectory() ? createHash('sha256').update(rows.map((r, i) => `${r[0]}\t${createHash('sha256').update(raw[i]!).digest('hex')}`).join('\n')).digest('hex') : createHash('sha256').update(await readFile(currentPath)).digest('hex');
    const bytes = info.isDirectory() ? raw.reduce((s, t) => s + Buffer.byteLength(t), 0) : info.size;
    if (texts.length === 0) warnings.push(`${basename(currentPath)} holds no documents.`);
    const partial = {
      columns,
      driftShare,
      datasetDrift: judged.length > 0 && driftShare >= driftShareThreshold,
      driftShareThreshold,
      judgedColumns: judged.length,
      driftedColumns,
      predictionDrift,
      labelDrift: null,
      performance,
      missingColumns: [],
      extraColumns: [],
      rows: { reference: reference.documents, current: texts.length },
      files: { reference: { file: basename(model.trainingFile || String(metadata.sourceFile ?? '')), bytes: 0, sha256: model.datasetSha256 ?? String(metadata.datasetSha256 ?? '') }, current: { file: basename(currentPath), bytes, sha256: sha } },
      warnings,
    };
    ctx.progress({ fraction: 1, stage: 'Done' });
    return { ...partial, ...summarise(partial), text: details(reference, batch, pipeline.classes, classCounts) };
  } finally {
    network.dispose();
  }
}

/** Accuracy on the rows of a CSV batch that carry the version's label column, against the registered accuracy. */
function labelledAccuracy(header: string[], rows: string[][], target: string, classes: string[], predicted: number[], model: DriftModel, options: DriftOptions, t: DriftThresholds, warnings: string[]): PerformanceDrift | null {
  const y = header.indexOf(target);
  const registered = model.testMetrics.accuracy;
  if (y < 0 || typeof registered !== 'number') return null;
  const labels = rows.map((r) => (r[y] ?? '').trim());
  const result = performanceDrift(labels, predicted.map((p) => classes[p]!), 'accuracy', registered, options.performanceTolerance);
  if (result && result.rows < t.minRows) {
    warnings.push(`Only ${result.rows} labelled document(s): too few to judge the model's accuracy (at least ${t.minRows} are needed).`);
    return null;
  }
  return result;
}

function details(reference: TextDriftReference, batch: ReturnType<typeof countBatch>, classes: string[], current: number[]): TextDriftDetails {
  const perThousand = (c: number, total: number) => Math.round((10000 * c) / Math.max(total, 1)) / 10;
  const words = reference.top.terms.map((word, k) => ({ word, reference: perThousand(reference.top.counts[k]!, reference.tokens), current: perThousand(batch.topCounts[k]!, batch.tokens) }));
  const byChange = [...words].sort((a, b) => b.current - b.reference - (a.current - a.reference));
  const n = current.reduce((a, b) => a + b, 0);
  const m = reference.test.predictions.reduce((a, b) => a + b, 0);
  return {
    documents: { reference: reference.documents, current: batch.documents },
    words: { reference: reference.tokens, current: batch.tokens },
    unseenShare: { current: batch.unseen / Math.max(batch.tokens, 1), test: reference.test.unseen / Math.max(reference.test.tokens, 1) },
    vocabularyFalsePositive: reference.vocabulary.falsePositive,
    gained: byChange.slice(0, 8).filter((w) => w.current > w.reference),
    lost: byChange.slice(-8).reverse().filter((w) => w.current < w.reference),
    predictions: { classes, test: reference.test.predictions.map((v) => v / Math.max(m, 1)), current: current.map((v) => v / Math.max(n, 1)) },
  };
}
