#!/usr/bin/env node
/**
 * Anomaly-detection training benchmark: the autoencoder `train.anomaly` builds for 64 inputs
 * (64 → 32 → 16 → 32 → 64, ReLU, linear output, mean squared reconstruction error, Adam lr 1e-3,
 * batch 128 as sized for 50,000 rows) on 50,000 synthetic rows (8 latent factors mixed into 64
 * columns, plus noise), trained by the trainer's Mlp on every tfjs backend that loads and by
 * PyTorch on the CPU (Debian's python3-torch) — same data, initial weights and batch order, so the
 * final losses must agree. Prints rows/s (wall and per CPU-second of the process) and the ratio to
 * PyTorch measured in the same run, over all epochs and over epochs 2… ("steady").
 *
 * Run:   node bench/train-anomaly.mjs            (4 epochs)
 *        node bench/train-anomaly.mjs --epochs 3 --skip-cpu
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
const D = 64;
const LATENT = 8;
const EPOCHS = Math.max(2, arg('--epochs', 4));

await build({
  stdin: {
    contents: `export { Mlp } from './workers/trainer/mlp.ts';
export { Rng } from './workers/trainer/random.ts';
export { lossAndGrad } from './workers/trainer/loss.ts';
export { anomalyHyperparameters } from './workers/anomaly/hyper.ts';
export { probeBackends, loadBackend } from './workers/tfjs/backend.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: join(out, 'train-anomaly-bundle.mjs'),
  logLevel: 'warning',
});
const { Mlp, Rng, lossAndGrad, anomalyHyperparameters, probeBackends, loadBackend } = await import(join(out, 'train-anomaly-bundle.mjs'));
const tf = await import('@tensorflow/tfjs');

// The engine's own sizing for this data, so the benchmark measures the network it really trains.
const hyper = anomalyHyperparameters(N, D, {}, 42);
const BATCH = hyper.batchSize;
const LR = hyper.learningRate;
const spec = { inputs: D, hidden: hyper.hiddenLayers, outputs: D, dropout: 0, skip: false };

// Data: 8 latent factors mixed into 64 columns plus noise, standardised-like scale.
const rng = new Rng(2024);
const mix = Float32Array.from({ length: LATENT * D }, () => rng.next() * 2 - 1);
const x = new Float32Array(N * D);
for (let i = 0; i < N; i++) {
  const z = Array.from({ length: LATENT }, () => rng.next() * 2 - 1);
  for (let j = 0; j < D; j++) {
    let s = 0;
    for (let k = 0; k < LATENT; k++) s += z[k] * mix[k * D + j];
    x[i * D + j] = 0.5 * s + 0.1 * (rng.next() - 0.5);
  }
}
const orders = new Uint32Array(EPOCHS * N);
for (let e = 0; e < EPOCHS; e++) {
  const order = orders.subarray(e * N, (e + 1) * N);
  for (let i = 0; i < N; i++) order[i] = i;
  rng.shuffle(order);
}
const init = new Mlp(tf, spec, new Rng(7)).state.params;
writeFileSync(join(out, 'anomaly-x.bin'), x);
writeFileSync(join(out, 'anomaly-order.bin'), orders);
writeFileSync(join(out, 'anomaly-init.bin'), Buffer.concat(init.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));

function cpuSecondsSince(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function trainAutoencoder() {
  // A few batches on a throwaway model first: wasm compiles lazily and tfjs sets kernels up on first use.
  const warm = new Mlp(tf, spec, new Rng(99));
  for (let i = 0; i < 30; i++) warm.trainBatch('regression', x.subarray(0, BATCH * D), x.subarray(0, BATCH * D), null, BATCH, LR, new Rng(i));
  const model = new Mlp(tf, spec, new Rng(7));
  const step = new Rng(1);
  const bx = new Float32Array(BATCH * D);
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
      for (let r = 0; r < n; r++) bx.set(x.subarray(order[s + r] * D, (order[s + r] + 1) * D), r * D);
      const batch = bx.subarray(0, n * D);
      total += n * model.trainBatch('regression', batch, batch, null, n, LR, step);
    }
    lastEpochLoss = total / N;
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuSecondsSince(cpu0);
  const steady = { steadyPerSec: (N * (EPOCHS - 1)) / ((performance.now() - steadyStart) / 1000), steadyPerCpuSec: (N * (EPOCHS - 1)) / cpuSecondsSince(steadyCpu) };
  const finalLoss = lossAndGrad('regression', model.logits(x, N), x, null, N, false).loss;
  return { seconds, cpuSeconds, samplesPerSec: (N * EPOCHS) / seconds, samplesPerCpuSec: (N * EPOCHS) / cpuSeconds, ...steady, lastEpochLoss, finalLoss };
}

const load0 = loadavg();
const rows = [];
for (const status of await probeBackends()) {
  if (!status.available) {
    rows.push({ name: `tfjs ${status.name}`, note: status.reason });
    continue;
  }
  if (status.name === 'cpu' && process.argv.includes('--skip-cpu')) continue;
  await loadBackend(status.name);
  rows.push({ name: `trainer Mlp, tfjs ${status.name}`, ...trainAutoencoder() });
}
const threads = [...new Set([1, cpus().length])].join(',');
const torchOut = execFileSync('/usr/bin/python3', [join(root, 'bench', 'train_anomaly_torch.py'), out, N, D, spec.hidden.join(','), BATCH, EPOCHS, LR, threads], { encoding: 'utf8' });
const torch = torchOut.trim().split('\n').map((line) => JSON.parse(line));
for (const t of torch) rows.push({ name: `PyTorch ${t.version} CPU, ${t.threads} thread${t.threads > 1 ? 's' : ''}`, ...t });
const torch1 = torch.find((t) => t.threads === 1);

console.log(`\nAutoencoder ${[D, ...spec.hidden, D].join('→')}, batch ${BATCH}, ${N.toLocaleString('en')} rows × ${EPOCHS} epochs, Adam lr ${LR}, MSE`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}; load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log("rows/s is wall-clock; per CPU-s divides by the process's CPU time (user + system), steadier on a shared machine.\n");
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(
  `${pad('run', 36)}${lpad('wall s', 8)}${lpad('CPU s', 8)}${lpad('rows/s', 10)}${lpad('×Torch1T', 9)}${lpad('per CPU-s', 10)}${lpad('×Torch1T', 9)}` +
    `${lpad('steady/s', 10)}${lpad('×Torch1T', 9)}${lpad('steady/CPU-s', 13)}${lpad('×Torch1T', 9)}${lpad('last-ep loss', 13)}${lpad('final loss', 11)}`,
);
for (const r of rows) {
  if (r.note) {
    console.log(`${pad(r.name, 36)}not available: ${r.note}`);
    continue;
  }
  const k = (v) => Math.round(v).toLocaleString('en');
  console.log(
    `${pad(r.name, 36)}${lpad(r.seconds.toFixed(2), 8)}${lpad(r.cpuSeconds.toFixed(2), 8)}${lpad(k(r.samplesPerSec), 10)}${lpad((r.samplesPerSec / torch1.samplesPerSec).toFixed(2), 9)}` +
      `${lpad(k(r.samplesPerCpuSec), 10)}${lpad((r.samplesPerCpuSec / torch1.samplesPerCpuSec).toFixed(2), 9)}` +
      `${lpad(k(r.steadyPerSec), 10)}${lpad((r.steadyPerSec / torch1.steadyPerSec).toFixed(2), 9)}${lpad(k(r.steadyPerCpuSec), 13)}${lpad((r.steadyPerCpuSec / torch1.steadyPerCpuSec).toFixed(2), 9)}` +
      `${lpad(r.lastEpochLoss.toFixed(5), 13)}${lpad(r.finalLoss.toFixed(5), 11)}`,
  );
}
