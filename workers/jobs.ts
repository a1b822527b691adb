/**
 * The map of job kinds: for each kind, the engine that runs it and the schema of its input. Every
 * type at the job boundary comes from here: what a job is submitted with (`JobInput`), what its
 * engine receives once validated (`JobParsed`), what it returns (`JobResult`) and the detail of its
 * progress reports (`JobDetail`). The supervisor, the job rows, the CLI and the push events take
 * their types from this map, so adding a kind is one entry below.
 *
 * Engines load lazily so a worker imports only what its job needs (an import job never loads
 * TensorFlow.js). The main process imports this file for its types only: a value import would pull
 * every engine into the main bundle.
 */
import type { z } from 'zod';
import type { Engine, JobContext } from './protocol.js';

/** One kind's worker side: the schema of its input, its engine, and `run`, which validates then runs. */
export interface JobEntry<S extends z.ZodType, O, D> {
  schema: S;
  engine: Engine<z.output<S>, O, D>;
  /** The one validation of a job's input, then the engine. */
  run(input: unknown, ctx: JobContext<D>): Promise<O>;
}

/** Ties an engine to its input schema; the compiler checks that the schema's output is what the engine takes. */
function entry<S extends z.ZodType, O, D>(schema: S, engine: Engine<z.output<S>, O, D>): JobEntry<S, O, D> {
  return { schema, engine, run: (input, ctx) => engine(schema.parse(input), ctx) };
}

export const jobKinds = {
  'dataset.import': async () => {
    const m = await import('./importer/index.js');
    return entry(m.importInputSchema, m.importDataset);
  },
  'hardware.profile': async () => {
    const m = await import('./profiler/index.js');
    return entry(m.hardwareInputSchema, m.profileHardware);
  },
  'quality.score': async () => {
    const m = await import('./quality/index.js');
    return entry(m.qualityInputSchema, m.scoreQuality);
  },
  'train.run': async () => {
    const m = await import('./trainer/index.js');
    return entry(m.trainInputSchema, m.trainModel);
  },
  'train.forecast': async () => {
    const m = await import('./forecast/index.js');
    return entry(m.forecastInputSchema, m.trainForecast);
  },
  'forecast.preview': async () => {
    const m = await import('./forecast/index.js');
    return entry(m.forecastPreviewInputSchema, m.previewForecastEngine);
  },
  'train.image': async () => {
    const m = await import('./image/index.js');
    return entry(m.imageInputSchema, m.imageEngine);
  },
  'image.scan': async () => {
    const m = await import('./image/index.js');
    return entry(m.imageScanInputSchema, m.imageScanEngine);
  },
  'predict.image': async () => {
    const m = await import('./image/index.js');
    return entry(m.imagePredictInputSchema, m.imagePredictEngine);
  },
  'image.plan': async () => {
    const m = await import('./image/index.js');
    return entry(m.imagePlanInputSchema, m.planImages);
  },
  'train.text': async () => {
    const m = await import('./text/index.js');
    return entry(m.textInputSchema, m.textEngine);
  },
  'train.anomaly': async () => {
    const m = await import('./anomaly/index.js');
    return entry(m.anomalyInputSchema, m.anomalyEngine);
  },
  'predict.run': async () => {
    const m = await import('./predict/index.js');
    return entry(m.predictInputSchema, m.predictEngine);
  },
  'drift.check': async () => {
    const m = await import('./drift/index.js');
    return entry(m.driftInputSchema, m.checkDrift);
  },
  'evaluate.run': async () => {
    const m = await import('./evaluate/index.js');
    return entry(m.evaluateInputSchema, m.evaluateVersion);
  },
  'tryit.score': async () => {
    const m = await import('./tryit/index.js');
    return entry(m.tryitInputSchema, m.tryitEngine);
  },
  'tryit.text': async () => {
    const m = await import('./tryit/text.js');
    return entry(m.tryitTextInputSchema, m.tryitTextEngine);
  },
  'tryit.image': async () => {
    const m = await import('./tryit/image.js');
    return entry(m.tryitImageInputSchema, m.tryitImageEngine);
  },
  'test.sleep': async () => {
    const m = await import('./diagnostics.js');
    return entry(m.sleepInputSchema, m.sleepEngine);
  },
  'test.crash': async () => {
    const m = await import('./diagnostics.js');
    return entry(m.crashInputSchema, m.crashEngine);
  },
};

type Loaded<K extends JobKind> = Awaited<ReturnType<(typeof jobKinds)[K]>>;

/** Every kind of job a worker can run. */
export type JobKind = keyof typeof jobKinds;
/** What a job of kind K is submitted with (before validation: fields with defaults may be left out). */
export type JobInput<K extends JobKind> = z.input<Loaded<K>['schema']>;
/** What the engine of kind K receives: its input once validated. */
export type JobParsed<K extends JobKind> = z.output<Loaded<K>['schema']>;
/** What the engine of kind K returns (plain data, crossing the process boundary). */
export type JobResult<K extends JobKind> = Loaded<K> extends JobEntry<z.ZodType, infer O, unknown> ? O : never;
/** The structured detail of kind K's progress reports (an epoch's metrics, bytes read); `never` when it sends none. */
export type JobDetail<K extends JobKind> = Loaded<K> extends JobEntry<z.ZodType, unknown, infer D> ? D : never;
