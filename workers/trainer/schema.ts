/** The trainer's input, validated at the IPC/CLI boundary. */
import { z } from 'zod';
import { columnNumberFormatSchema } from '../csv/number-format.js';

const columnList = z.array(z.string().min(1)).default([]);

export const trainInputSchema = z.object({
  /** Path of the training CSV (must fit in memory). */
  file: z.string().min(1),
  /** The column to predict. */
  target: z.string().min(1),
  /** `auto` infers it from the target's values. */
  task: z.enum(['auto', 'binary', 'multiclass', 'regression']).default('auto'),
  /** Columns never used as features. */
  exclude: columnList,
  /** Columns used even though the trainer would leave them out (identifier-like, personal data…). */
  include: columnList,
  /** Protected attributes: the report gives per-group rates of the test predictions. */
  protected: columnList,
  /** Binary: the class that counts as positive (default: `1`/`true`/`yes`, else the rarer class). */
  positiveClass: z.string().optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(42),
  /** `tensorflow` needs @tensorflow/tfjs-node(-gpu); `auto` takes the best that loads. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** `auto`: balanced when the rarest class has under a fifth of the rows of the most common one (fraud-like imbalance). */
  classWeights: z.enum(['auto', 'balanced', 'none']).default('auto'),
  /**
   * Which model becomes the version: `auto` registers the linear model when it is as good as the
   * network on the validation rows (simpler, easier to explain), else the network; `network` and
   * `linear` force one.
   */
  model: z.enum(['auto', 'network', 'linear']).default('auto'),
  /** Advanced settings; each defaults to a value sized from the data. */
  epochs: z.number().int().min(1).max(10_000).optional(),
  hiddenLayers: z.array(z.number().int().min(1).max(4096)).max(8).optional(),
  dropout: z.number().min(0).max(0.9).optional(),
  learningRate: z.number().positive().max(1).optional(),
  batchSize: z.number().int().min(1).max(65_536).optional(),
  patience: z.number().int().min(1).optional(),
  /**
   * Try several network settings (layers, learning rate, dropout, batch size) for up to this many
   * seconds before the real training, judged on the validation rows; absent: the usual settings.
   * Settings given above stay fixed during the search.
   */
  searchSeconds: z.number().int().min(5).max(24 * 3600).optional(),
  validationFraction: z.number().min(0.05).max(0.4).default(0.15),
  testFraction: z.number().min(0.05).max(0.4).default(0.15),
  /** Train on a seeded random sample of at most this many rows (quick pilots, tests). */
  maxRows: z.number().int().min(1).optional(),
  /** Columns whose numbers use a decimal comma or thousands separators (the dataset's, decided at import); saved with the model so prediction reads them alike. */
  numberFormats: z.array(columnNumberFormatSchema).default([]),
  /** Encrypt the model's weights at rest with the installation's key (the `models.encryptAtRest` setting). */
  encryptArtifacts: z.boolean().default(false),
  /** Names the run's folders (`models/<runId>`, `runs/<runId>`); generated when absent. */
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
  /** The runId of an interrupted run to continue from its last checkpoint (same file and settings). */
  resumeFrom: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
});

/** Input after defaults are applied. */
export type TrainInput = z.infer<typeof trainInputSchema>;
/** Input as a caller may write it (defaults optional). */
export type TrainInputRaw = z.input<typeof trainInputSchema>;
