import type { JobContext } from '../../../workers/protocol.js';
import { anomalyEngine, anomalyInputSchema, type AnomalyInputRaw } from '../../../workers/anomaly/index.js';
import type { EpochRecord } from '../../../workers/trainer/fit.js';

/** The engine as the worker runs it: the input validated once, then the engine. */
export const runAnomaly = (raw: AnomalyInputRaw, ctx: JobContext<EpochRecord>) => anomalyEngine(anomalyInputSchema.parse(raw), ctx);
