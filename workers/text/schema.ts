/** The text pilot's input, validated at the IPC/CLI boundary. */
import { z } from 'zod';

export const textInputSchema = z.object({
  /** Encrypt the weights at rest with the installation's key (the `models.encryptAtRest` setting). */
  encryptArtifacts: z.boolean().default(false),
  /** A CSV/TSV file with a text and a label column, or a folder with one subfolder per class. */
  path: z.string().min(1),
  /** CSV: the column holding the text. */
  textColumn: z.string().min(1).optional(),
  /** CSV: the label column. */
  target: z.string().min(1).optional(),
  /** The dataset's recorded encoding (from its import); detected when absent. */
  encoding: z.enum(['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'latin1']).optional(),
  /** Binary: the class that counts as positive (default: `1`/`true`/`yes`/`spam`…, else the rarer class). */
  positiveClass: z.string().optional(),
  /** Train on a copy with e-mails, phones, IBANs, cards, IPs and SSNs replaced by placeholders. */
  maskPii: z.boolean().default(false),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(42),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** `auto`: balanced when the rarest class has under a fifth of the documents of the most common one. */
  classWeights: z.enum(['auto', 'balanced', 'none']).default('auto'),
  /** Advanced settings; each defaults to a value sized from the data. */
  epochs: z.number().int().min(1).max(1000).optional(),
  batchSize: z.number().int().min(1).max(4096).optional(),
  learningRate: z.number().positive().max(1).optional(),
  patience: z.number().int().min(1).optional(),
  /** Embedding width. */
  dim: z.number().int().min(2).max(512).optional(),
  /** Hash buckets (rounded up to a power of two). */
  buckets: z.number().int().min(1024).max(1 << 22).optional(),
  /** Longest text kept per document, in characters. */
  maxChars: z.number().int().min(100).optional(),
  validationFraction: z.number().min(0.05).max(0.4).default(0.15),
  testFraction: z.number().min(0.05).max(0.4).default(0.15),
  /** Threads: 2 (default where there are two cores) tokenises, scores quality and fits the baseline beside the network; 1 runs every stage in turn. Same result either way. */
  threads: z.number().int().min(1).max(2).optional(),
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
  resumeFrom: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
});

export type TextInput = z.infer<typeof textInputSchema>;
export type TextInputRaw = z.input<typeof textInputSchema>;
