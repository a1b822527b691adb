/** The trainer: the `train.run` engine, its input schema, prediction with a saved model, and artifact checks. */
export { trainModel, type TrainResult, type Metrics } from './engine.js';
export { trainInputSchema, type TrainInput, type TrainInputRaw } from './schema.js';
export { predictFile, predictRows, type PredictResult } from './predict.js';
export { verifyArtifact, loadArtifact, type Checksums, type SavedPipeline } from './artifact.js';
export type { EpochRecord } from './fit.js';
export { defaultHyperparameters, trainingCost, type Hyperparameters } from './hyper.js';
