#!/usr/bin/env node
/**
 * Step bench for the image pilot's two data-parallel threads (issue #12): `--steps` training steps
 * (batch 64) of the pilot's network on real Fashion-MNIST pictures, on one thread and on two
 * (parallel.ts), with the batch prepared as the training loop does (augmentation, dropout mask).
 * Prints images/s, CPU-seconds per image (process.cpuUsage, all threads), the main thread's time
 * per phase (batch preparation, hand-over, own half, waiting, gradient sum + Adam), the machine and
 * the load. Ratios, not absolute times, are what to compare on a loaded machine.
 *
 * Run: node bench/image-steps.mjs [--steps 300]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const steps = Number(arg('--steps', 300));
const out = join(root, 'bench', 'out');
await build({
  stdin: {
    contents: [
      `export { WasmCnn } from './workers/image/cnn-wasm.ts';`,
      `export { buildCnn } from './workers/image/model.ts';`,
      `export { GradientHelper, parallelStep } from './workers/image/parallel.ts';`,
      `export { prepareBatch } from './workers/image/train.ts';`,
      `export { Rng } from './workers/trainer/random.ts';`,
      `export { loadBackend } from './workers/tfjs/backend.ts';`,
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', outfile: join(out, 'image-steps-lib.mjs'), packages: 'external', logLevel: 'warning',
});
await build({
  entryPoints: { 'image-thread': join(root, 'workers/image/thread.ts') },
  outdir: out, outExtension: { '.js': '.mjs' }, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning',
});
const entry = join(out, 'image-thread.mjs');
const lib = await import(join(out, 'image-steps-lib.mjs'));
const { readIdx } = await import('./make-fashion-fixture.mjs');
const tf = await lib.loadBackend('wasm');
const spec = { side: 28, channels: 1, classes: 10, filters: [32, 64], batchNorm: false, dense: 128, dropout: 0.3 };
const B = 64;
const size = 784;
const images = readIdx('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz').data;
const labelsAll = readIdx('/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz').data;
const set = { side: 28, channels: 1, x: images, y: Int32Array.from(labelsAll) };
const norm = { mean: [0.286], std: [0.353] };
const classWeights = new Float32Array(10).fill(1);
const load0 = loadavg()[0];
const rows = [];
for (const threads of [1, 2, 1, 2]) {
  const model = lib.buildCnn(tf, spec, 1);
  const cnn = new lib.WasmCnn(tf, spec, model, B);
  const helper = threads === 2 ? await lib.GradientHelper.start(entry, spec, B, cnn.state.params.map((p) => p.length)) : null;
  if (helper && !(helper instanceof lib.GradientHelper)) throw new Error(helper.error);
  const rng = new lib.Rng(7);
  const order = rng.shuffle(Array.from({ length: 60000 }, (_, i) => i));
  const t = { prepare: 0, step: 0 };
  const run = (s) => {
    const a = performance.now();
    const batch = lib.prepareBatch(set, order.slice(s * B, (s + 1) * B), norm, spec, classWeights, rng, true, false);
    const b = performance.now();
    const mask = spec.dropout > 0 ? batch.mask : null;
    const r = helper
      ? lib.parallelStep(cnn, helper, size, spec.dense, batch.x, batch.b, batch.labels, batch.weights, batch.wSum, mask, 1e-3)
      : cnn.step(batch.x, batch.b, batch.labels, batch.weights, batch.wSum, mask, 1e-3);
    const c = performance.now();
    t.prepare += b - a;
    t.step += c - b;
    return r;
  };
  for (let s = 0; s < 5; s++) run(s);
  t.prepare = 0;
  t.step = 0;
  if (helper?.phases) helper.phases.reset();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) run(5 + s);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  rows.push({ threads, perSec: (steps * B) / wall, cpuMsPerImage: (1000 * cpu) / (steps * B), prepareMs: t.prepare / steps, stepMs: t.step / steps, phases: helper?.phases?.perStep(steps) ?? null });
  if (helper) await helper.close();
  model.dispose();
}
const load1 = loadavg()[0];
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores; load ${load0.toFixed(2)} at start, ${load1.toFixed(2)} at end; ${steps} steps of ${B}`);
console.log('| threads | images/s | CPU-ms per image | prepare ms/step | step ms/step | main-thread phases ms/step |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.threads} | ${r.perSec.toFixed(0)} | ${r.cpuMsPerImage.toFixed(3)} | ${r.prepareMs.toFixed(2)} | ${r.stepMs.toFixed(2)} | ${r.phases ? Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') : ''} |`);
