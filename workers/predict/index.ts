/**
 * The `predict.run` engine: applies a saved model version to a file in a worker process, so
 * scoring a large file never blocks the app. The artifact's metadata.json says which kind of pilot
 * made it, and that kind's predictor runs (a model saved before kinds existed is tabular). Each
 * predictor checks the artifact, applies the model's own preprocessing, and writes a CSV with the
 * prediction columns added; what it could not use comes back as warnings.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PILOT_KINDS, type PilotKind } from '../pilot-result.js';
import { type Engine, throwIfCancelled, UserInputError } from '../protocol.js';

export const predictInputSchema = z.object({
  /** The version's artifact directory (checked against its checksums before use). */
  artifactDir: z.string().min(1),
  path: z.string().min(1),
  outPath: z.string().min(1),
  /** Forecast models: steps ahead to write (default: the model's own horizon); refused for other kinds. */
  horizon: z.number().int().min(1).max(1000).optional(),
  /** Replace `outPath` if it exists; without it an existing file is refused. */
  force: z.boolean().optional(),
  /** Prefix formula-like cells with `'` (CSV-injection defence); default true. */
  escapeFormulas: z.boolean().optional(),
  /** Binary tabular models: the version's operating threshold on P(positive); default 0.5. */
  threshold: z.number().gt(0).lt(1).optional(),
});
export type PredictInput = z.infer<typeof predictInputSchema>;

/** What every kind's predictor returns. */
export interface Prediction {
  /** Rows (images, documents, windows) predicted: one output row each. */
  rows: number;
  outPath: string;
  /** Columns added to the output file. */
  addedColumns: string[];
  warnings: string[];
  /** The model's task, when the predictor reports it ('binary', 'regression', …). */
  task?: string;
  /** Bytes of input read, when the predictor streams a file (tabular). */
  bytes?: number;
}

/** The progress detail of `predict.run`: rows written and bytes read so far (streaming predictors only). */
export interface PredictProgress {
  /** Rows predicted and written so far. */
  rows: number;
  /** Bytes of the input read so far. */
  bytes: number;
  /** Size of the input file. */
  totalBytes: number;
}

/** One kind's predictor: the artifact, the input file or folder, where to write the CSV. */
export type Predictor = (artifactDir: string, inputPath: string, outPath: string, options: PredictorOptions) => Promise<Prediction>;

/** What every predictor is given besides the paths. */
export interface PredictorOptions {
  signal: AbortSignal;
  /** Replace an existing output file. */
  force?: boolean;
  /** Prefix formula-like cells (=, +, -, @ …) with `'` so a spreadsheet does not run them; default true. */
  escapeFormulas?: boolean;
  /** Binary models: call a row positive when P(positive) ≥ this (the version's operating threshold). */
  threshold?: number;
  /** Called as rows are written, by predictors that stream (tabular). */
  onProgress?(progress: PredictProgress): void;
  /** Forecast models: steps ahead (default: the trained horizon). */
  horizon?: number;
}

/** The predictor of each pilot kind, loaded only when a model of that kind is applied. A kind adds one entry. */
const predictors: Partial<Record<PilotKind, () => Promise<Predictor>>> = {
  // One streaming pass in batches: memory holds a batch, not the file (tabular.ts).
  tabular: async () => (await import('./tabular.js')).predictTabularStream,
  text: async () => {
    const m = await import('../text/predict.js');
    return async (artifactDir, inputPath, outPath, options) => {
      // Binary: at the version's operating threshold, as tabular models are.
      const result = await m.predictTexts(artifactDir, inputPath, outPath, options.threshold !== undefined ? { threshold: options.threshold } : {});
      const pipeline = JSON.parse(await readFile(join(artifactDir, 'preprocessing.json'), 'utf8')) as { task: string };
      return { ...result, task: pipeline.task };
    };
  },
  // A folder of pictures, a list of paths, or one picture: path, prediction and every class's probability.
  image: async () => (await import('../image/predict.js')).predictImages,
  forecast: async () => {
    // The next steps of every series after the file's history: as many as asked, at most the trained horizon.
    const m = await import('../forecast/predict.js');
    return async (artifactDir, inputPath, outPath, options) => ({
      ...(await m.predictForecast(artifactDir, inputPath, outPath, {
        ...(options.horizon !== undefined ? { horizon: options.horizon } : {}),
        ...(options.escapeFormulas !== undefined ? { escapeFormulas: options.escapeFormulas } : {}),
      })),
      task: 'forecast',
    });
  },
  anomaly: async () => {
    const m = await import('../anomaly/predict.js');
    return (artifactDir, inputPath, outPath, options) => m.predictAnomalies(artifactDir, inputPath, outPath, options.escapeFormulas !== undefined ? { escapeFormulas: options.escapeFormulas } : {});
  },
};

/** The result of `predict.run`: the predictor's, with the kind of model that made it and how fast it went. */
export type PredictResult = Prediction & {
  kind: PilotKind;
  /** Wall-clock seconds of the job, model loading included. */
  seconds: number;
  /** Rows predicted per second of `seconds`. */
  rowsPerSecond: number;
};

export const predictEngine: Engine<PredictInput, PredictResult, PredictProgress> = async (input, ctx) => {
  const started = performance.now();
  ctx.progress({ fraction: 0.05, stage: 'Loading the model' });
  const kind = await artifactKind(input.artifactDir);
  const load = predictors[kind];
  if (!load) throw new UserInputError(`This model is a ${kind} pilot, and this version of Pilot Workbench cannot apply ${kind} models. Update Pilot Workbench.`);
  if (input.horizon !== undefined && kind !== 'forecast') throw new UserInputError(`--horizon applies to forecast models; this one is a ${kind} model. Leave --horizon out.`);
  throwIfCancelled(ctx.signal);
  // An existing output file is refused for every kind (each predictor also writes with 'wx'
  // unless forced, so a file that appears meanwhile is not overwritten either).
  if (!input.force && existsSync(input.outPath)) {
    throw new UserInputError(`${input.outPath} already exists. Choose another output file, or pass --force to overwrite it.`);
  }
  const predict = await load();
  const result = await predict(input.artifactDir, input.path, input.outPath, {
    signal: ctx.signal,
    ...(input.force !== undefined ? { force: input.force } : {}),
    ...(input.escapeFormulas !== undefined ? { escapeFormulas: input.escapeFormulas } : {}),
    ...(input.threshold !== undefined ? { threshold: input.threshold } : {}),
    ...(input.horizon !== undefined ? { horizon: input.horizon } : {}),
    onProgress: (p) =>
      ctx.progress({
        // 5 % for loading; the rest follows the bytes read, the one measure known before the end.
        fraction: 0.05 + 0.94 * (p.totalBytes > 0 ? Math.min(1, p.bytes / p.totalBytes) : 0),
        stage: `Predicted ${p.rows.toLocaleString('en')} rows`,
        detail: p,
      }),
  });
  ctx.progress({ fraction: 1, stage: 'Done' });
  const seconds = (performance.now() - started) / 1000;
  return { ...result, kind, seconds, rowsPerSecond: seconds > 0 ? result.rows / seconds : 0 };
};

/** The `kind` metadata.json records; tabular when it has none (models saved before kinds existed). */
export async function artifactKind(artifactDir: string): Promise<PilotKind> {
  let metadata: unknown;
  try {
    metadata = JSON.parse(await readFile(join(artifactDir, 'metadata.json'), 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'cannot be read';
    throw new UserInputError(`The model's metadata.json in ${artifactDir} ${reason}. Register the model again, or import its bundle.`);
  }
  const kind = typeof metadata === 'object' && metadata !== null && 'kind' in metadata ? metadata.kind : 'tabular';
  const known = PILOT_KINDS.find((k) => k === kind);
  if (!known) throw new UserInputError(`The model in ${artifactDir} says it is of kind "${String(kind)}", which this version does not know (${PILOT_KINDS.join(', ')}).`);
  return known;
}
