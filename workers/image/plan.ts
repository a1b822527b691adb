/**
 * What a training run on a folder would be, before it starts (`image.plan`): the side, channels,
 * classes and split sizes the trainer would choose, its epoch limit and network, the backend, the
 * imported backbone's check (name, input shape, or the clear reason it cannot be used), and when
 * asked a fresh timing of a few training steps of exactly that network (synthetic pixels). The
 * wizard turns this into "about N minutes on this machine (backend)", using the hardware
 * benchmark's figure scaled to this network where there is one, else this timing.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UserInputError, type Engine } from '../protocol.js';
import { loadBackend, loadBestBackend, type BackendName } from '../tfjs/backend.js';
import { timeTrainingStep } from '../profiler/bench-image.js';
import { loadBackbone, type LoadedBackbone } from './backbone.js';
import { chooseSide, looksGreyscale, sampleEntries } from './data.js';
import { loadImage } from './decode.js';
import { listImages, listingStage } from './files.js';
import { buildCnn, cnnSpec, trainingFlops, type CnnSpec } from './model.js';
import { seedFor } from '../trainer/random.js';
import { imagePlanInputSchema, type ImagePlanInput } from './schema.js';
import { buildTransfer, transferSpec } from './transfer.js';
import { registerWasmConvKernels } from './wasm-conv.js';

export { imagePlanInputSchema, type ImagePlanInput };

/** The imported backbone, as checked. */
export interface BackbonePlan {
  name: string;
  source: string;
  inputShape: (number | null)[];
  featureLayer: string;
  featureShape: (number | null)[];
  parameters: number;
  fineTuned: string[];
}

export interface ImagePlan {
  pictures: number;
  classes: string[];
  side: number;
  channels: 1 | 3;
  train: number;
  validation: number;
  test: number;
  maxEpochs: number;
  batchSize: number;
  backend: BackendName;
  /** The trainer's own network (null with a backbone: then the head is on the backbone's features). */
  network: CnnSpec | null;
  /** FLOPs of one training step per picture of that network (null with a backbone). */
  trainingFlops: number | null;
  backbone: BackbonePlan | null;
  /** Why the backbone cannot be used, in words; the plan is then the one without it. */
  backboneError: string | null;
  /** A fresh timing of the network that would train (with `time`). */
  timing: { imagesPerSec: number; batch: number; steps: number; step: 'wasm-direct' | 'tensor' } | null;
}

async function backendFor(requested: ImagePlanInput['backend']): Promise<{ tf: typeof tfjs; backend: BackendName }> {
  if (requested === 'auto') {
    const best = await loadBestBackend();
    return { tf: best.tf, backend: best.backend };
  }
  try {
    return { tf: await loadBackend(requested), backend: requested };
  } catch (error) {
    throw new UserInputError(`${(error as Error).message} Choose "auto" to use the best backend that works here.`);
  }
}

export const planImages: Engine<ImagePlanInput, ImagePlan> = async (input, ctx) => {
  ctx.progress({ fraction: 0.05, stage: 'Listing pictures' });
  const listing = await listImages(input.source, {
    ...(input.pathColumn ? { pathColumn: input.pathColumn } : {}),
    ...(input.labelColumn ? { labelColumn: input.labelColumn } : {}),
    onProgress: (looked) => ctx.progress({ fraction: 0.05, stage: listingStage(looked) }),
    signal: ctx.signal,
  });
  const entries = sampleEntries(listing.entries, input.maxImages, seedFor(input.seed, 'sample'));
  const classes = listing.classes.filter((c) => !listing.emptyClasses.includes(c));
  const { tf, backend } = await backendFor(input.backend);
  if (backend === 'wasm') registerWasmConvKernels();
  ctx.progress({ fraction: 0.3, stage: input.backbone ? 'Checking the backbone' : 'Sizing the network' });
  let loaded: LoadedBackbone | null = null;
  let backboneError: string | null = null;
  let backboneDisposed = false;
  if (input.backbone) {
    try {
      loaded = await loadBackbone(tf, input.backbone, input.fineTune);
    } catch (error) {
      if (!(error instanceof UserInputError)) throw error;
      backboneError = error.message;
    }
  }
  try {
    const shorter: number[] = [];
    for (const entry of entries.slice(0, 200)) {
      const image = await loadImage(entry.path).catch(() => null);
      if (image) shorter.push(Math.min(image.width, image.height));
    }
    const side = loaded?.info.inputShape[0] ?? input.imageSize ?? chooseSide(shorter);
    const channels: 1 | 3 = loaded ? (loaded.info.inputShape[2] as 1 | 3) : (await looksGreyscale(listing)) ? 1 : 3;
    // The trainer's split: its own test/ folder, else the fractions (stratified; rounding aside).
    const fromTest = entries.filter((e) => e.split === 'test').length;
    const pool = entries.length - fromTest;
    const test = fromTest > 0 ? fromTest : Math.round(entries.length * input.testFraction);
    const validation = Math.round((fromTest > 0 ? pool : entries.length) * input.validationFraction);
    const train = Math.max(0, pool - validation - (fromTest > 0 ? 0 : test));
    const maxEpochs = input.epochs ?? (train < 5000 ? 30 : train >= 20000 ? 5 : 15);
    const batchSize = input.batchSize ?? Math.max(16, Math.min(64, 2 ** Math.floor(Math.log2(Math.max(train / 20, 1)))));
    const k = Math.max(classes.length, 2);
    const network = loaded ? null : cnnSpec(side, channels, k, train, backend === 'tensorflow');
    let timing: ImagePlan['timing'] = null;
    if (input.time) {
      ctx.progress({ fraction: 0.6, stage: 'Timing a few training steps' });
      const spec = network ?? transferSpec(loaded!.info, side, channels, k, train);
      const model = network ? buildCnn(tf, network, 1) : buildTransfer(tf, loaded!, transferSpec(loaded!.info, side, channels, k, train), 1);
      // Small batches: a CPU-second or so on wasm; the plain-JS cpu backend is ~50× slower, so one step of 2 there.
      const slow = backend === 'cpu';
      const batch = slow ? 2 : 8;
      const steps = slow ? 1 : 2;
      try {
        const timed = await timeTrainingStep(tf, model, spec, batch, steps, !slow, ctx.signal);
        timing = { ...timed, batch, steps };
      } finally {
        // The transfer model holds the backbone: disposing it frees both.
        model.dispose();
        if (!network) backboneDisposed = true;
      }
    }
    const info = loaded?.info;
    return {
      pictures: entries.length,
      classes,
      side,
      channels,
      train,
      validation,
      test,
      maxEpochs,
      batchSize,
      backend,
      network,
      trainingFlops: network ? trainingFlops(network) : null,
      backbone: info ? { name: info.name, source: info.source, inputShape: info.inputShape, featureLayer: info.featureLayer, featureShape: info.featureShape, parameters: info.parameters, fineTuned: info.fineTuned } : null,
      backboneError,
      timing,
    };
  } finally {
    if (!backboneDisposed) loaded?.model.dispose();
  }
};
