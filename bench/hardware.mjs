#!/usr/bin/env node
/**
 * Hardware profiler timings: the wall time of a profile without benchmarks (target ≤ 1.5 s, what
 * `pilot hardware --json --no-bench` costs) and of the quick benchmark (target ≤ 20 s), each in a
 * fresh Node process as the CLI would run it, median of several runs.
 *
 * Run:   node build/build.mjs --backend && node bench/hardware.mjs            (7 no-bench runs, 3 quick runs)
 *        node bench/hardware.mjs --runs 3   (fewer runs of each)
 *
 * It bundles workers/profiler with esbuild into bench/out/ (git-ignored; no TS runner needed).
 * With the app built (dist/cli.js), it also times the real CLI, `pilot hardware --json
 * --no-bench`: the same profile run as a job in a worker process, plus opening the database.
 * Reference, measured in the same run: a bare Node process that only imports @tensorflow/tfjs and
 * the wasm backend — the floor any profile pays, since it must probe the backends. The table shows
 * each median, its ratio to that reference and to the target. Numbers vary with machine load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const quickRuns = runsArg > 0 ? runs : 3;

await build({
  stdin: {
    contents: `import { profileHardware } from './workers/profiler/index.ts';
import { makeContext } from './workers/protocol.ts';
const mode = process.argv[2] ?? 'none';
const report = await profileHardware({ mode }, makeContext({ dataDir: process.argv[3] ?? process.cwd() }));
process.stdout.write(JSON.stringify(report));`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: join(out, 'hardware-profile.mjs'),
  logLevel: 'warning',
});

const dataDir = mkdtempSync(join(tmpdir(), 'pilot-bench-hardware-'));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Wall seconds of one child process; fails loudly if it fails. */
function timeProcess(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return { seconds, stdout: result.stdout };
}

const reference = [];
for (let i = 0; i < runs; i++) {
  reference.push(timeProcess(['--input-type=module', '-e', "await import('@tensorflow/tfjs'); await import('@tensorflow/tfjs-backend-wasm');"]).seconds);
}
const none = [];
let lastNone;
for (let i = 0; i < runs; i++) {
  const run = timeProcess([join(out, 'hardware-profile.mjs'), 'none', dataDir]);
  none.push(run.seconds);
  lastNone = JSON.parse(run.stdout);
}
const cli = [];
if (existsSync(join(root, 'dist', 'cli.js'))) {
  const home = join(dataDir, 'home');
  timeProcess(['bin/pilot.js', 'hardware', '--json', '--no-bench', '--data-dir', home]); // creates the database once
  for (let i = 0; i < runs; i++) cli.push(timeProcess(['bin/pilot.js', 'hardware', '--json', '--no-bench', '--data-dir', home]).seconds);
}
const quick = [];
let lastQuick;
for (let i = 0; i < quickRuns; i++) {
  const run = timeProcess([join(out, 'hardware-profile.mjs'), 'quick', dataDir]);
  quick.push(run.seconds);
  lastQuick = JSON.parse(run.stdout);
}
rmSync(dataDir, { recursive: true, force: true });

const ref = median(reference);
const rows = [
  ['reference: node + import tfjs & wasm', runs, ref, 1, null],
  ['profile, no benchmark (--no-bench)', runs, median(none), median(none) / ref, 1.5],
  ...(cli.length ? [['pilot hardware --json --no-bench (CLI, worker process)', runs, median(cli), median(cli) / ref, 1.5]] : []),
  ['profile + quick benchmark (--quick)', quickRuns, median(quick), median(quick) / ref, 20],
];
console.log(`\nHardware profiler on ${lastNone.cpu.model} (${lastNone.cpu.logicalCores} threads), ${(lastNone.memory.totalBytes / 1024 ** 3).toFixed(0)} GB, GPUs: ${lastNone.gpus.length || 'not detected'}\n`);
console.log('| what | runs | median s | × reference | target s | within target |');
console.log('|---|---:|---:|---:|---:|---|');
for (const [what, n, seconds, ratio, target] of rows) {
  console.log(`| ${what} | ${n} | ${seconds.toFixed(2)} | ${ratio.toFixed(2)} | ${target ?? '—'} | ${target === null ? '—' : seconds <= target ? 'yes' : 'NO'} |`);
}
const b = lastQuick.benchmarks;
console.log('\nWhat the quick benchmark measured (last run):\n');
console.log('| figure | value |');
console.log('|---|---:|');
for (const [backend, gflops] of Object.entries(b.matmulGflops)) console.log(`| matmul, best size, ${backend} | ${gflops.toFixed(2)} GFLOP/s |`);
console.log(`| memory bandwidth (copy) | ${b.memoryGBps?.toFixed(1)} GB/s |`);
console.log(`| disk write (fsync'ed) | ${b.diskWriteMBps?.toFixed(0) ?? b.diskSkipped} MB/s |`);
console.log(`| disk read (${b.diskReadUncached ? 'O_DIRECT, uncached' : 'after write, may be cached'}) | ${b.diskReadMBps?.toFixed(0) ?? b.diskSkipped} MB/s |`);
for (const point of b.train) console.log(`| train ${point.template} on ${point.backend} (${point.model}) | ${point.samplesPerSec.toFixed(0)} ${point.unit}/s |`);
console.log(`| benchmark stages alone | ${b.seconds.toFixed(1)} s |`);
