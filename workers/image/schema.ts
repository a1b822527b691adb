/** The `train.image` job's input (zod), with defaults. */
import { z } from 'zod';

export const imageInputSchema = z.object({
  /** Encrypt the weights at rest with the installation's key (the `models.encryptAtRest` setting). */
  encryptArtifacts: z.boolean().default(false),
  /** A folder with one subfolder per class (optionally under train/ and test/), or a CSV of path + label. */
  source: z.string().min(1),
  pathColumn: z.string().optional(),
  labelColumn: z.string().optional(),
  /** Folder key under models/ and runs/; made up when absent. */
  runId: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .optional(),
  /** Continue the run with this id from its last checkpoint (same data and settings). */
  resumeFrom: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .optional(),
  /** Side of the square network input in pixels; default from the pictures' sizes (28–96). */
  imageSize: z.number().int().min(16).max(128).optional(),
  epochs: z.number().int().min(1).max(500).optional(),
  /**
   * Transfer learning: a TensorFlow.js layers or graph model folder (model.json + weights) whose
   * feature layers are kept, frozen, under a new head. Its input size and channels decide the pictures'.
   */
  backbone: z.string().min(1).optional(),
  /**
   * A graph-model backbone: the node whose output the head reads (default: the input of the
   * classifier at the graph's end, or its output when it has none).
   */
  backboneOutput: z.string().min(1).optional(),
  /**
   * With a frozen backbone: compute its features once per picture (a few fixed views when augmenting) and
   * train the head on them (workers/image/feature-cache.ts). Off: the backbone runs on every picture in every epoch.
   */
  featureCache: z.boolean().default(true),
  /** With a backbone: also train its last block (the layers from its last convolution on). Not for graph models (frozen graphs). */
  fineTune: z.boolean().default(false),
  patience: z.number().int().min(1).max(50).default(4),
  /** Default: 64, or fewer for small sets (at least ~20 steps an epoch). */
  batchSize: z.number().int().min(4).max(512).optional(),
  learningRate: z.number().positive().max(1).default(2e-3),
  seed: z.number().int().default(42),
  validationFraction: z.number().min(0.05).max(0.4).default(0.15),
  /** Used only when the dataset has no test/ folder. */
  testFraction: z.number().min(0.05).max(0.4).default(0.15),
  /** Mirror pictures left–right while training (off for text, digits, anything with a handedness). */
  flips: z.boolean().default(true),
  /** Small shifts and brightness changes (and flips) while training. Default: on under 20,000 training pictures. */
  augment: z.boolean().optional(),
  /**
   * Batch normalisation after each convolution. Default: on with the tensorflow backend only;
   * on wasm and cpu tfjs computes its gradient through broadcasts that tripled a training step
   * (measured on the reference network), for little gain on small pilots.
   */
  batchNorm: z.boolean().optional(),
  /**
   * Learning rate over the run. `auto`: a half cosine down to 0 over the epochs when there are
   * 20,000 training pictures or more (a fixed budget of a few passes), else constant (early
   * stopping decides the length).
   */
  schedule: z.enum(['auto', 'constant', 'cosine']).default('auto'),
  /**
   * Training threads on the wasm backend: `auto` = 2 on a machine with ≥ 2 cores (data-parallel,
   * each computing half of every batch; same result to float rounding), 1 = one thread.
   */
  threads: z.union([z.literal('auto'), z.literal(1), z.literal(2)]).default('auto'),
  classWeights: z.enum(['auto', 'balanced', 'none']).default('auto'),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Most images decoded for training (a stratified sample beyond it); bounds memory. */
  maxImages: z.number().int().min(10).max(2_000_000).default(100_000),
});

/** Validated input. */
export type ImageInput = z.infer<typeof imageInputSchema>;
/** Input as submitted (defaults not yet applied). */
export type ImageInputRaw = z.input<typeof imageInputSchema>;

/** The `image.plan` job's input (workers/image/plan.ts): a run's settings, before it starts. */
export const imagePlanInputSchema = imageInputSchema
  .pick({ source: true, pathColumn: true, labelColumn: true, imageSize: true, epochs: true, backbone: true, fineTune: true, backend: true, batchSize: true, validationFraction: true, testFraction: true, maxImages: true, seed: true })
  .extend({
    /** Also time a few training steps of the network (about a CPU-second on wasm). */
    time: z.boolean().default(false),
  });
/** Input of `image.plan`. */
export type ImagePlanInput = z.infer<typeof imagePlanInputSchema>;

