#!/usr/bin/env node
/**
 * A frozen-MobileNetV2 image pilot (test/fixtures/mobilenet-v2, 224 × 224 × 3) with and without the
 * backbone-feature cache (workers/image/feature-cache.ts), in the same run: each variant is one
 * child process running the engine (`pilot train FOLDER --kind image --backbone DIR`), so its CPU
 * seconds and peak memory (VmHWM) are its own. Data: the first --train / --test pictures of
 * --classes classes of test/fixtures/fashion-mnist-small (28 px grey, resized to 224, fed as three
 * channels). Prints wall and CPU seconds of the whole run and of its stages, test accuracy, peak
 * memory, the machine and its load, and the uncached ÷ cached ratio.
 *
 * Run:   node bench/mobilenet-cache.mjs [--classes 3] [--train 45] [--test 10] [--epochs 3] [--augment] [--more-epochs N]
 * (--augment: augmentation on; the cached run then stores min(epochs, 4) fixed views per picture.
 *  --more-epochs N: also a cached run of N epochs — the default for small sets is 30 — with the uncached
 *  training time for N epochs projected from the measured one: CPU-s per epoch × N.)
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'bench', 'out');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const augment = process.argv.includes('--augment');
const epochs = Number(arg('--epochs', 3));
const moreEpochs = arg('--more-epochs', null);

if (process.argv[2] === '--child') {
  // One variant: train, print a JSON line.
  const [, , , source, cache, runEpochs] = process.argv;
  const lib = await import(join(out, 'mobilenet-cache-lib.mjs'));
  const input = lib.imageInputSchema.parse({
    source,
    backbone: join(root, 'test/fixtures/mobilenet-v2'),
    epochs: Number(runEpochs),
    patience: 50,
    augment,
    seed: 7,
    backend: 'wasm',
    featureCache: cache === 'cached',
  });
  const ctx = lib.makeContext({ dataDir: mkdtempSync(join(tmpdir(), 'mobilenet-cache-')) });
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await lib.trainImages(input, ctx);
  const wall = (performance.now() - wall0) / 1000;
  const used = process.cpuUsage(cpu0);
  const peak = Number(readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1]) / 1024;
  console.log(
    JSON.stringify({
      wall,
      cpu: (used.user + used.system) / 1e6,
      peakMb: peak,
      accuracy: result.metrics.accuracy,
      majority: result.summary.majority,
      linear: result.summary.linear,
      rows: result.rows,
      featureCache: result.featureCache,
      timings: result.timings,
      epochs: result.epochs.map((e) => ({ loss: e.loss, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
    }),
  );
  process.exit(0);
}

const classes = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'].slice(0, Number(arg('--classes', 3)));
const perTrain = Number(arg('--train', 45));
const perTest = Number(arg('--test', 10));
const fixture = join(root, 'test/fixtures/fashion-mnist-small');
const source = mkdtempSync(join(tmpdir(), 'mobilenet-cache-set-'));
for (const cls of classes) {
  for (const [part, n] of [['train', perTrain], ['test', perTest]]) {
    for (const f of readdirSync(join(fixture, part, cls)).sort().slice(0, n)) cpSync(join(fixture, part, cls, f), join(source, part, cls, f));
  }
}

await build({
  stdin: {
    contents: [`export { trainImages } from './workers/image/engine.ts';`, `export { imageInputSchema } from './workers/image/schema.ts';`, `export { makeContext } from './workers/protocol.ts';`].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: join(out, 'mobilenet-cache-lib.mjs'),
  packages: 'external',
  logLevel: 'warning',
});

const loadStart = loadavg()[0];
const runs = {};
const variants = [['cached', 'cached', epochs], ['uncached', 'uncached', epochs], ...(moreEpochs ? [[`cached, ${moreEpochs} epochs`, 'cached', Number(moreEpochs)]] : [])];
for (const [variant, cache, runEpochs] of variants) {
  const line = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', source, cache, String(runEpochs), ...process.argv.slice(2)], { encoding: 'utf8', maxBuffer: 1 << 26 })
    .trim()
    .split('\n')
    .at(-1);
  runs[variant] = JSON.parse(line);
  console.log(`  ${new Date().toISOString().slice(11, 19)} ${variant}: ${runs[variant].wall.toFixed(1)} s`);
}
const loadEnd = loadavg()[0];

const stage = (r, name) => r.timings.find((t) => t.stage === name) ?? { seconds: 0, cpuSeconds: 0 };
const f = (v, d = 1) => v.toFixed(d);
const { cached, uncached } = runs;
console.log(`\nmachine: ${cpus()[0].model}, ${availableParallelism()} cores; load average ${f(loadStart)} at start, ${f(loadEnd)} at end; node ${process.version}`);
console.log(
  `data: ${classes.length} classes of fashion-mnist-small (${cached.rows.train} train, ${cached.rows.validation} validation, ${cached.rows.test} test), 224 px, ${epochs} epochs, augmentation ${augment ? 'on' : 'off'}, wasm backend`,
);
console.log(`cache: ${cached.featureCache.used ? cached.featureCache.rule : cached.featureCache.reason}\n`);
console.log('| run | whole run wall s | whole run CPU-s | backbone features wall / CPU-s | training wall / CPU-s | galleries + saliency wall s | peak RSS MB | test accuracy |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [name, r] of Object.entries(runs)) {
  const feat = stage(r, 'backbone features');
  const train = stage(r, 'training');
  console.log(
    `| ${name} | ${f(r.wall)} | ${f(r.cpu)} | ${f(feat.seconds)} / ${f(feat.cpuSeconds)} | ${f(train.seconds)} / ${f(train.cpuSeconds)} | ${f(stage(r, 'galleries and saliency').seconds)} | ${r.peakMb.toFixed(0)} | ${f(r.accuracy, 3)} (majority ${f(r.majority, 3)}, linear ${f(r.linear, 3)}) |`,
  );
}
const both = (r) => stage(r, 'backbone features').cpuSeconds + stage(r, 'training').cpuSeconds;
console.log(
  `\nuncached ÷ cached: whole run ${f(uncached.wall / cached.wall, 2)}× wall, ${f(uncached.cpu / cached.cpu, 2)}× CPU-s; features + training ${f(both(uncached) / Math.max(both(cached), 1e-9), 1)}× CPU-s`,
);
if (moreEpochs) {
  const perEpoch = stage(uncached, 'training').cpuSeconds / epochs;
  const long = runs[`cached, ${moreEpochs} epochs`];
  console.log(
    `${moreEpochs} epochs: cached training ${f(stage(long, 'training').cpuSeconds)} CPU-s + features ${f(stage(long, 'backbone features').cpuSeconds)} CPU-s (measured); uncached training ≈ ${f(perEpoch * Number(moreEpochs), 0)} CPU-s (projected: ${f(perEpoch)} CPU-s an epoch × ${moreEpochs})`,
  );
}
writeFileSync(join(out, 'mobilenet-cache.json'), JSON.stringify({ loadStart, loadEnd, epochs, augment, classes, runs }, null, 2));
