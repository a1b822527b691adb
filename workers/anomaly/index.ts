/** Anomaly detection: the `train.anomaly` engine, its input schema and prediction with a saved model. */
export { trainAnomaly as anomalyEngine, type AnomalyResult } from './engine.js';
export { anomalyInputSchema, type AnomalyInput, type AnomalyInputRaw } from './schema.js';
export { predictAnomalies, type AnomalyPredictResult } from './predict.js';
