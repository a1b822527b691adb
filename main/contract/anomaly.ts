/**
 * Channels of the anomaly-detection pilot: training (`train.anomaly`) on a registered dataset, and
 * scoring a file with a saved anomaly model. Until model versions can hold this kind, the model is
 * named by its folder key (`models/<key>`) and the result stays with its job.
 */
import { z } from 'zod';
import type { Job } from '../../db/jobs.js';
import { anomalyInputSchema } from '../../workers/anomaly/schema.js';
import { channel } from './define.js';

const settings = anomalyInputSchema.omit({ file: true, runId: true, resumeFrom: true });

export const anomalyChannels = {
  'anomaly:train': channel<Job>()(
    settings
      .extend({
        datasetId: z.number({ error: 'Give a dataset id (a number).' }).int().positive(),
        /** Train on the file's current content even when it changed since import. */
        allowChanged: z.boolean().default(false),
      })
      .strict(),
    'Queues a train.anomaly job: an autoencoder learns normal rows of the dataset and is compared with robust z-scores and an isolation forest.',
  ),
  'anomaly:predict': channel<Job>()(
    z
      .object({
        /** The model folder, or its key under the data directory's models/ (the training result's `runId`). */
        model: z.string().trim().min(1, 'Give the model folder or its key.').max(4096),
        path: z.string().trim().min(1, 'Give the CSV file to score.').max(4096),
        outPath: z.string().trim().min(1, 'Give the file to write.').max(4096),
      })
      .strict(),
    'Queues a prediction job that scores every row of a CSV file with an anomaly model: score, flag and the top 3 columns.',
  ),
};
