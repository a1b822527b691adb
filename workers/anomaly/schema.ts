/** The anomaly trainer's input, validated at the IPC/CLI boundary. */
import { z } from 'zod';
import { columnNumberFormatSchema } from '../csv/number-format.js';

const columnList = z.array(z.string().min(1)).default([]);

export const anomalyInputSchema = z.object({
  /** Encrypt the weights at rest with the installation's key (the `models.encryptAtRest` setting). */
  encryptArtifacts: z.boolean().default(false),
  /** Path of the table (any CSV/TSV the importer reads; must fit in memory). */
  file: z.string().min(1),
  /**
   * Optional column marking known anomalies. It is used only to choose the threshold and to
   * evaluate: the network learns from normal rows alone.
   */
  label: z.string().min(1).optional(),
  /** The label value that means "normal" (default: the most common value of the label column). */
  normal: z.string().optional(),
  /** Columns never used as features. */
  exclude: columnList,
  /** Columns used even though the profile would leave them out (identifier-like, personal data…). */
  include: columnList,
  /**
   * Flag about this share of rows (0.01 = 1 in 100; "50 a day" out of 5,000 rows a day is 0.01).
   * Without labels the default is 0.01; with labels, when given, it replaces the precision/recall rule.
   */
  alertRate: z.number().gt(0).lt(1).optional(),
  /** With labels: how the threshold trades precision for recall on the validation rows. */
  thresholdRule: z.enum(['bestF1', 'recall', 'precision']).default('bestF1'),
  /** The recall or precision to reach for the `recall` / `precision` rules. */
  thresholdTarget: z.number().gt(0).max(1).optional(),
  /** Columns written with a decimal comma or thousands separators (found at import); read as numbers, and saved with the model. */
  numberFormats: z.array(columnNumberFormatSchema).default([]),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(42),
  /** `tensorflow` needs @tensorflow/tfjs-node(-gpu); `auto` takes the best that loads. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Without labels: train a second network with another seed and report how much the rankings agree (doubles training time). */
  stability: z.boolean().default(true),
  /** Advanced settings; each defaults to a value sized from the data. */
  epochs: z.number().int().min(1).max(10_000).optional(),
  /** Units of the middle (narrowest) layer. */
  bottleneck: z.number().int().min(1).max(1024).optional(),
  learningRate: z.number().positive().max(1).optional(),
  batchSize: z.number().int().min(1).max(65_536).optional(),
  patience: z.number().int().min(1).optional(),
  validationFraction: z.number().min(0.05).max(0.4).default(0.15),
  testFraction: z.number().min(0.05).max(0.4).default(0.15),
  /** Train on a seeded random sample of at most this many rows. */
  maxRows: z.number().int().min(1).optional(),
  /** Names the run's folders (`models/<runId>`, `runs/<runId>`); generated when absent. */
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
  /** The runId of an interrupted run to continue from its last checkpoint (same file and settings). */
  resumeFrom: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
});

/** Input after defaults are applied. */
export type AnomalyInput = z.infer<typeof anomalyInputSchema>;
/** Input as a caller may write it (defaults optional). */
export type AnomalyInputRaw = z.input<typeof anomalyInputSchema>;
