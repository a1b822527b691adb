/**
 * Channels of forecasting pilots: a read-only preview of the series the wizard plots while the
 * user picks the time, value and id columns (`forecast:preview`), and training (`train.forecast`)
 * on a registered dataset, registered as a model version of the project. Prediction is the
 * generic `pilots:predict` (the prediction job reads the model's kind from its metadata).
 */
import { z } from 'zod';
import type { Run } from '../../db/runs.js';
import type { ForecastPreview, ForecastResult } from '../../workers/forecast/index.js';
import { forecastInputSchema, forecastPreviewInputSchema } from '../../workers/forecast/schema.js';
import { channel } from './define.js';
import type { JobOf } from './jobs.js';
import type { PilotOutcome } from './pilots.js';

const id = (what: string) =>
  z
    .number({ error: `Give the ${what} id (a number).` })
    .int()
    .positive();

/** A forecasting run that was started. */
export interface ForecastTrainStarted {
  job: JobOf<'train.forecast'>;
  run: Run;
  /** Set when the dataset changed since import and training went ahead on its current content. */
  warning: string | null;
}

/** The `train.forecast` job's result once registered: the engine's result with the run's and version's ids. */
export type ForecastTrainOutcome = PilotOutcome<ForecastResult>;

/** `forecast:preview`'s answer: how the file reads as series (format, step, season, alerts) and the first series, downsampled for the plot. */
export type ForecastPreviewOutcome = ForecastPreview & { datasetId: number };

export const forecastChannels = {
  'forecast:preview': channel<ForecastPreviewOutcome>()(
    forecastPreviewInputSchema
      .omit({ file: true, numberFormats: true })
      .extend({ datasetId: id('dataset') })
      .strict(),
    'Reads a registered dataset as time series with the chosen time, value and id columns (as training would) and returns the step, season, quality alerts and the series for the plot. Nothing is trained or stored.',
  ),
  'forecast:train': channel<ForecastTrainStarted>()(
    forecastInputSchema
      .omit({ file: true, runId: true, resumeFrom: true, numberFormats: true })
      .extend({
        projectId: id('project'),
        datasetId: id('dataset'),
        /** Train on the file's current content even when it changed since import. */
        allowChanged: z.boolean().default(false),
      })
      .strict(),
    'Trains a windowed forecasting network (naive, seasonal-naive and linear-autoregression baselines, rolling-origin backtest, prediction intervals) and registers the model version.',
  ),
};
