/** The forecasting engine's input, validated at the IPC/CLI boundary. */
import { z } from 'zod';
import { columnNumberFormatSchema, type ColumnNumberFormat, type NumberFormat } from '../csv/number-format.js';

const runName = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/);

export const forecastInputSchema = z.object({
  /** Encrypt the weights at rest with the installation's key (the `models.encryptAtRest` setting). */
  encryptArtifacts: z.boolean().default(false),
  /** Path of the CSV (must fit in memory). */
  file: z.string().min(1),
  /** The time: one column, or a date column and an hour (or time-of-day) column joined by `+`, e.g. `dteday+hr`. */
  time: z.string().min(1),
  /** The value to forecast. */
  target: z.string().min(1),
  /** A column that tells several series apart (shop, machine); one model learns them all. */
  id: z.string().min(1).optional(),
  /** A 0/1 column marking holidays (or other known special days); its flags for the forecast steps become inputs. */
  holiday: z.string().min(1).optional(),
  /** How many steps ahead to forecast (default: a day of hourly data, two weeks of daily data …). */
  horizon: z.number().int().min(1).max(1000).optional(),
  /** Past steps the network sees (default: one season, at least the horizon). */
  lags: z.number().int().min(1).max(2000).optional(),
  /** Combining values that fall in one step: `auto` = sum for counts, mean for levels. */
  aggregate: z.enum(['auto', 'sum', 'mean']).default('auto'),
  /** Share of the time span held out as the test stretch (the most recent), and as validation just before it. */
  testFraction: z.number().min(0.02).max(0.4).default(0.1),
  validationFraction: z.number().min(0.02).max(0.4).default(0.1),
  /** Rolling-origin backtest: the validation and test stretches cut into this many successive folds. */
  backtestFolds: z.number().int().min(2).max(20).default(4),
  /** Prediction-interval coverage aimed at (0.9 = 90 % intervals). */
  intervalLevel: z.number().min(0.5).max(0.99).default(0.9),
  /** Columns written with a decimal comma or thousands separators (found at import); read as numbers, and saved with the model. */
  numberFormats: z.array(columnNumberFormatSchema).default([]),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(42),
  /** `tensorflow` needs @tensorflow/tfjs-node(-gpu); `auto` takes the best that loads. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Advanced settings; each defaults to a value sized from the data. */
  epochs: z.number().int().min(1).max(10_000).optional(),
  hiddenLayers: z.array(z.number().int().min(1).max(4096)).max(8).optional(),
  dropout: z.number().min(0).max(0.9).optional(),
  learningRate: z.number().positive().max(1).optional(),
  batchSize: z.number().int().min(1).max(65_536).optional(),
  patience: z.number().int().min(1).optional(),
  /** Names the run's folders (`models/<runId>`, `runs/<runId>`); generated when absent. */
  runId: runName.optional(),
  /** The runId of an interrupted run to continue from its last checkpoint (same file and settings). */
  resumeFrom: runName.optional(),
});

/** Input after defaults are applied. */
export type ForecastInput = z.infer<typeof forecastInputSchema>;
/** Input as a caller may write it (defaults optional). */
export type ForecastInputRaw = z.input<typeof forecastInputSchema>;

/** What `previewForecast` reads: the same column choices as training, nothing trained. */
export const forecastPreviewInputSchema = forecastInputSchema.pick({ file: true, time: true, target: true, id: true, holiday: true, aggregate: true, numberFormats: true }).extend({
  /** Points per plotted series at most (consecutive steps averaged). */
  points: z.number().int().min(10).max(5000).default(400),
});
/** The preview's input after defaults. */
export type ForecastPreviewInput = z.infer<typeof forecastPreviewInputSchema>;

/** The formats as the table reader takes them (by column name). */
export function formatMap(formats: readonly ColumnNumberFormat[]): Record<string, NumberFormat> {
  return Object.fromEntries(formats.map((f) => [f.column, { decimal: f.decimal, thousands: f.thousands }]));
}
