#!/usr/bin/env node
/**
 * One thread's training step of the full Fashion-MNIST pilot's network (28×28×1, conv 32 → pool →
 * conv 64 → pool → dense 128 → 10, batch 64, no augmentation, no batch norm: what bench/fashion-pilot.mjs
 * trains), timed in images/s and images per CPU-second. Run with `node --cpu-prof --cpu-prof-dir=bench/out/prof`
 * to see where the step's time goes.
 *
 * Run:   node bench/image-step-profile.mjs [--steps 60]
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg, cpus } from 'node:os';
import { build } from 'esbuild';
import { readIdx } from './make-fashion-fixture.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'bench', 'out');
const i = process.argv.indexOf('--steps');
const steps = i >= 0 ? Number(process.argv[i + 1]) : 60;
await build({
  stdin: { contents: `export { WasmCnn } from './workers/image/cnn-wasm.ts';\nexport { buildCnn } from './workers/image/model.ts';\nexport { loadBackend } from './workers/tfjs/backend.ts';`, resolveDir: root, loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', outfile: join(out, 'image-step-lib.mjs'), packages: 'external', logLevel: 'warning',
});
const lib = await import(join(out, 'image-step-lib.mjs'));
const tf = await lib.loadBackend('wasm');
const spec = { side: 28, channels: 1, classes: 10, filters: [32, 64], batchNorm: false, dense: 128, dropout: 0.3 };
const B = 64;
const images = readIdx('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz').data;
const labelsAll = readIdx('/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz').data;
const model = lib.buildCnn(tf, spec, 1);
const cnn = new lib.WasmCnn(tf, spec, model, B);
const w = new Float32Array(B).fill(1);
const mask = Float32Array.from({ length: B * 128 }, (_, j) => ((j * 2654435761) % 10 < 3 ? 0 : 1 / 0.7));
const step = (s) => {
  const x = Float32Array.from(images.subarray(s * B * 784, (s + 1) * B * 784), (v) => (v / 255 - 0.286) / 0.353);
  return cnn.step(x, B, Int32Array.from(labelsAll.subarray(s * B, (s + 1) * B)), w, B, mask, 1e-3);
};
for (let s = 0; s < 3; s++) step(s);
const load0 = loadavg()[0];
const c0 = process.cpuUsage();
const t0 = performance.now();
let loss = 0;
for (let s = 0; s < steps; s++) loss = step(3 + s).loss;
const wall = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
const cpu = (c.user + c.system) / 1e6;
console.log(`${cpus()[0].model}; load ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}; ${steps} steps of ${B}: ${((steps * B) / wall).toFixed(0)} images/s, ${((steps * B) / cpu).toFixed(0)} images per CPU-s, ${((cpu / steps) * 1000).toFixed(1)} CPU-ms per step; last loss ${loss.toFixed(4)}`);
