/**
 * What the workbench measured for a pilot project, gathered from the store for the ROI: the
 * model's error rate, the training time and the device's power, each with where it came from.
 * The ROI ties its figures to these, so a better model or a drifted one changes the case.
 */
import {
  hardwareProfileFor,
  latestEvaluation,
  latestRoiCase,
  modelVersionExists,
  roiModelVersion,
  runTiming,
  type RoiModelVersion,
  type RoiProject,
} from '../../db/roi.js';
import type { ReadableDB } from '../../db/store.js';
import { modelErrorRateFromMetrics, type MetricsLike, type RoiMeasured } from '../roi/index.js';

/**
 * Power assumed for a CPU-only training run: a desktop or small-server CPU package under full load.
 * The profiler cannot read a CPU's power draw, so this is said as an assumption on the results.
 */
export const CPU_ASSUMED_WATTS = 95;

/** The measured figures and, in words, where each came from (shown on the page and the report). */
export interface ProjectMeasured {
  /** What `computeRoi` receives. */
  measured: RoiMeasured;
  /** The model version the error rate belongs to; null when the project has none. */
  version: { id: number; version: number; stage: RoiModelVersion['stage'] } | null;
  sources: {
    modelError: string;
    trainingTime: string;
    devicePower: string;
    baseline: string;
  };
}

function isMetrics(value: unknown): value is MetricsLike {
  return typeof value === 'object' && value !== null;
}

function errorRate(db: ReadableDB, version: RoiModelVersion): { rate: number | null; source: string } {
  const evaluation = latestEvaluation(db, version.id);
  // An offline evaluation on newer data is a more current measurement than the training test split.
  if (evaluation && evaluation.createdAt >= version.createdAt) {
    const fromEvaluation = modelErrorRateFromMetrics(isMetrics(evaluation.metrics) ? evaluation.metrics : null);
    if (fromEvaluation.rate !== null) {
      return { rate: fromEvaluation.rate, source: `latest offline evaluation of version ${version.version} (${new Date(evaluation.createdAt).toISOString().slice(0, 10)})` };
    }
  }
  const fromTest = modelErrorRateFromMetrics(isMetrics(version.testMetrics) ? version.testMetrics : null);
  return fromTest.rate !== null
    ? { rate: fromTest.rate, source: `test metrics of version ${version.version}` }
    : { rate: null, source: fromTest.reason ?? 'The model has no usable accuracy.' };
}

function gpuPowerLimit(profile: Record<string, unknown>): { watts: number; model: string } | null {
  const gpus = Array.isArray(profile.gpus) ? (profile.gpus as Record<string, unknown>[]) : [];
  for (const gpu of gpus) {
    const watts = gpu.powerLimitW;
    if (typeof watts === 'number' && Number.isFinite(watts) && watts > 0 && watts <= 1e5) return { watts, model: String(gpu.model ?? 'GPU') };
  }
  return null;
}

/** Gathers what the workbench measured for a project. Pure reads; never throws on missing data. */
export function projectMeasured(db: ReadableDB, project: RoiProject): ProjectMeasured {
  const version = roiModelVersion(db, project.id);
  const baselinePresent = project.baseline !== null;
  const baseline = baselinePresent
    ? "Today's figures were recorded in the pilot's goal step."
    : "No baseline: the pilot's goal step has not recorded today's figures.";

  if (!version) {
    // A case saved against a version that is gone now: say "deleted" rather than "not trained".
    const previous = latestRoiCase(db, project.id)?.measured as { version?: { id?: unknown; version?: unknown } | null } | undefined;
    const previousId = previous?.version?.id;
    const deleted = typeof previousId === 'number' && !modelVersionExists(db, previousId);
    return {
      measured: { modelErrorRate: null, modelVersionState: deleted ? 'deleted' : 'none', trainingSeconds: null, devicePowerWatts: null, baselinePresent },
      version: null,
      sources: {
        modelError: deleted ? `Model version ${String(previous?.version?.version ?? previousId)} was deleted.` : 'No model version yet: train the pilot first.',
        trainingTime: 'Not trained yet.',
        devicePower: 'Not measured.',
        baseline,
      },
    };
  }

  const error = errorRate(db, version);
  const timing = runTiming(db, version.runId);
  let trainingSeconds: number | null = null;
  let trainingTime = 'The training run recorded no duration.';
  if (timing?.trainSeconds != null) {
    trainingSeconds = timing.trainSeconds;
    trainingTime = `measured by the trainer on the run of version ${version.version}`;
  } else if (timing?.jobSeconds != null || timing?.runSeconds != null) {
    trainingSeconds = (timing.jobSeconds ?? timing.runSeconds) as number;
    trainingTime = `duration of the training ${timing.jobSeconds != null ? 'job' : 'run'} of version ${version.version} (includes loading and evaluation)`;
  }

  const backend = timing?.backend ?? version.backend;
  const hardware = hardwareProfileFor(db, version.hardwareProfileId);
  const gpu = backend === 'tensorflow' && hardware ? gpuPowerLimit(hardware.profile) : null;
  let devicePowerWatts: number;
  let devicePowerAssumption: string | undefined;
  let devicePower: string;
  if (gpu) {
    devicePowerWatts = gpu.watts;
    devicePower = `power limit of the ${gpu.model} in the hardware profile of ${hardware!.hostname}`;
  } else {
    devicePowerWatts = CPU_ASSUMED_WATTS;
    devicePowerAssumption = `a typical CPU under full load: the model trained without a GPU (${backend} backend) and a CPU's power draw cannot be measured`;
    devicePower = `assumed: ${CPU_ASSUMED_WATTS} W, ${devicePowerAssumption}`;
  }

  return {
    measured: {
      modelErrorRate: error.rate,
      modelErrorSource: error.source.slice(0, 200),
      modelVersionState: version.stage === 'archived' ? 'archived' : 'current',
      trainingSeconds,
      devicePowerWatts,
      ...(devicePowerAssumption ? { devicePowerAssumption } : {}),
      baselinePresent,
    },
    version: { id: version.id, version: version.version, stage: version.stage },
    sources: { modelError: error.source, trainingTime, devicePower, baseline },
  };
}
