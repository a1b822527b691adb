#!/usr/bin/env node
/**
 * The anomaly and forecasting pilots' training benchmark (issue #14's name): runs
 * bench/train-anomaly.mjs (the autoencoder, rows/s) and bench/train-forecast.mjs (the windowed
 * network, windows/s) one after the other, each against PyTorch on the CPU in the same run (same
 * data, initial weights and batch order), and prints both tables with the machine and its load.
 * Each child process is timed too, so the wall and CPU seconds of the whole benchmark are stated.
 *
 * Run:   node bench/train-anomaly-forecast.mjs                 (their default epochs)
 *        node bench/train-anomaly-forecast.mjs --epochs 3 --skip-cpu   (flags go to both)
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const flags = process.argv.slice(2);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
let failed = 0;
for (const script of ['train-anomaly.mjs', 'train-forecast.mjs']) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(here, script), ...flags], { stdio: 'inherit' });
  const seconds = (Date.now() - started) / 1000;
  console.log(`\n${script}: exit ${result.status ?? result.signal}, ${seconds.toFixed(1)} s wall (load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')})\n`);
  if (result.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
