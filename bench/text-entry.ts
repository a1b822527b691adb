/** What bench/train-text.mjs needs from the text pilot, in one bundle. */
export { trainText } from '../workers/text/engine.js';
export { textInputSchema } from '../workers/text/schema.js';
export { parseEmail } from '../workers/text/eml.js';
export { splitRows } from '../workers/trainer/split.js';
export { seedFor } from '../workers/trainer/random.js';
