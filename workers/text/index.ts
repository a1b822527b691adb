/** The text pilot: the `train.text` engine, its input schema, prediction with a saved model, reading and quality. */
export { trainText as textEngine, trainText, type TextTrainResult, type TextHyperparameters } from './engine.js';
export { textInputSchema, type TextInput, type TextInputRaw } from './schema.js';
export { predictTexts, type TextPredictResult } from './predict.js';
export { readTextDataset, type TextDataset } from './read.js';
export { textQuality, type TextQuality } from './quality.js';
export { findPiiSpans, maskText, type PiiSpan } from './pii-spans.js';
export type { TextEpochRecord } from './fit.js';
