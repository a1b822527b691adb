/**
 * Worker-thread entry of the text pilot: holds the documents it was sent, tokenises its share of
 * them, and runs the analysis (quality report, linear baseline) while the engine's thread trains
 * the network. Bundled as `text-thread.js` next to the engine (see `parallel.ts`); without it the
 * engine runs the same stages in-process, one after the other — same results, one core.
 */
import { parentPort } from 'node:worker_threads';
import type { FromTextThread, ToTextThread } from './parallel.js';
import { analyse, tokenisePart, unflatten } from './stages.js';

let texts: string[] = [];
const port = parentPort!;
const post = (message: FromTextThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (m: ToTextThread) => {
  try {
    if (m.type === 'tokenise') {
      texts = m.texts;
      const part = tokenisePart(texts, m.from, texts.length);
      post({ type: 'tokenised', part }, [part.ids.buffer, part.offsets.buffer, part.hashes.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer));
    } else {
      const analysis = analyse(texts, unflatten(m.terms, m.hashes, m.ids, m.offsets), m.input);
      post({ type: 'analysed', analysis });
    }
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), ...(error instanceof Error && error.stack ? { stack: error.stack } : {}) });
  }
});
