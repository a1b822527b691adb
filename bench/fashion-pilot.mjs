#!/usr/bin/env node
/**
 * The full image pilot on Fashion-MNIST (issue #12, Performance: "≥ 0.91 test accuracy in ≤ 10
 * minutes on a 2-core CPU"): the 70,000 pictures as a train/ + test/ class-per-folder PNG tree
 * (bench/make-fashion-fixture.mjs, built once into --data), trained by the pilot's own engine with
 * its defaults (what `pilot train DIR --kind image` runs), in this process. Prints where the time
 * goes (wall and CPU seconds per stage), each epoch, the test accuracy, whether the target is met,
 * the machine and its load, and a projection for an idle machine (each stage's CPU seconds over the
 * cores it keeps busy: a lower bound). The target is judged on the measured wall time when the load at
 * the start is under 1.5, else on the projection, and the line says which.
 *
 * First, as a reference measured in the same run: 40 training steps (batch 64) of the pilot's network
 * on one thread and on two (parallel.ts), in images per second and per CPU-second.
 *
 * Run:   node bench/fashion-pilot.mjs [--data /tmp/fashion-full] [--per-class 6000] [--threads auto|1|2] [--epochs N] [--skip-steps]
 * (--per-class 600 for a quick run on 6,000 + 1,000 pictures: a smoke test, not the target.)
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const perClass = Number(arg('--per-class', 6000));
const testPerClass = Math.round(perClass / 6);
const data = arg('--data', join(tmpdir(), perClass === 6000 ? 'fashion-full' : `fashion-${perClass}`));
const threadsArg = arg('--threads', 'auto');
const epochs = arg('--epochs', null);

if (!existsSync(join(data, 'test'))) {
  console.log(`writing ${perClass * 10} + ${testPerClass * 10} PNGs to ${data} (once) …`);
  execFileSync(process.execPath, [join(root, 'bench/make-fashion-fixture.mjs'), '--train', String(perClass), '--test', String(testPerClass), '--out', data], { stdio: 'inherit' });
}

const out = join(root, 'bench', 'out');
await build({
  stdin: {
    contents: [
      `export { trainImages } from './workers/image/engine.ts';`,
      `export { imageInputSchema } from './workers/image/schema.ts';`,
      `export { makeContext } from './workers/protocol.ts';`,
      `export { WasmCnn } from './workers/image/cnn-wasm.ts';`,
      `export { buildCnn } from './workers/image/model.ts';`,
      `export { GradientHelper, parallelStep } from './workers/image/parallel.ts';`,
      `export { loadBackend } from './workers/tfjs/backend.ts';`,
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: join(out, 'fashion-pilot-lib.mjs'),
  packages: 'external',
  logLevel: 'warning',
});
await build({
  entryPoints: { 'image-thread': join(root, 'workers/image/thread.ts') },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
process.env.PILOT_IMAGE_THREAD = join(out, 'image-thread.mjs');
const lib = await import(join(out, 'fashion-pilot-lib.mjs'));
const { trainImages, imageInputSchema, makeContext } = lib;

/** Images/s and images per CPU-s of `steps` training steps on 1 and 2 threads (the reference network, real pictures). */
async function stepRows(steps = 40) {
  const tf = await lib.loadBackend('wasm');
  const spec = { side: 28, channels: 1, classes: 10, filters: [32, 64], batchNorm: false, dense: 128, dropout: 0.3 };
  const B = 64;
  const size = 784;
  const { readIdx } = await import('./make-fashion-fixture.mjs');
  const images = readIdx('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz').data;
  const labelsAll = readIdx('/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz').data;
  const model = lib.buildCnn(tf, spec, 1);
  const rows = [];
  for (const threads of [1, 2]) {
    const cnn = new lib.WasmCnn(tf, spec, model, B);
    const helper = threads === 2 ? await lib.GradientHelper.start(process.env.PILOT_IMAGE_THREAD, spec, B, cnn.state.params.map((p) => p.length)) : null;
    if (helper && !(helper instanceof lib.GradientHelper)) throw new Error(helper.error);
    const step = (s) => {
      const x = Float32Array.from(images.subarray(s * B * size, (s + 1) * B * size), (v) => (v / 255 - 0.286) / 0.353);
      const labels = Int32Array.from(labelsAll.subarray(s * B, (s + 1) * B));
      const w = new Float32Array(B).fill(1);
      const mask = Float32Array.from({ length: B * 128 }, (_, i) => ((i * 2654435761) % 10 < 3 ? 0 : 1 / 0.7));
      return helper ? lib.parallelStep(cnn, helper, size, 128, x, B, labels, w, B, mask, 1e-3) : cnn.step(x, B, labels, w, B, mask, 1e-3);
    };
    for (let s = 0; s < 3; s++) step(s);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) step(3 + s);
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    rows.push({ threads, perSec: (steps * B) / wall, perCpu: (steps * B) / cpu, wall, cpu });
    if (helper) await helper.close();
  }
  model.dispose();
  return rows;
}
const steps = process.argv.includes('--skip-steps') ? [] : await stepRows();

const loadStart = loadavg()[0];
const input = imageInputSchema.parse({
  source: data,
  backend: 'wasm',
  threads: threadsArg === 'auto' ? 'auto' : Number(threadsArg),
  ...(epochs ? { epochs: Number(epochs) } : {}),
});
const ctx = makeContext({ dataDir: mkdtempSync(join(tmpdir(), 'fashion-pilot-')) });
let lastStage = '';
ctx.progress = (r) => {
  const stage = r.stage.replace(/\(\d+\/\d+\)/, '');
  if (stage !== lastStage) console.log(`  ${new Date().toISOString().slice(11, 19)} ${r.stage}${r.detail ? ` val ${r.detail.valAccuracy.toFixed(4)}, ${r.detail.seconds.toFixed(0)} s` : ''}`);
  lastStage = stage;
};
const wall0 = performance.now();
const cpu0 = process.cpuUsage();
const result = await trainImages(input, ctx);
const wall = (performance.now() - wall0) / 1000;
const cpuUsed = process.cpuUsage(cpu0);
const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
const loadEnd = loadavg()[0];

const cores = availableParallelism();
// Cores each stage keeps busy: decoding runs four files at a time on libuv's pool; training on the threads used; the rest on one.
const busy = (stage) => (stage.startsWith('decoding') ? Math.min(2, cores) : stage === 'training' ? result.threads.used : 1);
const pad = (s, n) => String(s).padEnd(n);
const num = (v, d = 1) => v.toFixed(d).padStart(8);
console.log(`\nmachine: ${cpus()[0].model}, ${cores} cores; load average ${loadStart.toFixed(1)} at start, ${loadEnd.toFixed(1)} at end; node ${process.version}`);
console.log(`data: ${data} (${result.rows.train} train, ${result.rows.validation} validation, ${result.rows.test} test); backend ${result.backend}; ${result.threads.reason}`);
console.log(`recipe: ${JSON.stringify({ ...result.hyperparameters, classWeights: undefined })}\n`);
console.log(`| ${pad('stage', 24)} | wall s   | CPU s    | idle 2-core projection s |`);
console.log(`|${'-'.repeat(26)}|----------|----------|--------------------------|`);
let projected = 0;
for (const t of result.timings) {
  const p = t.cpuSeconds / busy(t.stage);
  projected += p;
  console.log(`| ${pad(t.stage, 24)} | ${num(t.seconds)} | ${num(t.cpuSeconds)} | ${num(p).padStart(24)} |`);
}
console.log(`| ${pad('whole pilot', 24)} | ${num(wall)} | ${num(cpu)} | ${num(projected).padStart(24)} |\n`);
console.log('| epoch | loss   | val loss | val acc | wall s | images/s |');
console.log('|-------|--------|----------|---------|--------|----------|');
for (const e of result.epochs) console.log(`| ${pad(e.epoch, 5)} | ${e.loss.toFixed(4)} | ${e.valLoss.toFixed(4).padStart(8)} | ${e.valAccuracy.toFixed(4).padStart(7)} | ${e.seconds.toFixed(1).padStart(6)} | ${e.samplesPerSec.toFixed(0).padStart(8)} |`);
if (steps.length) {
  console.log('\n| training step (batch 64, reference network) | images/s | images per CPU-s | wall × one thread |');
  console.log('|---|---|---|---|');
  for (const r of steps) console.log(`| ${r.threads} thread${r.threads > 1 ? 's' : ''} | ${r.perSec.toFixed(0)} | ${r.perCpu.toFixed(0)} | ${(r.perSec / steps[0].perSec).toFixed(2)} |`);
}
const accuracy = result.metrics.accuracy;
// On a quiet machine the measured wall time is the idle figure: judge on it. Only a loaded machine
// falls back to the projection, which is a lower bound (it assumes every CPU-second spreads over the
// cores the stage keeps busy) and is printed as such.
const quiet = loadStart < 1.5;
const judgedSeconds = quiet ? wall : projected;
const met = accuracy >= 0.91 && judgedSeconds <= 600;
console.log(`\nfull pilot: test accuracy ${accuracy.toFixed(4)} (best epoch ${result.bestEpoch}; linear ${result.summary.linear.toFixed(4)}), wall ${wall.toFixed(0)} s, CPU ${cpu.toFixed(0)} s, idle projection ${projected.toFixed(0)} s`);
console.log(`target (≥ 0.91 in ≤ 600 s on an idle 2-core machine): ${perClass === 6000 ? `${met ? 'MET' : 'NOT MET'} (${quiet ? `quiet machine: measured wall ${wall.toFixed(0)} s` : `loaded machine: projected ${projected.toFixed(0)} s, a lower bound; rerun on a quiet machine`})` : 'n/a (not the full set)'}`);
writeFileSync(join(out, 'fashion-pilot.json'), JSON.stringify({ wall, cpu, projected, judgedSeconds, quiet, accuracy, met, loadStart, loadEnd, cores, timings: result.timings, epochs: result.epochs, threads: result.threads, hyperparameters: result.hyperparameters, steps }, null, 2));
