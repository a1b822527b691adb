/**
 * The `predict.run` engine: applies a saved model version to the rows of a CSV file in a worker
 * process, so scoring a large file never blocks the app. The model's own preprocessing is applied;
 * unseen categories and missing columns come back as warnings (workers/trainer/predict.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { AnomalyPredictResult } from '../anomaly/predict.js';
import { predictFile, type PredictResult } from '../trainer/predict.js';
import { type Engine, throwIfCancelled } from '../protocol.js';

export const predictInputSchema = z.object({
  /** The version's artifact directory (checked against its checksums before use). */
  artifactDir: z.string().min(1),
  path: z.string().min(1),
  outPath: z.string().min(1),
});
export type PredictInput = z.infer<typeof predictInputSchema>;

/** The model's kind, from its metadata.json (models saved before kinds existed are tabular). */
async function kindOf(artifactDir: string): Promise<string> {
  try {
    const metadata = JSON.parse(await readFile(join(artifactDir, 'metadata.json'), 'utf8')) as { kind?: unknown };
    return typeof metadata.kind === 'string' ? metadata.kind : 'tabular';
  } catch {
    return 'tabular'; // a missing or damaged file: the tabular path's checksum check says so in words
  }
}

export const predictEngine: Engine<PredictInput, PredictResult | AnomalyPredictResult> = async (input, ctx) => {
  ctx.progress({ fraction: 0.05, stage: 'Loading the model and the rows' });
  throwIfCancelled(ctx.signal);
  const kind = await kindOf(input.artifactDir);
  const result =
    kind === 'anomaly'
      ? await (await import('../anomaly/predict.js')).predictAnomalies(input.artifactDir, input.path, input.outPath)
      : await predictFile(input.artifactDir, input.path, input.outPath);
  ctx.progress({ fraction: 1, stage: 'Done' });
  return result;
};
