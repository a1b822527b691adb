/** What bench/tryit.mjs needs: training a text and an image version, pilot predict's predictors, and the try-it engines. */
export { trainText } from '../workers/text/engine.js';
export { textInputSchema } from '../workers/text/schema.js';
export { predictTexts } from '../workers/text/predict.js';
export { trainImages } from '../workers/image/engine.js';
export { imageInputSchema } from '../workers/image/schema.js';
export { predictImages } from '../workers/image/predict.js';
export { tryitTextEngine, tryitTextInputSchema } from '../workers/tryit/text.js';
export { tryitImageEngine, tryitImageInputSchema } from '../workers/tryit/image.js';
