/**
 * The `predict.run` engine: applies a saved model version to the rows of a CSV file in a worker
 * process, so scoring a large file never blocks the app. The model's own preprocessing is applied;
 * unseen categories and missing columns come back as warnings (workers/trainer/predict.ts).
 */
import { z } from 'zod';
import { predictFile, type PredictResult } from '../trainer/predict.js';
import { type Engine, throwIfCancelled } from '../protocol.js';

export const predictInputSchema = z.object({
  /** The version's artifact directory (checked against its checksums before use). */
  artifactDir: z.string().min(1),
  path: z.string().min(1),
  outPath: z.string().min(1),
  /** Replace `outPath` if it exists; without it an existing file is refused. */
  force: z.boolean().optional(),
  /** Prefix formula-like cells with `'` (CSV-injection defence); default true. */
  escapeFormulas: z.boolean().optional(),
});
export type PredictInput = z.infer<typeof predictInputSchema>;

export const predictEngine: Engine<PredictInput, PredictResult> = async (input, ctx) => {
  ctx.progress({ fraction: 0.05, stage: 'Loading the model and the rows' });
  throwIfCancelled(ctx.signal);
  const result = await predictFile(input.artifactDir, input.path, input.outPath, undefined, {
    ...(input.force !== undefined ? { force: input.force } : {}),
    ...(input.escapeFormulas !== undefined ? { escapeFormulas: input.escapeFormulas } : {}),
  });
  ctx.progress({ fraction: 1, stage: 'Done' });
  return result;
};
