#!/usr/bin/env node
/**
 * Forecast training benchmark: the forecasting engine's windowed network (bike_hour, a week of
 * hourly lags + calendar one-hots → 128 → 64 → the next 24 hours, ReLU, a linear skip path, MSE,
 * Adam lr 1e-3, batch 128) trained by the trainer's Mlp on every tfjs backend that loads, and by
 * PyTorch on the CPU (Debian's python3-torch) — the same windows, initial weights and batch order,
 * so the final losses must agree. Prints windows/s and the ratio to PyTorch (1 thread, and all
 * cores) measured in the same run, wall-clock and per CPU-second, with the machine and its load.
 *
 * Run:   node bench/train-forecast.mjs              (3 epochs)
 *        node bench/train-forecast.mjs --epochs 5 --skip-cpu
 *
 * It bundles workers/ with esbuild into bench/out/ (ignored by git) and writes the windows there.
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
const EPOCHS = Math.max(2, arg('--epochs', 3));
const BATCH = 128;
const LR = 1e-3;
const HORIZON = 24;

await build({
  stdin: {
    contents: `export { Mlp } from './workers/trainer/mlp.ts';
export { Rng } from './workers/trainer/random.ts';
export { lossAndGrad } from './workers/trainer/loss.ts';
export { probeBackends, loadBackend } from './workers/tfjs/backend.ts';
export { prepareForecast } from './workers/forecast/prepare.ts';
export { forecastInputSchema } from './workers/forecast/schema.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: join(out, 'train-forecast-bundle.mjs'),
  logLevel: 'warning',
});
const { Mlp, Rng, lossAndGrad, probeBackends, loadBackend, prepareForecast, forecastInputSchema } = await import(join(out, 'train-forecast-bundle.mjs'));
const tf = await import('@tensorflow/tfjs');

const prep = await prepareForecast(forecastInputSchema.parse({ file: join(root, 'test', 'fixtures', 'bike_hour.csv'), time: 'dteday+hr', target: 'cnt', horizon: HORIZON }));
const { x, y, n: N } = prep.train;
const D = x.length / N;
const spec = { inputs: D, hidden: [128, 64], outputs: HORIZON, dropout: 0, skip: true };
const rng = new Rng(2024);
const orders = new Uint32Array(EPOCHS * N);
for (let e = 0; e < EPOCHS; e++) {
  const order = orders.subarray(e * N, (e + 1) * N);
  for (let i = 0; i < N; i++) order[i] = i;
  rng.shuffle(order);
}
const init = new Mlp(tf, spec, new Rng(7)).state.params;
writeFileSync(join(out, 'forecast-x.bin'), x);
writeFileSync(join(out, 'forecast-y.bin'), y);
writeFileSync(join(out, 'forecast-order.bin'), orders);
writeFileSync(join(out, 'forecast-init.bin'), Buffer.concat(init.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));

function cpuSecondsSince(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function trainMlp() {
  // A few batches on a throwaway model first: wasm compiles lazily and tfjs sets kernels up on first use.
  const warm = new Mlp(tf, spec, new Rng(99));
  for (let i = 0; i < 30; i++) warm.trainBatch('regression', x.subarray(0, BATCH * D), y.subarray(0, BATCH * HORIZON), null, BATCH, LR, new Rng(i));
  const model = new Mlp(tf, spec, new Rng(7));
  const step = new Rng(1);
  const bx = new Float32Array(BATCH * D);
  const by = new Float32Array(BATCH * HORIZON);
  let lastEpochLoss = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  for (let e = 0; e < EPOCHS; e++) {
    const order = orders.subarray(e * N, (e + 1) * N);
    let total = 0;
    for (let s = 0; s < N; s += BATCH) {
      const n = Math.min(BATCH, N - s);
      for (let r = 0; r < n; r++) {
        const row = order[s + r];
        bx.set(x.subarray(row * D, (row + 1) * D), r * D);
        by.set(y.subarray(row * HORIZON, (row + 1) * HORIZON), r * HORIZON);
      }
      total += n * model.trainBatch('regression', bx.subarray(0, n * D), by.subarray(0, n * HORIZON), null, n, LR, step);
    }
    lastEpochLoss = total / N;
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuSecondsSince(cpu0);
  const finalLoss = lossAndGrad('regression', model.logits(x, N), y, null, N, false).loss;
  return { seconds, cpuSeconds, samplesPerSec: (N * EPOCHS) / seconds, samplesPerCpuSec: (N * EPOCHS) / cpuSeconds, lastEpochLoss, finalLoss };
}

const rows = [];
for (const status of await probeBackends()) {
  if (!status.available) {
    rows.push({ name: `tfjs ${status.name}`, note: status.reason });
    continue;
  }
  if (status.name === 'cpu' && process.argv.includes('--skip-cpu')) continue;
  await loadBackend(status.name);
  rows.push({ name: `trainer Mlp, tfjs ${status.name}`, ...trainMlp() });
}
const threads = [...new Set([1, cpus().length])].join(',');
const torchOut = execFileSync('/usr/bin/python3', [join(root, 'bench', 'train_forecast_torch.py'), out, N, D, HORIZON, BATCH, EPOCHS, LR, threads], { encoding: 'utf8' });
const torch = torchOut.trim().split('\n').map((line) => JSON.parse(line));
for (const t of torch) rows.push({ name: `PyTorch ${t.version} CPU, ${t.threads} thread${t.threads > 1 ? 's' : ''}`, ...t });
const torch1 = torch.find((t) => t.threads === 1);
const refAll = torch.at(-1);

console.log(`\nWindowed network ${D}→128→64→${HORIZON} (+ linear skip), bike_hour, ${N.toLocaleString('en')} training windows × ${EPOCHS} epochs, batch ${BATCH}, Adam lr ${LR}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log("windows/s is wall-clock; per CPU-s divides by the process's CPU time, steadier on a shared machine.\n");
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(`${pad('run', 36)}${lpad('wall s', 8)}${lpad('CPU s', 8)}${lpad('windows/s', 11)}${lpad('×Torch1T', 9)}${lpad(`×Torch${cpus().length}T`, 9)}${lpad('per CPU-s', 11)}${lpad('×Torch1T', 9)}${lpad(`×Torch${cpus().length}T`, 9)}${lpad('last-ep loss', 13)}${lpad('final loss', 11)}`);
for (const r of rows) {
  if (r.note) {
    console.log(`${pad(r.name, 36)}not available: ${r.note}`);
    continue;
  }
  const k = (v) => Math.round(v).toLocaleString('en');
  console.log(
    `${pad(r.name, 36)}${lpad(r.seconds.toFixed(1), 8)}${lpad(r.cpuSeconds.toFixed(1), 8)}${lpad(k(r.samplesPerSec), 11)}${lpad((r.samplesPerSec / torch1.samplesPerSec).toFixed(2), 9)}${lpad((r.samplesPerSec / refAll.samplesPerSec).toFixed(2), 9)}` +
      `${lpad(k(r.samplesPerCpuSec), 11)}${lpad((r.samplesPerCpuSec / torch1.samplesPerCpuSec).toFixed(2), 9)}${lpad((r.samplesPerCpuSec / refAll.samplesPerCpuSec).toFixed(2), 9)}${lpad(r.lastEpochLoss.toFixed(4), 13)}${lpad(r.finalLoss.toFixed(4), 11)}`,
  );
}
