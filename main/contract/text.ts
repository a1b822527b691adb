/** Channels of text pilots: training a text classifier on a CSV's text column or a folder of documents. */
import { z } from 'zod';
import type { JobOf } from './jobs.js';
import type { Run } from '../../db/runs.js';
import type { TextTrainResult } from '../../workers/text/engine.js';
import { textInputSchema } from '../../workers/text/schema.js';
import { channel } from './define.js';
import type { PilotOutcome } from './pilots.js';

const id = (what: string) => z.number({ error: `Give the ${what} id (a number).` }).int().positive();

/** A text training run that was started. */
export interface TextTrainStarted {
  job: JobOf<'train.text'>;
  run: Run;
}

/** The `train.text` job's result once registered: the engine's result with the run's and version's ids. */
export type TextTrainOutcome = PilotOutcome<TextTrainResult>;

export const textChannels = {
  'text:train': channel<TextTrainStarted>()(
    textInputSchema
      .omit({ runId: true, resumeFrom: true })
      .extend({
        projectId: id('project'),
        /** The registered dataset when `path` is a CSV (null for a folder of documents). */
        datasetId: id('dataset').nullable().default(null),
      })
      .strict(),
    'Trains a text classifier (embedding-bag network, TF-IDF + logistic-regression and majority baselines) and registers the model version.',
  ),
};
