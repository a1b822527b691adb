/**
 * Channels of image pilots for the wizard: scanning a folder of pictures (`image.scan`: counts,
 * thumbnails, unreadable files, duplicates, imbalance) before training, and training a project's
 * convolutional network on it (`train.image`), registered as a model version like every pilot.
 */
import { z } from 'zod';
import type { Run } from '../../db/runs.js';
import { imageScanInputSchema } from '../../workers/image/jobs.js';
import { imageInputSchema, imagePlanInputSchema } from '../../workers/image/schema.js';
import { channel } from './define.js';
import type { JobOf } from './jobs.js';

/** An image training run that was started: the job that trains and the run row that records it. */
export interface ImageTrainStarted {
  job: JobOf<'train.image'>;
  run: Run;
}

const source = z
  .string({ error: 'Give the path of a folder of pictures (one subfolder per class) or of a CSV of paths and labels.' })
  .trim()
  .min(1, 'Give the path of a folder of pictures (one subfolder per class) or of a CSV of paths and labels.')
  .max(4096, 'That path is too long.');

export const imageChannels = {
  'image:scan': channel<JobOf<'image.scan'>>()(
    imageScanInputSchema.extend({ source }).strict(),
    'Queues an image.scan job: per-class counts and thumbnails, unreadable files, exact and near duplicates, leakage between train/ and test/, imbalance, as alerts with fixes.',
  ),
  'image:train': channel<ImageTrainStarted>()(
    imageInputSchema
      .omit({ runId: true, resumeFrom: true })
      .extend({ source, projectId: z.number({ error: 'Give the project id (a number).' }).int().positive() })
      .strict(),
    "Trains a project's image classifier (a small CNN, with majority and linear baselines) on a folder of pictures and registers the model version.",
  ),
  'image:plan': channel<JobOf<'image.plan'>>()(
    imagePlanInputSchema
      .extend({
        source,
        backbone: z.string().trim().min(1, 'Give the path of a TensorFlow.js layers model folder (model.json and its weight files).').max(4096, 'That path is too long.').optional(),
      })
      .strict(),
    'Queues an image.plan job: the side, channels, split and epochs a run would use, the backbone check (name, input shape, or why it cannot be used) and, with time, a few timed training steps of that network.',
  ),
  'image:resume': channel<ImageTrainStarted>()(
    z.object({ runId: z.number({ error: 'Give the run id (a number).' }).int().positive() }).strict(),
    'Continues an interrupted, failed or cancelled image run from its last checkpoint (the last finished epoch), with the settings it started with.',
  ),
};
