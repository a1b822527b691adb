/**
 * The typical pilot of each kind that training time is estimated for, and how much memory one
 * sample takes, for "the largest pilot that fits comfortably". Figures are deliberately round.
 */
import type { PilotKind } from './types.js';

export interface TypicalPilot {
  /** Shown in reports. */
  description: string;
  samples: number;
  epochs: number;
  /**
   * Cost of one sample relative to one sample of the reference model that was timed. Images: the
   * reference is the trainer's network at the typical pilot's 64 × 64 × 3; what is added is the
   * validation pictures scored each epoch.
   */
  costPerReferenceSample: number;
  /** Bytes of one sample as float32 in memory. */
  bytesPerSample: number;
  /** How the largest pilot is phrased: `{count}` is replaced by the count. */
  largestTemplate: string;
  /** Free disk the pilot's data, checkpoints and reports want. */
  diskGB: number;
}

export const TYPICAL_PILOTS: Record<PilotKind, TypicalPilot> = {
  tabular: {
    description: '50,000 rows × 100 features, 30 epochs',
    samples: 50_000,
    epochs: 30,
    costPerReferenceSample: 1,
    bytesPerSample: 100 * 4,
    largestTemplate: '{count} rows × 100 features',
    diskGB: 10,
  },
  // The trainer's defaults for 5,000 colour pictures: a 70/15/15 split (3,500 train), up to 30 epochs (under 5,000 training
  // pictures), the network cnnSpec builds for 64 × 64 × 3, which is the benchmark's last reference shape (costPerReferenceSample 1
  // for the training pictures). Each epoch also scores the 750 validation pictures, forward only: about a third of a training
  // step each, so 3,500 + 750 / 3 = 3,750 training-step equivalents per epoch.
  image: {
    description: '5,000 colour pictures at 64×64 (3,500 to train on), up to 30 epochs',
    samples: 3_500,
    epochs: 30,
    costPerReferenceSample: (3_500 + 750 / 3) / 3_500,
    bytesPerSample: 64 * 64 * 3 * 4,
    largestTemplate: '{count} colour pictures at 64×64',
    diskGB: 50,
  },
  text: {
    description: '20,000 documents, 1,000-term bag of words, 10 epochs',
    samples: 20_000,
    epochs: 10,
    costPerReferenceSample: 1,
    bytesPerSample: 1000 * 4,
    largestTemplate: '{count} documents × 1,000 terms',
    diskGB: 10,
  },
  anomaly: {
    description: '100,000 rows × 30 features, 30 epochs',
    samples: 100_000,
    epochs: 30,
    costPerReferenceSample: 1,
    bytesPerSample: 30 * 4,
    largestTemplate: '{count} rows × 30 features',
    diskGB: 10,
  },
  timeseries: {
    description: '50,000 windows of 48 steps, 50 epochs',
    samples: 50_000,
    epochs: 50,
    costPerReferenceSample: 1,
    bytesPerSample: 48 * 4,
    largestTemplate: '{count} windows of 48 steps',
    diskGB: 10,
  },
};

/** Working copies of the data during training: the raw rows, the tensor, a shuffled batch copy. */
export const MEMORY_COPIES = 3;
/** Share of the available memory a pilot may take and still leave the machine usable. */
export const MEMORY_BUDGET_SHARE = 0.5;

/** Minutes to train the typical pilot at `samplesPerSec` reference samples per second. */
export function estimateMinutes(kind: PilotKind, samplesPerSec: number): number {
  const pilot = TYPICAL_PILOTS[kind];
  return (pilot.samples * pilot.epochs * pilot.costPerReferenceSample) / samplesPerSec / 60;
}

/** The largest sample count that fits in half the available memory, rounded down to 2 significant digits. */
export function largestSamples(kind: PilotKind, availableBytes: number): number {
  const raw = (availableBytes * MEMORY_BUDGET_SHARE) / (TYPICAL_PILOTS[kind].bytesPerSample * MEMORY_COPIES);
  if (raw < 1) return 0;
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(raw)) - 1);
  return Math.floor(raw / magnitude) * magnitude;
}
