/** Forecasting pilots: the `train.forecast` engine, its input schema, and prediction with a saved model. */
export { trainForecast as forecastEngine, trainForecast, type ForecastResult, type ForecastHyperparameters } from './engine.js';
export { forecastInputSchema, forecastPreviewInputSchema, type ForecastInput, type ForecastInputRaw, type ForecastPreviewInput } from './schema.js';
export type { ForecastMetrics } from './metrics.js';
export type { BacktestFold, IntervalReport, ModelName } from './evaluate.js';
export type { TimeAlert, Frequency } from './series.js';
export { predictForecast, type ForecastPredictResult } from './predict.js';
export { loadForecastArtifact, type ForecastPipeline } from './artifact.js';
export { forecastDrift, type ForecastDriftReport, type DriftCheck, type DriftVerdict } from './drift.js';
export { previewForecast, previewForecastEngine, type ForecastPreview, type PreviewSeries } from './preview.js';
