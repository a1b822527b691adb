/**
 * The forecasting model version on disk, in the same layout as the tabular one (model.json +
 * weights.bin as a tfjs layers model, preprocessing.json, metadata.json, checksums.json), so
 * `verifyArtifact` and the registry treat both alike. preprocessing.json holds how the series are
 * read, gridded and scaled, and the interval widths; it is validated when loaded.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { UserInputError } from '../protocol.js';
import { buildLayersModel, verifyArtifact, writeModelFiles, type Checksums, type WriteOptions } from '../trainer/artifact.js';
import { readArtifactFile } from '../trainer/encryption.js';
import type { MlpSpec } from '../trainer/mlp.js';

type Tf = typeof tfjs;

const pipelineSchema = z.object({
  kind: z.literal('forecast'),
  /** The time spec as given (`dteday+hr`). */
  time: z.string(),
  target: z.string(),
  id: z.string().nullable(),
  holiday: z.string().nullable(),
  aggregate: z.enum(['sum', 'mean']),
  /** How the value and holiday columns' numbers are written (decimal comma, thousands separators); absent: plain numbers. */
  numberFormats: z.record(z.string(), z.object({ decimal: z.enum(['.', ',']), thousands: z.enum(['', ',', '.', ' ', "'"]) })).default({}),
  frequency: z.object({ unit: z.enum(['ms', 'month']), step: z.number().positive(), label: z.string() }),
  window: z.object({
    lags: z.number().int().positive(),
    horizon: z.number().int().positive(),
    calendar: z.object({ hour: z.boolean(), weekday: z.boolean(), month: z.boolean() }),
    holiday: z.boolean(),
  }),
  season: z.object({ period: z.number().int().positive(), label: z.string() }),
  /** Per training series, its standardisation. */
  scaling: z.array(z.object({ id: z.string(), mode: z.enum(['ratio', 'shift']), mean: z.number(), std: z.number().positive() })),
  /** Residual quantiles per horizon step, in window units (see windows.ts). */
  intervals: z.object({ level: z.number(), lower: z.array(z.number()), upper: z.array(z.number()) }),
  /** What drift checks compare with (drift.ts); NaN phases are saved as null. */
  reference: z.object({
    residualMae: z.array(z.number()),
    profiles: z.array(z.object({ id: z.string(), profile: z.array(z.number().nullable().transform((v) => v ?? NaN)) })),
  }),
});

/** `preprocessing.json` of a forecasting model. */
export type ForecastPipeline = z.output<typeof pipelineSchema>;

/** Writes the artifact to `dir` (created) and returns its checksums. */
export async function writeForecastArtifact(
  tf: Tf,
  dir: string,
  spec: MlpSpec,
  params: Float32Array[],
  pipeline: ForecastPipeline,
  metadata: Record<string, unknown>,
  options: WriteOptions = {},
): Promise<Checksums> {
  await mkdir(dir, { recursive: true });
  const model = buildLayersModel(tf, spec, params, 'linear');
  try {
    return await writeModelFiles(tf, dir, model, pipeline, { kind: 'forecast', ...metadata }, options);
  } finally {
    model.dispose();
  }
}

/** Loads a verified forecasting artifact: the tfjs model and its pipeline. Throws `UserInputError` for another kind of model. */
export async function loadForecastArtifact(tf: Tf, dir: string): Promise<{ model: tfjs.LayersModel; pipeline: ForecastPipeline }> {
  await verifyArtifact(dir);
  const metadata: unknown = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'));
  const kind = z.object({ kind: z.string().optional() }).safeParse(metadata);
  if (!kind.success || kind.data.kind !== 'forecast') {
    throw new UserInputError(`${dir} is not a forecasting model (it is a ${kind.success ? (kind.data.kind ?? 'tabular') : 'unknown'} model). Use pilot predict without --horizon for it.`);
  }
  const parsed = pipelineSchema.safeParse(JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8')));
  if (!parsed.success) throw new UserInputError(`${dir}/preprocessing.json is not a forecasting pipeline this version can read. Train the model again.`);
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tfjs.io.ModelJSON;
  // Decrypted when encrypted at rest, after verifyArtifact checked the bytes on disk.
  const weights = await readArtifactFile(dir, 'weights.bin');
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      format: modelJson.format,
    }),
  });
  return { model, pipeline: parsed.data };
}
