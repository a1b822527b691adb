/**
 * The `train.image` engine: list and decode the pictures, split them (a test/ folder, else a
 * seeded stratified split), train the baselines and the CNN, evaluate all three on the untouched
 * test pictures, and write the model version. One progress report per epoch; a cancel stops
 * within one batch; every epoch is checkpointed for resuming.
 */
import { keyIfEncrypting } from '../trainer/encryption.js';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { throwIfCancelled, UserInputError, type Engine } from '../protocol.js';
import { loadBackend, loadBestBackend, type BackendName, type BackendStatus } from '../tfjs/backend.js';
import { FirstBatchWatch } from '../tfjs/first-batch.js';
import type { Checksums } from '../trainer/artifact.js';
import { classWeightsFor } from '../trainer/hyper.js';
import { classificationMetrics, type ClassificationMetrics } from '../trainer/metrics.js';
import { seedFor } from '../trainer/random.js';
import { writeImageArtifact } from './artifact.js';
import { baselineProbabilities } from './baselines.js';
import { loadImageCheckpoint, removeImageCheckpoint, saveImageCheckpoint } from './checkpoint.js';
import { checkClasses, chooseSide, datasetHash, decodeAll, looksGreyscale, normalisationOf, sampleEntries, splitSet } from './data.js';
import { imageEvaluation, type ImageEvaluation } from './evaluate.js';
import { listImages, listingStage } from './files.js';
import { buildCnn, cnnSpec, type CnnSpec } from './model.js';
import type { PilotResultCore } from '../pilot-result.js';
import type { ImageInput } from './schema.js';
import { evaluateLoss, inferenceBatch, trainLoop, type ImageEpochRecord } from './train.js';
import { findImageThreadEntry, trainingThreads } from './parallel.js';
import { StageClock, type StageTiming } from './timing.js';
import { registerWasmConvKernels } from './wasm-conv.js';
import { loadImage } from './decode.js';
import { REFERENCE_MAX, buildDriftReference, sampleIndices, type ImageDriftReference } from './drift.js';
import { EMBEDDING_MAX, MIN_PICTURES, embedSet, embeddingModel, embeddingReference } from './embedding.js';
import { argmaxRow } from './score.js';
import { splitAlerts } from './scan.js';
import type { Alert } from '../quality/report.js';
import type { ImageSet, Normalisation } from './data.js';
import { loadBackbone, type BackboneInfo, type LoadedBackbone } from './backbone.js';
import { buildTransfer, transferSpec, type TransferSpec } from './transfer.js';
import { computeFeatures, featureCachePlan, type FeatureCache } from './feature-cache.js';

/** Test metrics of the network: the shared classification metrics plus top-k. */
export type ImageMetrics = ClassificationMetrics & { topK: { k: number; accuracy: number }[] };

/** The result of `train.image` (JSON). */
export interface ImageTrainResult extends PilotResultCore {
  kind: 'image';
  task: 'binary' | 'multiclass';
  target: 'label';
  classes: string[];
  metrics: ImageMetrics;
  baselines: { majority: ClassificationMetrics; linear: ClassificationMetrics };
  summary: { metric: 'accuracy'; network: number; linear: number; majority: number };
  epochs: ImageEpochRecord[];
  hyperparameters: {
    imageSize: number;
    channels: 1 | 3;
    maxEpochs: number;
    patience: number;
    batchSize: number;
    learningRate: number;
    classWeights: number[];
    flips: boolean;
    augment: boolean;
    schedule: 'constant' | 'cosine';
    seed: number;
  };
  /** Threads that computed the gradients (2: data-parallel on two cores) and why. */
  threads: { used: 1 | 2; reason: string };
  /** Wall and CPU seconds of each stage, in order (training includes each epoch's validation). */
  timings: StageTiming[];
  /** The architecture that trained (with `backbone` for transfer learning). */
  network: CnnSpec | TransferSpec;
  /** The imported backbone (name, SHA-256, input shape, fine-tuned layers), or null for a CNN trained from scratch. */
  backbone: BackboneInfo | null;
  /**
   * With a backbone: whether its features were computed once and stored (feature-cache.ts) — views per training
   * picture, floats per view, bytes, the rule in words — or why not (fine-tuning, over the memory bound, turned off).
   */
  featureCache: { used: true; views: number; floats: number; bytes: number; rule: string } | { used: false; reason: string } | null;
  /** Galleries: mistakes by kind and the most confidently wrong pictures, with saliency maps. */
  evaluation: ImageEvaluation;
  /** The run's own check of its split (exact copies across train and test, one file under two classes); the verdict reads it. */
  quality: { alerts: Alert[] };
  /** Files that could not be used (never fatal) and how the dataset was laid out. */
  dataset: {
    source: string;
    layout: string;
    images: number;
    unreadable: { path: string; reason: string }[];
    skipped: number;
    /** Pictures changed while decoding, by change ("CMYK to sRGB", "16-bit to 8-bit", "transparency onto white", …). */
    conversions: Record<string, number>;
  };
}

async function pickBackend(requested: ImageInput['backend']): Promise<{ tf: typeof tfjs; backend: BackendName; statuses: BackendStatus[] }> {
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


/** The training-side drift summary: statistics of a sample of the pictures, the network's predictions on held-out ones and their embeddings. */
async function trainingDriftReference(
  tf: typeof tfjs,
  model: tfjs.Sequential,
  set: ImageSet,
  split: { validation: number[]; test: number[] },
  norm: Normalisation,
  testProbs: Float32Array,
  validationProbs: Float32Array | null,
  entries: { rel: string; path: string }[],
  classes: string[],
  channels: 1 | 3,
  seed: number,
  signal: AbortSignal,
): Promise<ImageDriftReference> {
  const pathOf = new Map(entries.map((e) => [e.rel, e.path]));
  const k = classes.length;
  const heldOut = new Map<number, string>();
  // The loop's best-epoch validation output is the restored model's: only recomputed after a resume.
  const validation = validationProbs ?? evaluateLoss(tf, model, set, split.validation, norm).probs;
  split.validation.forEach((r, i) => heldOut.set(r, classes[argmaxRow(validation, i, k)]!));
  split.test.forEach((r, i) => heldOut.set(r, classes[argmaxRow(testProbs, i, k)]!));
  const summary = await buildDriftReference(set.rel.map((r) => pathOf.get(r)!), heldOut, channels === 3, seedFor(seed, 'drift'), signal);
  // How held-out pictures look to the network (embedding.ts): pictures it learned from would sit too close to what it fitted.
  const embedder = embeddingModel(tf, model);
  if (!embedder) return summary;
  const rows = [...split.validation, ...split.test];
  const picked = sampleIndices(rows.length, EMBEDDING_MAX, seedFor(seed, 'embedding')).map((i) => rows[i]!);
  const embedding = embeddingReference(embedSet(tf, embedder.model, embedder.dims, set, picked, norm, inferenceBatch(set.side, set.channels)), embedder.layer);
  if (embedding) return { ...summary, embedding };
  return { ...summary, embeddingSkipped: `Only ${picked.length} pictures were held out from training (validation and test), too few (${MIN_PICTURES} at least) to summarise how pictures look to the model: only the picture statistics are compared. Train on more pictures to compare that too.` };
}

/** Input is validated already (the worker entry parses it once with `imageInputSchema`). */
export const trainImages: Engine<ImageInput, ImageTrainResult, ImageEpochRecord> = async (input, ctx) => {
  const runId = input.resumeFrom ?? input.runId ?? `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const runDir = join(ctx.dataDir, 'runs', runId);
  const encryptWith = await keyIfEncrypting(input.encryptArtifacts, join(ctx.dataDir, 'models', runId));
  const warnings: string[] = [];
  const clock = new StageClock();
  ctx.progress({ fraction: 0.01, stage: 'Listing pictures' });
  const listing = await listImages(input.source, {
    ...(input.pathColumn ? { pathColumn: input.pathColumn } : {}),
    ...(input.labelColumn ? { labelColumn: input.labelColumn } : {}),
    onProgress: (looked) => ctx.progress({ fraction: 0.01, stage: listingStage(looked) }),
    signal: ctx.signal,
  });
  const entries = sampleEntries(listing.entries, input.maxImages, seedFor(input.seed, 'sample'));
  if (entries.length < listing.entries.length)
    warnings.push(`${listing.entries.length} pictures listed; a stratified sample of ${entries.length} was used (maxImages) to bound memory.`);
  for (const c of listing.emptyClasses) warnings.push(`The class folder "${c}" has no pictures and was left out.`);
  const classes = listing.classes.filter((c) => !listing.emptyClasses.includes(c));
  clock.mark('listing');

  // The backbone is read first: a folder that is not a model is refused before any picture is decoded.
  const { tf, backend, statuses } = await pickBackend(input.backend);
  if (backend === 'wasm') registerWasmConvKernels();
  const backbone: LoadedBackbone | null = input.backbone ? await loadBackbone(tf, input.backbone, input.fineTune, input.backboneOutput) : null;
  if (!backbone && input.fineTune) warnings.push('Fine-tuning applies to an imported backbone; without --backbone the whole network trains anyway.');

  clock.mark('backend');
  const shorter: number[] = [];
  for (const entry of entries.slice(0, 200)) {
    try {
      const image = await loadImage(entry.path);
      shorter.push(Math.min(image.width, image.height));
    } catch {
      // Reported by decodeAll.
    }
  }
  const fixedSide = backbone?.info.inputShape[0] ?? null;
  const side = fixedSide ?? input.imageSize ?? chooseSide(shorter);
  if (fixedSide !== null && input.imageSize !== undefined && input.imageSize !== fixedSide) {
    warnings.push(
      `The backbone takes ${fixedSide} × ${fixedSide} pictures, so the pictures were resized to ${fixedSide} px instead of the ${input.imageSize} px asked for.`,
    );
  }
  const greyData = await looksGreyscale(listing);
  const channels: 1 | 3 = backbone ? (backbone.info.inputShape[2] as 1 | 3) : greyData ? 1 : 3;
  if (backbone && channels === 3 && greyData)
    warnings.push('The pictures are grey and the backbone expects colour: each grey picture is fed as three equal channels.');
  if (backbone && channels === 1 && !greyData)
    warnings.push('The backbone expects grey pictures: colour pictures were converted to grey, losing their colour.');
  if (side * side * channels * entries.length > 2 ** 31) {
    throw new UserInputError(
      `${entries.length} pictures at ${side} × ${side} × ${channels} would take ${Math.round((side * side * channels * entries.length) / 2 ** 30)} GB of memory. Lower maxImages, or use a backbone with a smaller input.`,
    );
  }
  clock.mark('sizes and colours');
  const { set, unreadable, fileHashes, conversions } = await decodeAll(entries, classes, side, channels, ctx, (done) =>
    ctx.progress({ fraction: 0.01 + 0.09 * (done / entries.length), stage: `Reading pictures (${done}/${entries.length})` }),
  );
  // A CSV's rows whose file is missing are unreadable files like the others: listed with the reason, never fatal.
  // (No spread into unshift: a CSV can list 100,000 missing files.)
  if (listing.layout === 'csv') {
    const missing = listing.skipped.filter((f) => f.reason.startsWith('listed in the CSV'));
    if (missing.length > 0) {
      const read = unreadable.splice(0);
      for (const f of missing) unreadable.push(f);
      for (const f of read) unreadable.push(f);
    }
  }
  if (unreadable.length > 0)
    warnings.push(`${unreadable.length} files could not be read and were left out (e.g. ${unreadable[0]!.path}: ${unreadable[0]!.reason}).`);
  // Changes of the file's format are warned about; grey ↔ colour follows the channels chosen above (and said there for a backbone).
  const converted = Object.entries(conversions)
    .filter(([what]) => !/^(grey to three channels|colour to grey)$/.test(what))
    .map(([what, n]) => `${n} ${what}`);
  if (converted.length > 0) warnings.push(`Pictures converted while reading (the network reads ${channels === 1 ? 'grey' : 'sRGB'} 8-bit pixels): ${converted.join(', ')}.`);
  checkClasses(set, classes, unreadable);
  const datasetSha256 = datasetHash(fileHashes);
  const split = splitSet(set, { validation: input.validationFraction, test: input.testFraction }, seedFor(input.seed, 'split'));
  if (split.test.length === 0 || split.validation.length === 0)
    throw new UserInputError('Too few pictures to set some aside for validation and testing: add pictures (at least 3 per class).');
  const quality = { alerts: splitAlerts(set.rel.map((rel, i) => ({ rel, sha256: fileHashes[i]!.split('\t')[2]!, label: classes[set.y[i]!]! })), split) };
  for (const alert of quality.alerts) warnings.push(`${alert.message} ${alert.fix}`);
  // A backbone trained by another image pilot keeps the normalisation its weights learned with.
  const norm = backbone?.normalisation ?? normalisationOf(set, split.train);
  const k = classes.length;
  const trainY = Float32Array.from(split.train, (r) => set.y[r]!);
  const counts = classes.map((_, c) => trainY.reduce((s, v) => s + (v === c ? 1 : 0), 0));
  const ratio = Math.min(...counts) / Math.max(...counts, 1);
  const policy = input.classWeights === 'auto' ? (ratio < 0.2 ? 'balanced' : 'none') : input.classWeights;
  const classWeights = classWeightsFor(trainY, k, policy);

  throwIfCancelled(ctx.signal);
  clock.mark('decoding and splitting');

  ctx.progress({ fraction: 0.1, stage: 'Training the linear baseline' });
  // The run's first batch (the baseline's, on this backend) is watched: kernel compilation on a new GPU, the GPU check.
  const firstBatch = await FirstBatchWatch.create(tf, ctx, 0.1);
  const base = await baselineProbabilities(tf, set, split, classes, classWeights, input.seed, ctx.signal, firstBatch);
  clock.mark('linear baseline');

  const transfer = backbone ? transferSpec(backbone.info, side, channels, k, split.train.length) : null;
  const spec: ImageTrainResult['network'] = transfer ?? cnnSpec(side, channels, k, split.train.length, input.batchNorm ?? backend === 'tensorflow');
  const batchSize = input.batchSize ?? Math.max(16, Math.min(64, 2 ** Math.floor(Math.log2(Math.max(split.train.length / 20, 1)))));
  // Large sets learn in few passes and each pass is long: 6 epochs from 20,000 training pictures under
  // a cosine decay, no augmentation (it only pays off over many epochs of few pictures). Fashion-MNIST's
  // 51,000 (bench/fashion_recipe_torch.py): 0.904 test accuracy at best in 5 constant-rate epochs, 0.904
  // after 4 cosine ones, 0.914 after 6; 6 is what fits the 10 minutes on 2 cores with two
  // training threads (bench/fashion-pilot.mjs projection).
  const large = split.train.length >= 20000;
  const maxEpochs = input.epochs ?? (split.train.length < 5000 ? 30 : large ? 6 : 15);
  const augment = input.augment ?? !large;
  // A fixed budget of a few passes learns more with the rate decayed to 0 over it (Fashion-MNIST, bench/fashion_recipe_torch.py --cosine).
  const schedule = input.schedule === 'auto' ? (large ? 'cosine' : 'constant') : input.schedule;
  const hyperparameters = {
    imageSize: side,
    channels,
    maxEpochs,
    patience: input.patience,
    batchSize,
    learningRate: input.learningRate,
    classWeights,
    flips: input.flips,
    augment,
    schedule,
    seed: input.seed,
  };
  const threadChoice = trainingThreads(input.threads, findImageThreadEntry());
  const model = backbone && transfer ? buildTransfer(tf, backbone, transfer, seedFor(input.seed, 'init')) : buildCnn(tf, spec, seedFor(input.seed, 'init'));
  const optimizer = tf.train.adam(input.learningRate);
  // Encryption at rest shapes nothing: a run stays resumable when it is turned on in between.
  const { runId: _r, resumeFrom: _f, encryptArtifacts: _e, ...settings } = input;
  const fingerprint = createHash('sha256').update(JSON.stringify({ datasetSha256, settings, backend, side, channels, backbone: backbone?.info.sha256 ?? null })).digest('hex');
  const resume = input.resumeFrom ? await loadImageCheckpoint(tf, runDir, fingerprint, model, optimizer) : null;
  const resumedFromEpoch = resume ? resume.epoch : null;
  // A frozen backbone's features are computed once (also after a resume: they depend only on the pictures, the backbone and the seed).
  const cachePlan = backbone
    ? featureCachePlan(model, { enabled: input.featureCache, fineTuned: backbone.info.fineTuned, augment, flips: input.flips, maxEpochs, train: split.train.length, validation: split.validation.length })
    : null;
  let features: FeatureCache | null = null;
  if (cachePlan?.cached) {
    ctx.progress({ fraction: 0.12, stage: "Computing the backbone's features" });
    features = await computeFeatures(tf, model, cachePlan, set, split.train, split.validation, norm, input.flips, seedFor(input.seed, 'views'), ctx.signal, (done, total) =>
      ctx.progress({ fraction: 0.12 + 0.03 * (done / total), stage: `Computing the backbone's features (${done}/${total})` }),
    );
    if (augment) warnings.push(cachePlan.rule);
    clock.mark('backbone features');
  } else if (cachePlan && input.featureCache && !backbone!.info.fineTuned.length) warnings.push(`The backbone's features were not stored: ${cachePlan.reason}.`);
  const loop = await trainLoop(
    tf,
    model,
    optimizer,
    spec,
    set,
    split.train,
    split.validation,
    norm,
    {
      maxEpochs,
      patience: input.patience,
      batchSize,
      flips: input.flips,
      augment,
      classWeights,
      schedule,
      threadEntry: threadChoice.threads === 2 ? findImageThreadEntry() : null,
      signal: ctx.signal,
      firstBatch,
      features,
      onEpoch: async (record, state) => {
        await saveImageCheckpoint(tf, runDir, fingerprint, model, optimizer, state, encryptWith);
        ctx.progress({ fraction: 0.15 + 0.75 * (record.epoch / maxEpochs), stage: `Epoch ${record.epoch}/${maxEpochs}`, detail: record, etaSeconds: record.etaSeconds });
      },
    },
    seedFor(input.seed, 'fit'),
    resume,
  );
  throwIfCancelled(ctx.signal);
  clock.mark('training');

  ctx.progress({ fraction: 0.92, stage: 'Evaluating on the test pictures' });
  const testY = split.test.map((r) => set.y[r]!);
  const { probs } = evaluateLoss(tf, model, set, split.test, norm);
  clock.mark('test evaluation');
  const binary = k === 2;
  const evaluation = await imageEvaluation(tf, model, set, split.test, probs, norm, classes);
  clock.mark('galleries and saliency');
  const metrics: ImageMetrics = { ...classificationMetrics(classes, testY, probs, binary), topK: evaluation.topK };
  const linear = classificationMetrics(classes, testY, base.linear, binary);
  const majority = classificationMetrics(classes, testY, base.majority, binary);
  if (linear.accuracy >= metrics.accuracy) {
    warnings.push(
      `The linear baseline (${(linear.accuracy * 100).toFixed(1)} %) did as well as the network (${(metrics.accuracy * 100).toFixed(1)} %): the network adds nothing here yet; more pictures or epochs may change that.`,
    );
  }
  if (metrics.accuracy <= majority.accuracy)
    warnings.push('The network is no better than always answering the most common class: it has not learned the task.');

  ctx.progress({ fraction: 0.95, stage: 'Summarising the pictures for drift checks' });
  const driftReference = await trainingDriftReference(tf, model, set, split, norm, probs, loop.bestValidationProbs, entries, classes, channels, input.seed, ctx.signal);
  const gone = Math.min(set.n, REFERENCE_MAX) - driftReference.sampled;
  if (gone > 0)
    warnings.push(`${gone} pictures could no longer be read when the drift summary read them again (moved or deleted during training): the summary leaves them out; the model trained on them.`);
  clock.mark('drift summary');

  ctx.progress({ fraction: 0.97, stage: 'Saving the model' });
  const artifactDir = join(ctx.dataDir, 'models', runId);
  const parameters = model.countParams();
  const checksums: Checksums = await writeImageArtifact(
    tf,
    artifactDir,
    model,
    { kind: 'image', side, channels, resize: 'fill', background: '#ffffff', normalisation: norm, classes },
    {
      runId,
      createdAt: new Date().toISOString(),
      source: input.source,
      backend,
      task: binary ? 'binary' : 'multiclass',
      classes,
      network: spec,
      backbone: backbone?.info ?? null,
      hyperparameters,
      datasetSha256,
      driftReference,
      metrics: { accuracy: metrics.accuracy, balancedAccuracy: metrics.balancedAccuracy, f1: metrics.f1, logLoss: metrics.logLoss },
      tfjsVersion: tf.version.tfjs,
    },
    { encryptWith },
  );
  model.dispose();
  optimizer.dispose();
  await removeImageCheckpoint(runDir);
  clock.mark('saving');
  ctx.progress({ fraction: 1, stage: 'Done' });
  return {
    kind: 'image',
    runId,
    backend,
    backendReason: reasonFor(backend, statuses),
    backends: statuses,
    firstBatch: firstBatch.report,
    task: binary ? 'binary' : 'multiclass',
    target: 'label',
    classes,
    rows: { train: split.train.length, validation: split.validation.length, test: split.test.length },
    metrics,
    baselines: { majority, linear },
    summary: { metric: 'accuracy', network: metrics.accuracy, linear: linear.accuracy, majority: majority.accuracy },
    epochs: loop.history,
    bestEpoch: loop.bestEpoch,
    stoppedEarly: loop.stoppedEarly,
    samplesPerSec: loop.samplesPerSec,
    trainSeconds: loop.trainSeconds,
    hyperparameters,
    timings: clock.stages,
    threads: { used: loop.threads, reason: threadChoice.threads === 1 ? threadChoice.reason : loop.threadsReason },
    parameters,
    network: spec,
    backbone: backbone?.info ?? null,
    featureCache: !cachePlan ? null : cachePlan.cached ? { used: true, views: cachePlan.views, floats: cachePlan.size, bytes: cachePlan.bytes, rule: cachePlan.rule } : { used: false, reason: cachePlan.reason },
    evaluation,
    quality,
    dataset: { source: input.source, layout: listing.layout, images: set.n, unreadable, skipped: listing.skipped.length, conversions },
    artifactDir,
    checksums,
    datasetSha256,
    resumedFromEpoch,
    warnings: firstBatch.warning ? [...warnings, firstBatch.warning] : warnings,
  };
};
