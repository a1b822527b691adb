/**
 * The `train.text` engine: read the documents, score their quality, tokenise, split (seeded,
 * stratified), train the majority and TF-IDF + logistic-regression baselines and the embedding-bag
 * network, evaluate all three on the untouched test split, explain, and write the model version.
 * One progress report per epoch (documents/s), cancel within one batch, a checkpoint per epoch.
 */
import { keyIfEncrypting } from '../trainer/encryption.js';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { throwIfCancelled, UserInputError, type Engine } from '../protocol.js';
import { loadBackend, loadBestBackend, type BackendName, type BackendStatus } from '../tfjs/backend.js';
import { FirstBatchWatch } from '../tfjs/first-batch.js';
import type { Checksums } from '../trainer/artifact.js';
import { majorityOutputs } from '../trainer/baselines.js';
import { score } from '../trainer/evaluate.js';
import { classWeightsFor } from '../trainer/hyper.js';
import type { ClassificationMetrics } from '../trainer/metrics.js';
import { seedFor, Rng } from '../trainer/random.js';
import { splitRows } from '../trainer/split.js';
import { fitTarget, type TargetSpec } from '../trainer/task.js';
import { writeTextArtifact, type TextPipeline } from './artifact.js';
import { loadTextCheckpoint, removeTextCheckpoint, saveTextCheckpoint } from './checkpoint.js';
import { highlight, linearTerms, networkTerms, type ClassTerms, type Highlighted } from './explain.js';
import { fitBag, type Split, type TextEpochRecord } from './fit.js';
import { EmbeddingBag, probabilitiesOf, TABLE_RATE } from './network.js';
import { maskText } from './pii-spans.js';
import { textQuality, type TextQuality } from './quality.js';
import { findTextThread, TextThread, textThreads, tokeniseOnTwo } from './parallel.js';
import { driftReferenceOf, flatten, linearBaseline, withPredictions, type Analysis, type AnalysisInput } from './stages.js';
import { MAX_TEXT_CHARS, readTextDataset } from './read.js';
import type { TextInput } from './schema.js';
import type { PilotResultCore } from '../pilot-result.js';
import { defaultTokenizer, type TokenizerSettings } from './tokenize.js';
import { bagsOf, encodeTexts } from './corpus.js';

/** The settings a run used (recorded with the model version). */
export interface TextHyperparameters {
  dim: number;
  buckets: number;
  bigrams: boolean;
  maxTokens: number;
  /** Adam's step for the dense head. */
  learningRate: number;
  /** Row-wise Adagrad's step for the embedding table (`TABLE_RATE` × learningRate). */
  tableLearningRate: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  classWeights: 'balanced' | 'none';
  maskPii: boolean;
  seed: number;
}

/** The result of a text run (JSON); the shape every pilot kind shares, plus the text-specific parts. */
export interface TextTrainResult extends PilotResultCore {
  kind: 'text';
  runId: string;
  backend: BackendName;
  /** Why this backend: what it is, and why each better one was not used. */
  backendReason: string;
  backends: BackendStatus[];
  task: 'binary' | 'multiclass';
  target: string;
  /** Text column ('text' for a folder). */
  textColumn: string;
  /** Binary: [negative, positive]; multiclass: all classes. */
  classes: string[];
  rows: { train: number; validation: number; test: number };
  /** The network's metrics on the test split. */
  metrics: ClassificationMetrics;
  /** Majority class and TF-IDF + logistic regression on the same test split. */
  baselines: { majority: ClassificationMetrics; linear: ClassificationMetrics };
  /** Test accuracy of each model, and which is best in plain words. */
  summary: { metric: 'accuracy'; network: number; linear: number; majority: number; verdict: string };
  epochs: TextEpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training documents per second of the network (all epochs). */
  samplesPerSec: number;
  trainSeconds: number;
  /** Documents tokenised per second (the whole dataset). */
  tokenizeDocsPerSec: number;
  /** Threads the run used: 2 when a second one tokenised part of the documents, scored quality and fitted the baseline beside the network. */
  threads: 1 | 2;
  hyperparameters: TextHyperparameters;
  parameters: number;
  /** Words pushing each class most: from the linear baseline's weights, and through the network. */
  topTerms: { linear: ClassTerms[]; network: ClassTerms[] };
  /** Test documents the network got wrong with the most confidence, with their highlighted words. */
  confidentlyWrong: Highlighted[];
  /** A few correctly classified test documents per class, highlighted. */
  examples: Highlighted[];
  quality: TextQuality;
  artifactDir: string;
  checksums: Checksums;
  datasetSha256: string;
  resumedFromEpoch: number | null;
  warnings: string[];
}

/**
 * Trains a text pilot. With two threads (the default where there are two cores and the thread
 * entry is built), the second tokenises part of the documents and then scores the quality and fits
 * the linear baseline while this one trains the network; with one, the same stages run here in
 * turn. Either way the result is the same to the last bit.
 */
export const trainText: Engine<TextInput, TextTrainResult, TextEpochRecord> = async (input, ctx) => {
  const entry = findTextThread();
  // Started first, so the thread has loaded while the documents are read.
  const thread = entry && textThreads(input.threads, entry) > 1 ? new TextThread(entry, ctx.signal) : null;
  try {
    return await run(input, ctx, thread);
  } finally {
    thread?.close();
  }
};

const run = async (input: TextInput, ctx: Parameters<typeof trainText>[1], thread: TextThread | null): Promise<TextTrainResult> => {
  const runId = input.resumeFrom ?? input.runId ?? `text-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const runDir = join(ctx.dataDir, 'runs', runId);
  const encryptWith = await keyIfEncrypting(input.encryptArtifacts, join(ctx.dataDir, 'models', runId));
  ctx.progress({ fraction: 0.01, stage: 'Reading documents' });
  const maxChars = input.maxChars ?? MAX_TEXT_CHARS;
  const data = await readTextDataset({ path: input.path, ...(input.textColumn ? { textColumn: input.textColumn } : {}), ...(input.target ? { target: input.target } : {}), ...(input.encoding ? { encoding: input.encoding } : {}), maxChars });
  const warnings = [...data.warnings];
  const texts = input.maskPii ? data.texts.map((t) => maskText(t)) : data.texts;
  throwIfCancelled(ctx.signal);

  ctx.progress({ fraction: 0.04, stage: 'Tokenising' });
  const t0 = performance.now();
  let corpus = thread ? await tokeniseOnTwo(thread, texts) : encodeTexts(texts);
  const tokenizeDocsPerSec = texts.length / Math.max((performance.now() - t0) / 1000, 1e-9);
  throwIfCancelled(ctx.signal);

  const distinct = new Set(data.labels).size;
  const target = fitTarget(data.target, data.labels, distinct === 2 ? 'binary' : 'multiclass', positiveOf(input.positiveClass, data.labels)) as Extract<TargetSpec, { classes: string[] }>;
  const classes = target.classes;
  const y = Int32Array.from(data.labels, (l) => classes.indexOf(l));
  const counts = classes.map((_, c) => y.filter((v) => v === c).length);
  const rare = classes.filter((_, c) => counts[c]! < 3);
  if (rare.length > 0) throw new UserInputError(`The class(es) ${rare.map((c) => `"${c}"`).join(', ')} have fewer than 3 documents: too few to train, validate and test on. Add documents of those classes, or merge them into another class.`);
  const split = splitRows(y.length, { validation: input.validationFraction, test: input.testFraction }, seedFor(input.seed, 'split'), y);
  const splitOf = new Uint8Array(y.length);
  for (const i of split.validation) splitOf[i] = 1;
  for (const i of split.test) splitOf[i] = 2;
  const ratio = Math.min(...counts) / Math.max(...counts);
  const policy = input.classWeights === 'auto' ? (ratio < 0.2 ? 'balanced' : 'none') : input.classWeights;
  const weights = classWeightsFor(Float32Array.from(y), classes.length, policy);
  const analysisInput: AnalysisInput = {
    labels: data.labels,
    splitOf,
    train: split.train,
    test: split.test,
    y,
    classes: classes.length,
    sampleWeights: policy === 'balanced' ? split.train.map((i) => weights[y[i]!]!) : null,
  };
  // The quality report and the linear baseline: on the second thread while this one trains the
  // network, or here, now.
  let onThread: Promise<Analysis> | null = null;
  let here: Omit<Analysis, 'quality'> | null = null;
  let quality: TextQuality | null = null;
  if (thread) {
    ctx.progress({ fraction: 0.06, stage: 'Checking text quality and training the linear baseline (second thread)' });
    const flat = flatten(corpus);
    corpus = flat.corpus;
    onThread = thread.analyse({ terms: corpus.terms, hashes: corpus.hashes, ids: flat.ids, offsets: flat.offsets }, analysisInput);
    // Awaited after the network; until then a failure (or a cancel) must not go unhandled.
    onThread.catch(() => undefined);
  } else {
    ctx.progress({ fraction: 0.06, stage: 'Checking text quality' });
    quality = textQuality(texts, corpus, data.labels, splitOf);
  }

  ctx.progress({ fraction: 0.07, stage: 'Loading the backend' });
  const { tf, backend, statuses } = await pickBackend(input.backend);
  const defaults = defaultTokenizer(split.train.length);
  const buckets = input.buckets ? 2 ** Math.ceil(Math.log2(input.buckets)) : defaults.buckets;
  const settings: TokenizerSettings = { ...defaults, buckets };
  const n = split.train.length;
  const batchSize = input.batchSize ?? (n < 2000 ? 32 : 64);
  const hyper: TextHyperparameters = {
    dim: input.dim ?? 16,
    buckets,
    bigrams: settings.bigrams,
    maxTokens: settings.maxTokens,
    learningRate: input.learningRate ?? 0.05,
    tableLearningRate: (input.learningRate ?? 0.05) * TABLE_RATE,
    batchSize,
    maxEpochs: input.epochs ?? 30,
    patience: input.patience ?? 2,
    classWeights: policy,
    maskPii: input.maskPii,
    seed: input.seed,
  };
  const part = (rows: number[], withWeights: boolean): Split => ({
    bags: bagsOf(corpus, rows, settings),
    y: Int32Array.from(rows, (i) => y[i]!),
    w: withWeights && policy === 'balanced' ? Float32Array.from(rows, (i) => weights[y[i]!]!) : null,
  });

  if (!thread) {
    ctx.progress({ fraction: 0.08, stage: 'Training the linear baseline' });
    here = { ...linearBaseline(corpus, analysisInput), driftReference: driftReferenceOf(corpus, analysisInput) };
    throwIfCancelled(ctx.signal);
  }

  ctx.progress({ fraction: 0.09, stage: 'Hashing the documents' });
  const train = part(split.train, true);
  const validation = part(split.validation, true);
  const test = part(split.test, false);
  const spec = { buckets, dim: hyper.dim, outputs: classes.length === 2 ? 1 : classes.length };
  const net = new EmbeddingBag(spec, new Rng(seedFor(input.seed, 'init')));
  // Threads and encryption change nothing in the weights: a run may resume with either changed.
  const fingerprint = createHash('sha256').update(JSON.stringify({ sha: data.datasetSha256, input: { ...input, runId: undefined, resumeFrom: undefined, threads: undefined, encryptArtifacts: undefined }, backend })).digest('hex');
  const checkpoint = input.resumeFrom ? await loadTextCheckpoint(runDir, fingerprint) : null;
  if (checkpoint) net.state = checkpoint.net;
  const resumedFromEpoch = checkpoint ? checkpoint.loop.epoch : null;
  ctx.progress({ fraction: 0.1, stage: 'Training the network' });
  const firstBatch = await FirstBatchWatch.create(tf, ctx, 0.1);
  const fitted = await fitBag(
    tf,
    net,
    train,
    validation,
    {
      batchSize,
      learningRate: hyper.learningRate,
      maxEpochs: hyper.maxEpochs,
      patience: hyper.patience,
      signal: ctx.signal,
      firstBatch,
      onEpoch: async (record, loop) => {
        await saveTextCheckpoint(runDir, fingerprint, net.state, loop, encryptWith);
        ctx.progress({ fraction: 0.1 + 0.8 * (record.epoch / hyper.maxEpochs), stage: `Epoch ${record.epoch}/${hyper.maxEpochs}`, detail: record });
      },
    },
    seedFor(input.seed, 'fit'),
    checkpoint?.loop,
  );
  throwIfCancelled(ctx.signal);

  ctx.progress({ fraction: 0.92, stage: 'Evaluating on the test split' });
  const yTest = Float32Array.from(test.y);
  const probs = probabilitiesOf(net.logits(test.bags), test.bags.length, spec.outputs);
  const metrics = score(target, yTest, { kind: 'classes', probs }) as ClassificationMetrics;
  if (onThread) {
    ctx.progress({ fraction: 0.93, stage: 'Waiting for the quality report and the linear baseline' });
    ({ quality, ...here } = await onThread);
  }
  if (!quality || !here) throw new Error('The quality report or the linear baseline is missing.');
  const { tfidf, logistic, linearProbs, driftReference } = here;
  const linearMetrics = score(target, yTest, { kind: 'classes', probs: linearProbs }) as ClassificationMetrics;
  const majorityMetrics = score(target, yTest, majorityOutputs(target, Float32Array.from(train.y), test.bags.length)) as ClassificationMetrics;

  ctx.progress({ fraction: 0.95, stage: 'Explaining' });
  const frequent = [...tfidf.vocabulary.keys()].filter((t) => t.length > 1);
  const k = classes.length;
  const predicted = split.test.map((_, r) => argmax(probs, r, k));
  const describe = (r: number): Highlighted => {
    const i = split.test[r]!;
    return {
      source: data.sources[i]!,
      excerpt: texts[i]!.slice(0, 600),
      actual: classes[y[i]!]!,
      predicted: classes[predicted[r]!]!,
      confidence: probs[r * k + predicted[r]!]!,
      words: highlight(net, settings, Array.from(corpus.docs[i]!, (id) => corpus.terms[id]!), predicted[r]!),
    };
  };
  const wrong = split.test.map((_, r) => r).filter((r) => predicted[r] !== test.y[r]).sort((a, b) => probs[b * k + predicted[b]!]! - probs[a * k + predicted[a]!]!);
  const right = classes.flatMap((_, c) => split.test.map((_, r) => r).filter((r) => predicted[r] === c && test.y[r] === c).slice(0, 2));

  ctx.progress({ fraction: 0.97, stage: 'Saving the model' });
  const artifactDir = join(ctx.dataDir, 'models', runId);
  const pipeline: TextPipeline = {
    kind: 'text',
    tokenizer: settings,
    normalisation: 'NFKC, lower case; URLs → <url>, e-mail addresses → <email>, numbers → <num>; FNV-1a hashing of words and adjacent-word bigrams',
    maskPii: input.maskPii,
    maxChars,
    task: target.task,
    classes,
    textColumn: data.textColumn,
    target: data.target,
    spec,
  };
  const summary = {
    metric: 'accuracy' as const,
    network: metrics.accuracy,
    linear: linearMetrics.accuracy,
    majority: majorityMetrics.accuracy,
    verdict: verdictOf(metrics.accuracy, linearMetrics.accuracy, majorityMetrics.accuracy, test.bags.length),
  };
  const checksums = await writeTextArtifact(tf, artifactDir, spec, net.state, pipeline, {
    runId,
    createdAt: new Date().toISOString(),
    sourceFile: input.path,
    task: target.task,
    target: data.target,
    classes,
    rows: { train: split.train.length, validation: split.validation.length, test: split.test.length },
    hyperparameters: hyper,
    datasetSha256: data.datasetSha256,
    metrics: { accuracy: metrics.accuracy, balancedAccuracy: metrics.balancedAccuracy, f1: metrics.f1, rocAuc: metrics.rocAuc, logLoss: metrics.logLoss },
    backend,
    tfjsVersion: tf.version.tfjs,
    // What drift checks compare a new batch with (bounded: top words, lengths, a vocabulary filter, test-split figures).
    driftReference: withPredictions(driftReference, predicted, classes.length),
  }, { encryptWith });
  await removeTextCheckpoint(runDir);
  ctx.progress({ fraction: 1, stage: 'Done' });
  return {
    kind: 'text',
    runId,
    backend,
    backendReason: reasonFor(backend, statuses),
    backends: statuses,
    firstBatch: firstBatch.report,
    task: target.task,
    target: data.target,
    textColumn: data.textColumn,
    classes,
    rows: { train: split.train.length, validation: split.validation.length, test: split.test.length },
    metrics,
    baselines: { majority: majorityMetrics, linear: linearMetrics },
    summary,
    epochs: fitted.history,
    bestEpoch: fitted.bestEpoch,
    stoppedEarly: fitted.stoppedEarly,
    samplesPerSec: (n * fitted.history.length) / Math.max(fitted.trainSeconds, 1e-9),
    trainSeconds: fitted.trainSeconds,
    tokenizeDocsPerSec,
    threads: thread ? 2 : 1,
    hyperparameters: hyper,
    parameters: net.size,
    topTerms: { linear: linearTerms(tfidf, logistic, classes), network: networkTerms(net, settings, frequent, classes) },
    confidentlyWrong: wrong.slice(0, 5).map(describe),
    examples: right.map(describe),
    quality,
    artifactDir,
    checksums,
    datasetSha256: data.datasetSha256,
    resumedFromEpoch,
    warnings: firstBatch.warning ? [...warnings, firstBatch.warning] : warnings,
  };
};

function argmax(probs: Float32Array, r: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (probs[r * k + c]! > probs[r * k + best]!) best = c;
  return best;
}

/** `spam` is the usual positive class of a spam filter; otherwise the trainer's rule (1/true/yes, else the rarer). */
function positiveOf(requested: string | undefined, labels: string[]): string | undefined {
  if (requested) return requested;
  const distinct = new Set(labels);
  return distinct.size === 2 && distinct.has('spam') ? 'spam' : undefined;
}

/**
 * The comparison in plain words. Differences smaller than one standard error of a difference in
 * accuracy on this many test documents (≈ √(2·p(1−p)/n)) are "about the same".
 */
export function verdictOf(network: number, linear: number, majority: number, n: number): string {
  const p = (network + linear) / 2;
  const se = Math.sqrt((2 * p * (1 - p)) / Math.max(n, 1)) || 1 / Math.max(n, 1);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  if (network <= majority) return `The network (${pct(network)}) is no better than always answering the most common class (${pct(majority)}): it has not learned anything useful.`;
  if (Math.abs(network - linear) < se) return `The network (${pct(network)}) and the TF-IDF linear baseline (${pct(linear)}) are about the same on ${n} test documents.`;
  if (linear > network) return `The TF-IDF linear baseline (${pct(linear)}) beats the network (${pct(network)}): use the simpler model, or add data.`;
  return `The network (${pct(network)}) beats the TF-IDF linear baseline (${pct(linear)}) and the majority class (${pct(majority)}).`;
}

async function pickBackend(requested: TextInput['backend']): Promise<{ tf: typeof tfjs; backend: BackendName; statuses: BackendStatus[] }> {
  if (requested === 'auto') return loadBestBackend();
  try {
    const tf = await loadBackend(requested);
    return { tf, backend: requested, statuses: [{ name: requested, available: true, reason: `${requested} (chosen by you)` }] };
  } catch (error) {
    throw new UserInputError(`${(error as Error).message} Choose "auto" to use the best backend that works here.`);
  }
}

function reasonFor(backend: BackendName, statuses: BackendStatus[]): string {
  const chosen = statuses.find((s) => s.name === backend);
  const better = statuses.filter((s) => !s.available).map((s) => `${s.name}: ${s.reason}`);
  return [chosen?.reason ?? backend, ...(better.length ? [`not used — ${better.join('; ')}`] : [])].join('; ');
}
