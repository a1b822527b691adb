/**
 * Which engine runs each job kind. Engines load lazily so a worker imports only what its job
 * needs (an import job never loads TensorFlow.js). Each entry re-validates its input: the main
 * process validated it already, but a worker trusts nobody.
 */
import type { Engine, JobKind } from './protocol.js';

interface EngineModule {
  engine: Engine<never, unknown>;
  schema: { parse(input: unknown): unknown };
}

export const engines: Partial<Record<JobKind, () => Promise<EngineModule>>> = {
  'dataset.import': async () => {
    const m = await import('./importer/index.js');
    return { engine: m.importDataset as Engine<never, unknown>, schema: m.importInputSchema };
  },
  // capabilities: one entry per job kind, below this line
  'predict.run': async () => {
    const m = await import('./predict/index.js');
    return { engine: m.predictEngine as Engine<never, unknown>, schema: m.predictInputSchema };
  },
  'quality.score': async () => {
    const m = await import('./quality/index.js');
    return { engine: m.scoreQuality as Engine<never, unknown>, schema: m.qualityInputSchema };
  },
  'hardware.profile': async () => {
    const m = await import('./profiler/index.js');
    return { engine: m.profileHardware as Engine<never, unknown>, schema: m.hardwareInputSchema };
  },
  'evaluate.run': async () => {
    const m = await import('./evaluate/index.js');
    return { engine: m.evaluateVersion as Engine<never, unknown>, schema: m.evaluateInputSchema };
  },
  'train.run': async () => {
    const m = await import('./trainer/index.js');
    return { engine: m.trainModel as Engine<never, unknown>, schema: m.trainInputSchema };
  },
  'train.anomaly': async () => {
    const m = await import('./anomaly/index.js');
    return { engine: m.anomalyEngine as Engine<never, unknown>, schema: m.anomalyInputSchema };
  },
  'drift.check': async () => {
    const m = await import('./drift/index.js');
    return { engine: m.checkDrift as Engine<never, unknown>, schema: m.driftInputSchema };
  },
  'test.sleep': async () => {
    const m = await import('./diagnostics.js');
    return { engine: m.sleepEngine as Engine<never, unknown>, schema: m.sleepInputSchema };
  },
  'test.crash': async () => {
    const m = await import('./diagnostics.js');
    return { engine: m.crashEngine as Engine<never, unknown>, schema: m.crashInputSchema };
  },
};
