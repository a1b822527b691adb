/**
 * The second training thread of an image pilot (bundled as `image-thread.js`, see parallel.ts):
 * its own tfjs wasm backend and `WasmCnn`; on each request it takes the shared weights, computes
 * the gradients of its half batch and writes them back. It never touches the model files or db/.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend } from '../tfjs/backend.js';
import { WasmCnn } from './cnn-wasm.js';
import { buildCnn } from './model.js';
import { views, type ThreadSetup } from './parallel.js';

const setup = workerData as ThreadSetup;
const { spec, maxBatch, sizes, buffers } = setup;
const ctrl = new Int32Array(buffers.ctrl);
const scalars = new Float64Array(buffers.scalars);
const params = views(buffers.params, sizes);
const grads = views(buffers.grads, sizes);
const size = spec.side * spec.side * spec.channels;
const x = new Float32Array(buffers.x);
const labels = new Int32Array(buffers.labels);
const weights = new Float32Array(buffers.weights);
const mask = new Float32Array(buffers.mask);
const predicted = new Int32Array(buffers.predicted);

let cnn: WasmCnn;
try {
  const tf = await loadBackend('wasm');
  // The layers model only sizes the step; its weights are replaced by the shared ones each request.
  const model = buildCnn(tf, spec, 0);
  cnn = new WasmCnn(tf, spec, model, maxBatch);
  parentPort!.postMessage({ type: 'ready' });
} catch (error) {
  parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

let done = 0;
for (;;) {
  Atomics.wait(ctrl, 0, done);
  const request = Atomics.load(ctrl, 0);
  const flags = Atomics.load(ctrl, 3);
  if (flags === -1) break;
  try {
    const b = Atomics.load(ctrl, 2);
    params.forEach((p, i) => cnn.state.params[i]!.set(p));
    const r = cnn.gradients(
      x.subarray(0, b * size),
      b,
      labels.subarray(0, b),
      weights.subarray(0, b),
      scalars[0]!,
      flags === 1 ? mask.subarray(0, b * spec.dense) : null,
    );
    cnn.grads.forEach((g, i) => grads[i]!.set(g));
    predicted.set(r.predicted);
    scalars[1] = r.loss;
  } catch (error) {
    Atomics.store(ctrl, 3, -2);
    parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
  done = request;
  Atomics.store(ctrl, 1, request);
  Atomics.notify(ctrl, 1);
}
