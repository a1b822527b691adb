/**
 * `checkDrift`, the engine of `drift.check`: a current file against a reference file, a profile, or
 * a cached profile's file; with a model version, also prediction and performance drift.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine, JobContext, ProgressReport } from '../protocol.js';
import { UserInputError } from '../protocol.js';
import { compareWithReference } from './engine.js';
import { applyModel, modelPerformance, PREDICTION_COLUMN, writePredictions } from './model.js';
import type { ColumnProfile, ReferenceProfile } from './profile.js';
import { buildReferenceProfile } from './read.js';
import type { ColumnDrift, DriftReport } from './report.js';
import { referenceProfileSchema, type DriftInput, type DriftModel } from './schema.js';
import { DEFAULT_THRESHOLDS } from './select.js';
import { summarise } from './summary.js';

export const checkDrift: Engine<DriftInput, DriftReport> = async (input, ctx) => {
  const { referenceProfilePath, model, ...rest } = input;
  if (model?.task === 'forecast') {
    ctx.progress({ fraction: 0.1, stage: 'Forecasting the recent stretch' });
    const { forecastDriftReport } = await import('../forecast/drift-report.js');
    return forecastDriftReport(model.artifactDir, rest.currentPath, { file: model.trainingFile ?? '', sha256: model.datasetSha256 ?? '' });
  }
  if (model?.kind === 'text') {
    const { textDriftReport } = await import('../text/drift.js');
    return textDriftReport(model, rest.currentPath, rest.options ?? {}, ctx);
  }
  if (model?.kind === 'image') {
    const { imageDriftReport } = await import('../image/drift.js');
    return imageDriftReport(model, rest.currentPath, rest.options ?? {}, ctx);
  }
  const profile = referenceProfilePath !== undefined ? await readProfileFile(referenceProfilePath) : input.referenceProfile;
  if (!model) {
    return compareWithReference(profile ? { currentPath: rest.currentPath, referenceProfile: profile, ...(rest.options ? { options: rest.options } : {}) } : rest, ctx);
  }
  return checkWithModel({ ...rest, ...(profile ? { referenceProfile: profile } : {}) }, model, ctx);
};

async function readProfileFile(path: string): Promise<ReferenceProfile> {
  const text = await readFile(path, 'utf8').catch((error: Error) => {
    throw new UserInputError(`Cannot read the cached reference profile ${path}: ${error.message}. Run the check again: the app rewrites it.`);
  });
  const parsed = referenceProfileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new UserInputError(`The cached reference profile ${path} is damaged. Delete it and run the check again.`);
  return parsed.data as ReferenceProfile;
}

/** Maps a sub-step's progress into [from, to) of the job. */
function slice(ctx: JobContext, from: number, to: number): JobContext {
  return { ...ctx, progress: (p: ProgressReport) => ctx.progress({ ...p, fraction: from + p.fraction * (to - from) }) };
}

async function checkWithModel(input: Omit<DriftInput, 'referenceProfilePath' | 'model'>, model: DriftModel, ctx: JobContext): Promise<DriftReport> {
  const scratch = await mkdtemp(join(tmpdir(), 'pilot-drift-'));
  try {
    let profile = input.referenceProfile;
    const built = profile === undefined;
    if (!profile) {
      const referencePath = input.referencePath as string;
      profile = await buildReferenceProfile(referencePath, {
        signal: ctx.signal,
        maxPoints: input.options?.maxProfilePoints,
        onProgress: (fraction) => ctx.progress({ fraction: fraction * 0.2, stage: 'Reading the reference' }),
      });
      ctx.progress({ fraction: 0.2, stage: "Applying the model to the reference" });
      profile = { ...profile, predictions: await predictionProfile(model, referencePath, join(scratch, 'reference-predictions.csv'), ctx) };
    }
    const { predictions: referencePredictions, ...columnsProfile } = profile;
    const label = input.options?.labelColumn ?? (model.target || undefined);
    const options = { ...input.options, ...(label !== undefined ? { labelColumn: label } : {}), includeProfile: false };
    const base = await compareWithReference({ currentPath: input.currentPath, referenceProfile: columnsProfile, options }, slice(ctx, 0.3, 0.6));

    ctx.progress({ fraction: 0.6, stage: 'Applying the model to the current file' });
    const run = await applyModel(model, input.currentPath);
    let predictionDrift: ColumnDrift | null = null;
    if (referencePredictions && run.predictions.length > 0) {
      const path = join(scratch, 'current-predictions.csv');
      await writePredictions(path, run.predictions);
      const compared = await compareWithReference(
        { currentPath: path, referenceProfile: { ...columnsProfile, columns: [referencePredictions] }, options: { ...(input.options?.thresholds ? { thresholds: input.options.thresholds } : {}) } },
        slice(ctx, 0.9, 0.99),
      );
      const drift = compared.columns[0];
      if (drift) {
        predictionDrift = { ...drift, explanation: `The model's outputs on the reference rows against its outputs on the current rows. ${drift.explanation}` };
      }
    }
    // A metric over a handful of rows is noise: below the rows a column test needs, it is not judged.
    const minRows = input.options?.thresholds?.minRows ?? DEFAULT_THRESHOLDS.minRows;
    let performance = modelPerformance(model, run, input.options?.performanceTolerance);
    if (performance && performance.rows < minRows) {
      run.warnings.push(`Only ${performance.rows} labelled row(s): too few to judge the model's ${performance.metric} (at least ${minRows} are needed).`);
      performance = null;
    }
    const { summary: _s, recommendation: _r, ...partial } = base;
    const merged = { ...partial, predictionDrift, performance, warnings: [...base.warnings, ...run.warnings] };
    const report: DriftReport = { ...merged, ...summarise(merged) };
    if (built && input.options?.includeProfile) report.referenceProfile = profile;
    ctx.progress({ fraction: 1, stage: 'Done' });
    return report;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The profile of the model's predictions on the reference rows (stored with the reference profile). */
async function predictionProfile(model: DriftModel, referencePath: string, scratchPath: string, ctx: JobContext): Promise<ColumnProfile | undefined> {
  const run = await applyModel(model, referencePath);
  if (run.predictions.length === 0) return undefined;
  await writePredictions(scratchPath, run.predictions);
  const profile = await buildReferenceProfile(scratchPath, { signal: ctx.signal, onProgress: () => undefined });
  return profile.columns.find((c) => c.name === PREDICTION_COLUMN);
}
