/** Image pilots: the `train.image` engine, its input schema, the dataset scan and prediction with a saved model. */
export { trainImages as imageEngine, type ImageTrainResult, type ImageMetrics } from './engine.js';
export { imageInputSchema, type ImageInput, type ImageInputRaw } from './schema.js';
export { scanImages, type ImageScanReport } from './scan.js';
export { predictImages, type ImagePredictResult } from './predict.js';
export { registerWasmConvKernels } from './wasm-conv.js';
export type { ImageEpochRecord } from './train.js';
export { imageScanEngine, imageScanInputSchema, imagePredictEngine, imagePredictInputSchema } from './jobs.js';
export { planImages, imagePlanInputSchema, type ImagePlan, type ImagePlanInput } from './plan.js';
