/**
 * Channels of the anomaly-detection pilot: training (`train.anomaly`) on a registered dataset,
 * registered as a model version of the pilot's project. Prediction is `pilots:predict`.
 */
import { z } from 'zod';
import { anomalyInputSchema } from '../../workers/anomaly/schema.js';
import { channel } from './define.js';
import type { JobOf } from './jobs.js';

/** `anomaly:train`'s answer: the job that trains, and where its version will be registered. */
export interface AnomalyStarted {
  job: JobOf<'train.anomaly'>;
  /** The `runs` row that records it. */
  runId: number;
  projectId: number;
  /** The project's name (PROJECT@VERSION names the version once trained). */
  project: string;
  /** Set when the dataset changed since import and training went ahead on its current content. */
  warning: string | null;
}

// The number formats come from the dataset's import, not from the caller.
const settings = anomalyInputSchema.omit({ file: true, runId: true, resumeFrom: true, numberFormats: true });

export const anomalyChannels = {
  'anomaly:train': channel<AnomalyStarted>()(
    settings
      .extend({
        datasetId: z.number({ error: 'Give a dataset id (a number).' }).int().positive(),
        /** The pilot's project (created when new); default "<file name> unusual cases". */
        project: z.string().trim().min(1).max(120).optional(),
        /** Train on the file's current content even when it changed since import. */
        allowChanged: z.boolean().default(false),
      })
      .strict(),
    'Queues a train.anomaly job: an autoencoder learns normal rows of the dataset and is compared with robust z-scores and an isolation forest; the result is registered as a model version.',
  ),
};
