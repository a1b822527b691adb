/**
 * The `predict.run` engine: applies a saved model version to the rows of a CSV file in a worker
 * process, so scoring a large file never blocks the app. The model's own preprocessing is applied;
 * unseen categories and missing columns come back as warnings (workers/trainer/predict.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { predictFile, type PredictResult } from '../trainer/predict.js';
import { type Engine, throwIfCancelled } from '../protocol.js';

export const predictInputSchema = z.object({
  /** The version's artifact directory (checked against its checksums before use). */
  artifactDir: z.string().min(1),
  path: z.string().min(1),
  outPath: z.string().min(1),
});
export type PredictInput = z.infer<typeof predictInputSchema>;

export const predictEngine: Engine<PredictInput, PredictResult> = async (input, ctx) => {
  ctx.progress({ fraction: 0.05, stage: 'Loading the model and the rows' });
  throwIfCancelled(ctx.signal);
  const result = (await kindOf(input.artifactDir)) === 'text' ? await predictText(input) : await predictFile(input.artifactDir, input.path, input.outPath);
  ctx.progress({ fraction: 1, stage: 'Done' });
  return result;
};

/** The pilot kind recorded in the artifact's metadata.json ('tabular' when absent: versions made before kinds existed). */
async function kindOf(artifactDir: string): Promise<string> {
  try {
    const metadata = JSON.parse(await readFile(join(artifactDir, 'metadata.json'), 'utf8')) as { kind?: unknown };
    return typeof metadata.kind === 'string' ? metadata.kind : 'tabular';
  } catch {
    return 'tabular'; // the tabular path reports the missing or unreadable file
  }
}

/** A text model: its own reader (a CSV's text column or a folder of documents); same result shape. */
async function predictText(input: PredictInput): Promise<PredictResult> {
  const { predictTexts } = await import('../text/predict.js');
  const result = await predictTexts(input.artifactDir, input.path, input.outPath);
  const pipeline = JSON.parse(await readFile(join(input.artifactDir, 'preprocessing.json'), 'utf8')) as { task: PredictResult['task'] };
  return { ...result, task: pipeline.task };
}
