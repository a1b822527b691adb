#!/usr/bin/env node
/**
 * Image training benchmark: the reference CNN (28×28×1 → conv 32 → pool → conv 64 → pool
 * → dense 128 → 10, 3×3 'same' convolutions, ReLU, Adam lr 1e-3, batch 64) on Fashion-MNIST,
 * trained by TensorFlow.js on each backend that loads — on wasm twice: the pilot's own step below the
 * tensor API (workers/image/cnn-wasm.ts, `WasmCnn`) and tf.layers + autodiff with this project's
 * conv-gradient kernels (workers/image/wasm-conv.ts); cpu on a few batches only (~30× slower) — and by
 * PyTorch on the CPU (Debian's python3-torch, 1 thread and all cores) — same data, initial weights
 * and batch order. Prints images/s, CPU-seconds per image, the ratio to PyTorch measured in the
 * same run, final loss and test accuracy, and where the wasm step's time goes (tf.profile).
 *
 * Run:   node bench/train-image.mjs [--train 6000] [--epochs 1] [--test 10000] [--skip-cpu] [--skip-direct] [--skip-autodiff]
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { build } from 'esbuild';
import { readIdx } from './make-fashion-fixture.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('--train', 6000);
const NT = arg('--test', 10000);
const EPOCHS = arg('--epochs', 1);
const BATCH = 64;
const LR = 1e-3;
const SRC = '/usr/share/datasets/fashion-mnist';

await build({
  stdin: { contents: `export { registerWasmConvKernels } from './workers/image/wasm-conv.ts';\nexport { Rng } from './workers/trainer/random.ts';\nexport { WasmCnn } from './workers/image/cnn-wasm.ts';\nexport { buildCnn } from './workers/image/model.ts';`, resolveDir: root, loader: 'ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: join(out, 'train-image-lib.mjs'),
  external: ['@tensorflow/*'],
  logLevel: 'warning',
});
const { registerWasmConvKernels, Rng, WasmCnn, buildCnn } = await import(join(out, 'train-image-lib.mjs'));
const tf = await import('@tensorflow/tfjs');
await import('@tensorflow/tfjs-backend-wasm');

// Data: the first N training and NT test images, pixels / 255.
const load = (images, labels, n) => {
  const im = readIdx(join(SRC, images));
  const lb = readIdx(join(SRC, labels));
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) x[i] = im.data[i] / 255;
  return { x, y: Int32Array.from(lb.data.subarray(0, n)) };
};
const train = load('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', N);
const test = load('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', NT);
const rng = new Rng(42);
const orders = new Uint32Array(EPOCHS * N);
for (let e = 0; e < EPOCHS; e++) orders.set(rng.shuffle(Uint32Array.from({ length: N }, (_, i) => i)), e * N);
// Glorot-uniform initial weights in TensorFlow.js's order and layouts; biases zero.
const shapes = [[3, 3, 1, 32], [32], [3, 3, 32, 64], [64], [3136, 128], [128], [128, 10], [10]];
const init = shapes.map((s) => {
  const size = s.reduce((a, b) => a * b, 1);
  if (s.length === 1) return new Float32Array(size);
  const fanIn = s.length === 4 ? s[0] * s[1] * s[2] : s[0];
  const fanOut = s.length === 4 ? s[0] * s[1] * s[3] : s[1];
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: size }, () => (rng.next() * 2 - 1) * limit);
});
writeFileSync(join(out, 'img-x.bin'), train.x);
writeFileSync(join(out, 'img-y.bin'), train.y);
writeFileSync(join(out, 'img-xt.bin'), test.x);
writeFileSync(join(out, 'img-yt.bin'), test.y);
writeFileSync(join(out, 'img-order.bin'), orders);
writeFileSync(join(out, 'img-init.bin'), Buffer.concat(init.map((a) => Buffer.from(a.buffer))));

function makeModel() {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  model.setWeights(init.map((a, i) => tf.tensor(a, shapes[i])));
  return model;
}

/** Trains on `batches` batches (all when null); returns timings, loss, test accuracy. */
async function runTfjs(backend, batches) {
  if (!(await tf.setBackend(backend).catch(() => false))) return null;
  if (backend === 'wasm') registerWasmConvKernels();
  const model = makeModel();
  const opt = tf.train.adam(LR, 0.9, 0.999, 1e-7);
  const step = (idx) => {
    const xb = new Float32Array(idx.length * 784);
    idx.forEach((r, i) => xb.set(train.x.subarray(r * 784, (r + 1) * 784), i * 784));
    const yb = Int32Array.from(idx, (r) => train.y[r]);
    const loss = tf.tidy(() => opt.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(yb, 'int32'), 10), model.apply(tf.tensor4d(xb, [idx.length, 28, 28, 1]))), true));
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  };
  // Warm-up on a throwaway copy, as the PyTorch side does.
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let images = 0;
  let total = 0;
  let count = 0;
  outer: for (let e = 0; e < EPOCHS; e++) {
    total = 0;
    count = 0;
    for (let s = 0; s < N; s += BATCH) {
      if (batches !== null && images >= batches * BATCH) break outer;
      const idx = orders.subarray(e * N + s, e * N + Math.min(N, s + BATCH));
      total += step(idx) * idx.length;
      count += idx.length;
      images += idx.length;
    }
  }
  const wall = (performance.now() - start) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6;
  let correct = 0;
  for (let s = 0; s < NT; s += 500) {
    const n = Math.min(500, NT - s);
    const p = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(test.x.subarray(s * 784, (s + n) * 784), [n, 28, 28, 1])), 1).dataSync());
    for (let i = 0; i < n; i++) if (p[i] === test.y[s + i]) correct++;
  }
  let profile = '';
  if (backend === 'wasm') {
    const idx = orders.subarray(0, BATCH);
    const info = await tf.profile(() => step(idx));
    const agg = new Map();
    for (const k of info.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + k.kernelTimeMs);
    const sum = [...agg.values()].reduce((a, b) => a + b, 0);
    profile = [...agg].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${((v / sum) * 100).toFixed(0)} %`).join(', ');
  }
  model.dispose();
  return { images, wall, cpu, imagesPerSec: images / wall, imagesPerCpuSec: images / cpu, loss: total / Math.max(count, 1), testAccuracy: batches === null ? correct / NT : null, profile };
}

/** The pilot's wasm path: the same network trained by WasmCnn (direct kernels, workers/image/cnn-wasm.ts). */
async function runDirect() {
  if (!(await tf.setBackend('wasm').catch(() => false))) return null;
  const spec = { side: 28, channels: 1, classes: 10, filters: [32, 64], batchNorm: false, dense: 128, dropout: 0 };
  const model = buildCnn(tf, spec, 1);
  model.setWeights(init.map((a, i) => tf.tensor(a, shapes[i])));
  const cnn = new WasmCnn(tf, spec, model, BATCH);
  const xb = new Float32Array(BATCH * 784);
  const ones = new Float32Array(BATCH).fill(1);
  const step = (idx) => {
    idx.forEach((r, i) => xb.set(train.x.subarray(r * 784, (r + 1) * 784), i * 784));
    const yb = Int32Array.from(idx, (r) => train.y[r]);
    return cnn.step(xb, idx.length, yb, ones, idx.length, null, LR).loss;
  };
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let images = 0;
  let total = 0;
  let count = 0;
  for (let e = 0; e < EPOCHS; e++) {
    total = 0;
    count = 0;
    for (let s = 0; s < N; s += BATCH) {
      const idx = orders.subarray(e * N + s, e * N + Math.min(N, s + BATCH));
      total += step(idx) * idx.length;
      count += idx.length;
      images += idx.length;
    }
  }
  const wall = (performance.now() - start) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6;
  const optimizer = tf.train.adam(LR);
  await cnn.store(tf, optimizer);
  optimizer.dispose();
  let correct = 0;
  for (let s = 0; s < NT; s += 500) {
    const n = Math.min(500, NT - s);
    const p = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(test.x.subarray(s * 784, (s + n) * 784), [n, 28, 28, 1])), 1).dataSync());
    for (let i = 0; i < n; i++) if (p[i] === test.y[s + i]) correct++;
  }
  model.dispose();
  return { images, wall, cpu, imagesPerSec: images / wall, imagesPerCpuSec: images / cpu, loss: total / Math.max(count, 1), testAccuracy: correct / NT, profile: '' };
}

const rows = [];
if (!process.argv.includes('--skip-direct')) {
  const r = await runDirect();
  rows.push(r ? { name: 'tfjs wasm, direct kernels (the pilot\'s path)', ...r } : { name: 'tfjs wasm direct', skipped: 'did not initialise' });
}
for (const backend of ['tensorflow', 'wasm', 'cpu']) {
  if (backend === 'tensorflow') {
    try {
      await import('@tensorflow/tfjs-node-gpu').catch(() => import('@tensorflow/tfjs-node'));
    } catch {
      rows.push({ name: 'tfjs tensorflow', skipped: '@tensorflow/tfjs-node(-gpu) is not installed' });
      continue;
    }
  }
  if (backend === 'cpu' && process.argv.includes('--skip-cpu')) continue;
  if (backend === 'wasm' && process.argv.includes('--skip-autodiff')) continue;
  const r = await runTfjs(backend, backend === 'cpu' ? 3 : null);
  rows.push(r ? { name: `tfjs ${backend}${backend === 'cpu' ? ' (3 batches)' : ''}`, ...r } : { name: `tfjs ${backend}`, skipped: 'did not initialise' });
}
const threads = [...new Set([1, cpus().length])].join(',');
const torchOut = execFileSync('/usr/bin/python3', [join(root, 'bench', 'train_image_torch.py'), out, N, NT, BATCH, EPOCHS, LR, threads], { encoding: 'utf8' });
const torch = torchOut.trim().split('\n').map((line) => JSON.parse(line));
for (const t of torch) rows.push({ name: `PyTorch ${t.version} CPU, ${t.threads} thread${t.threads > 1 ? 's' : ''}`, ...t });
const ref = torch.find((t) => t.threads === 1);

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`data: Fashion-MNIST, ${N} training images × ${EPOCHS} epoch(s), batch ${BATCH}, test on ${NT}`);
console.log('| run | images/s | × PyTorch 1 thread | images per CPU-s | × PyTorch per CPU-s | CPU-ms / image | final loss | test accuracy |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  if (r.skipped) {
    console.log(`| ${r.name} | skipped: ${r.skipped} | | | | | | |`);
    continue;
  }
  console.log(`| ${r.name} | ${r.imagesPerSec.toFixed(0)} | ${(r.imagesPerSec / ref.imagesPerSec).toFixed(2)} | ${r.imagesPerCpuSec.toFixed(0)} | ${(r.imagesPerCpuSec / ref.imagesPerCpuSec).toFixed(2)} | ${((r.cpu / r.images) * 1000).toFixed(2)} | ${r.loss.toFixed(4)} | ${r.testAccuracy === null ? '—' : r.testAccuracy.toFixed(4)} |`);
}
const wasm = rows.find((r) => r.name === 'tfjs wasm');
if (wasm?.profile) console.log(`wasm step, share of kernel time: ${wasm.profile}`);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
