#!/usr/bin/env node
/**
 * Training benchmark: the reference MLP (100 features → 64 → 64 → 1, ReLU, sigmoid/BCE, Adam
 * lr 1e-3, batch 256) on 50,000 synthetic rows, trained by the trainer's Mlp on every tfjs backend
 * that loads, by tfjs's own `tf.layers` + `model.fit` (what a straightforward tfjs app does), and by
 * PyTorch on the CPU (Debian's python3-torch) — all with the same data, initial weights and batch
 * order, so the final losses must agree. Prints samples/s and the ratio to PyTorch (1 thread, and
 * all cores) measured in the same run, over all epochs and over epochs 2… ("steady": V8 and the
 * wasm engine optimise hot code during the first few hundred batches).
 *
 * Run:   node bench/train.mjs            (4 epochs)
 *        node bench/train.mjs --epochs 5 --skip-fit --skip-cpu
 *
 * It bundles workers/ with esbuild into bench/out/ (ignored by git) and writes the data there.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = 50_000;
const D = 100;
const H = 64;
const BATCH = 256;
const LR = 1e-3;
const EPOCHS = Math.max(2, arg('--epochs', 4));

await build({
  stdin: {
    contents: `export { Mlp } from './workers/trainer/mlp.ts';
export { Rng } from './workers/trainer/random.ts';
export { lossAndGrad } from './workers/trainer/loss.ts';
export { probeBackends, loadBackend } from './workers/tfjs/backend.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: join(out, 'train-bundle.mjs'),
  logLevel: 'warning',
});
const { Mlp, Rng, lossAndGrad, probeBackends, loadBackend } = await import(join(out, 'train-bundle.mjs'));
const tf = await import('@tensorflow/tfjs');

// Data: a noisy linear rule with some interactions, so there is something to learn.
const rng = new Rng(2024);
const x = new Float32Array(N * D);
for (let i = 0; i < x.length; i++) x[i] = rng.next() * 2 - 1;
const wTrue = Float32Array.from({ length: D }, () => rng.next() * 2 - 1);
const y = new Float32Array(N);
for (let i = 0; i < N; i++) {
  let s = 0;
  for (let j = 0; j < D; j++) s += x[i * D + j] * wTrue[j];
  s += 2 * x[i * D] * x[i * D + 1] + (rng.next() - 0.5);
  y[i] = s > 0 ? 1 : 0;
}
const orders = new Uint32Array(EPOCHS * N);
for (let e = 0; e < EPOCHS; e++) {
  const order = orders.subarray(e * N, (e + 1) * N);
  for (let i = 0; i < N; i++) order[i] = i;
  rng.shuffle(order);
}
const spec = { inputs: D, hidden: [H, H], outputs: 1, dropout: 0 };
const init = new Mlp(tf, spec, new Rng(7)).state.params;
writeFileSync(join(out, 'train-x.bin'), x);
writeFileSync(join(out, 'train-y.bin'), y);
writeFileSync(join(out, 'train-order.bin'), orders);
writeFileSync(join(out, 'train-init.bin'), Buffer.concat(init.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));

/** A few batches on a throwaway model first: wasm compiles lazily and tfjs sets kernels up on first use. */
function warmUp() {
  const model = new Mlp(tf, spec, new Rng(99));
  for (let i = 0; i < 30; i++) model.trainBatch('binary', x.subarray(0, BATCH * D), y.subarray(0, BATCH), null, BATCH, LR, new Rng(i));
}

function trainMlp() {
  warmUp();
  const model = new Mlp(tf, spec, new Rng(7));
  const step = new Rng(1);
  const bx = new Float32Array(BATCH * D);
  const by = new Float32Array(BATCH);
  let lastEpochLoss = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let steadyStart = 0;
  let steadyCpu = cpu0;
  for (let e = 0; e < EPOCHS; e++) {
    if (e === 1) {
      steadyStart = performance.now();
      steadyCpu = process.cpuUsage();
    }
    const order = orders.subarray(e * N, (e + 1) * N);
    let total = 0;
    for (let s = 0; s < N; s += BATCH) {
      const n = Math.min(BATCH, N - s);
      for (let r = 0; r < n; r++) {
        bx.set(x.subarray(order[s + r] * D, (order[s + r] + 1) * D), r * D);
        by[r] = y[order[s + r]];
      }
      total += n * model.trainBatch('binary', bx.subarray(0, n * D), by.subarray(0, n), null, n, LR, step);
    }
    lastEpochLoss = total / N;
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuSecondsSince(cpu0);
  const steady = { steadyPerSec: (N * (EPOCHS - 1)) / ((performance.now() - steadyStart) / 1000), steadyPerCpuSec: (N * (EPOCHS - 1)) / cpuSecondsSince(steadyCpu) };
  const finalLoss = lossAndGrad('binary', model.logits(x, N), y, null, N, false).loss;
  return { seconds, samplesPerSec: (N * EPOCHS) / seconds, samplesPerCpuSec: (N * EPOCHS) / cpuSeconds, ...steady, lastEpochLoss, finalLoss };
}

/** tfjs's own path: tf.layers + model.fit with the same initial weights and batch order (one fit call per epoch). */
async function trainLayers() {
  warmUp();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: H, activation: 'relu', inputShape: [D] }),
      tf.layers.dense({ units: H, activation: 'relu' }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  const sizes = [D, H, H, 1];
  model.setWeights(init.map((p, i) => (i % 2 === 0 ? tf.tensor2d(p, [sizes[i >> 1], sizes[(i >> 1) + 1]]) : tf.tensor1d(p))));
  model.compile({ optimizer: tf.train.adam(LR, 0.9, 0.999, 1e-7), loss: 'binaryCrossentropy' });
  let lastEpochLoss = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let steadyStart = 0;
  let steadyCpu = cpu0;
  for (let e = 0; e < EPOCHS; e++) {
    if (e === 1) {
      steadyStart = performance.now();
      steadyCpu = process.cpuUsage();
    }
    const order = orders.subarray(e * N, (e + 1) * N);
    const xs = new Float32Array(N * D);
    const ys = new Float32Array(N);
    for (let r = 0; r < N; r++) {
      xs.set(x.subarray(order[r] * D, (order[r] + 1) * D), r * D);
      ys[r] = y[order[r]];
    }
    const tx = tf.tensor2d(xs, [N, D]);
    const ty = tf.tensor2d(ys, [N, 1]);
    const h = await model.fit(tx, ty, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
    lastEpochLoss = h.history.loss[0];
    tx.dispose();
    ty.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuSecondsSince(cpu0);
  const steady = { steadyPerSec: (N * (EPOCHS - 1)) / ((performance.now() - steadyStart) / 1000), steadyPerCpuSec: (N * (EPOCHS - 1)) / cpuSecondsSince(steadyCpu) };
  const p = tf.tidy(() => model.predict(tf.tensor2d(x, [N, D])).dataSync());
  let loss = 0;
  for (let i = 0; i < N; i++) loss -= Math.log(Math.min(Math.max(y[i] ? p[i] : 1 - p[i], 1e-7), 1));
  model.dispose();
  return { seconds, samplesPerSec: (N * EPOCHS) / seconds, samplesPerCpuSec: (N * EPOCHS) / cpuSeconds, ...steady, lastEpochLoss, finalLoss: loss / N };
}

function cpuSecondsSince(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const rows = [];
const statuses = await probeBackends();
for (const status of statuses) {
  if (!status.available) {
    rows.push({ name: `tfjs ${status.name}`, note: status.reason });
    continue;
  }
  if (status.name === 'cpu' && process.argv.includes('--skip-cpu')) continue;
  await loadBackend(status.name);
  rows.push({ name: `trainer Mlp, tfjs ${status.name}`, ...trainMlp() });
  if (!process.argv.includes('--skip-fit')) rows.push({ name: `tf.layers model.fit, tfjs ${status.name}`, ...(await trainLayers()) });
}
const threads = [...new Set([1, cpus().length])].join(',');
const torchOut = execFileSync('/usr/bin/python3', [join(root, 'bench', 'train_torch.py'), out, N, D, H, BATCH, EPOCHS, LR, threads], { encoding: 'utf8' });
const torch = torchOut.trim().split('\n').map((line) => JSON.parse(line));
for (const t of torch) rows.push({ name: `PyTorch ${t.version} CPU, ${t.threads} thread${t.threads > 1 ? 's' : ''}`, ...t });
const torch1 = torch.find((t) => t.threads === 1);
const ref1 = torch1.samplesPerSec;
const refAll = torch.at(-1).samplesPerSec;
const refCpu = torch1.samplesPerCpuSec;
const refSteady = torch1.steadyPerSec;
const refSteadyCpu = torch1.steadyPerCpuSec;

console.log(`\nReference MLP ${D}→${H}→${H}→1, batch ${BATCH}, ${N.toLocaleString('en')} rows × ${EPOCHS} epochs, Adam lr ${LR}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log("samples/s is wall-clock; per CPU-s divides by the process's CPU time, steadier on a shared machine.\n");
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(
  `${pad('run', 42)}${lpad('samples/s', 10)}${lpad('×Torch1T', 9)}${lpad(`×Torch${cpus().length}T`, 9)}${lpad('per CPU-s', 10)}${lpad('×Torch1T', 9)}` +
    `${lpad('steady/s', 10)}${lpad('×Torch1T', 9)}${lpad('steady/CPU-s', 13)}${lpad('×Torch1T', 9)}${lpad('last-ep loss', 13)}${lpad('final loss', 11)}`,
);
for (const r of rows) {
  if (r.note) {
    console.log(`${pad(r.name, 42)}not available: ${r.note}`);
    continue;
  }
  const k = (v) => Math.round(v).toLocaleString('en');
  console.log(
    `${pad(r.name, 42)}${lpad(k(r.samplesPerSec), 10)}${lpad((r.samplesPerSec / ref1).toFixed(2), 9)}${lpad((r.samplesPerSec / refAll).toFixed(2), 9)}` +
      `${lpad(k(r.samplesPerCpuSec), 10)}${lpad((r.samplesPerCpuSec / refCpu).toFixed(2), 9)}` +
      `${lpad(k(r.steadyPerSec), 10)}${lpad((r.steadyPerSec / refSteady).toFixed(2), 9)}${lpad(k(r.steadyPerCpuSec), 13)}${lpad((r.steadyPerCpuSec / refSteadyCpu).toFixed(2), 9)}` +
      `${lpad(r.lastEpochLoss.toFixed(4), 13)}${lpad(r.finalLoss.toFixed(4), 11)}`,
  );
}
