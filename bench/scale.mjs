#!/usr/bin/env node
/**
 * Scale benchmark: train, predict and evaluate on a generated table of 1 M rows (and 10 M with
 * --ten-million), each in its own child process, printing wall time, CPU-seconds and peak RSS
 * (VmHWM) per step with the time spent in each stage of training. The machine (CPU model) and
 * its load (os.loadavg) are printed beside the table: on a shared machine prefer the CPU-seconds.
 *
 * Run:   node bench/scale.mjs [--rows 1000000] [--epochs 1] [--ten-million]
 *
 * It bundles the engines with esbuild into bench/out/ (ignored by git), generates each file on the
 * fly in $TMPDIR/pilot-bench-scale/ and deletes it (and the trained artifact) after its row
 * (--keep keeps them for the next run).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const peak = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

if (args[0] === '--child') {
  const [, step, file, dataDir, epochs] = args;
  const engines = await import(join(out, 'scale-engines.mjs'));
  const stages = [];
  const t0 = performance.now();
  const ctx = { jobId: 0, dataDir, signal: new AbortController().signal, progress: (p) => stages.push([p.stage, performance.now() - t0]), log() {}, emit() {} };
  let detail = {};
  if (step === 'train') {
    // Parsed as the worker entry parses a job's input, so every default is there.
    const r = await engines.trainModel(engines.trainInputSchema.parse({ file, target: 'label', epochs: Number(epochs), runId: 'scale' }), ctx);
    detail = { rows: r.rows, sampling: r.sampling?.rule ?? 'all rows', accuracy: r.summary.network, artifactDir: r.artifactDir };
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage();
  // First time each stage was entered.
  const firsts = [];
  for (const [stage, at] of stages) if (!firsts.some((f) => f[0] === stage)) firsts.push([stage, at]);
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: peak(), stages: firsts, ...detail }));
  process.exit(0);
}

const { build } = await import('esbuild');
mkdirSync(out, { recursive: true });
await build({
  absWorkingDir: root,
  stdin: { contents: `export { trainModel } from './workers/trainer/index.ts'; export { trainInputSchema } from './workers/trainer/schema.ts';`, resolveDir: root, loader: 'ts' },
  outfile: join(out, 'scale-engines.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});

function generate(path, rows) {
  const fd = openSync(path, 'w');
  writeSync(fd, 'x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,plan,region,channel,tier,label\n');
  let s = 7;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  for (let done = 0; done < rows; ) {
    const lines = [];
    for (let k = 0; k < 10_000 && done < rows; k++, done++) {
      const x = Array.from({ length: 10 }, () => (rnd() * 100).toFixed(2));
      const plan = ['basic', 'plus', 'pro'][Math.floor(rnd() * 3)];
      const score = Number(x[0]) + (plan === 'basic' ? 15 : 0) + rnd() * 30;
      lines.push(`${x.join(',')},${plan},${['north', 'south', 'east', 'west'][Math.floor(rnd() * 4)]},${rnd() < 0.5 ? 'web' : 'shop'},t${Math.floor(rnd() * 5)},${score > 70 ? 'yes' : 'no'}`);
    }
    writeSync(fd, `${lines.join('\n')}\n`);
  }
  closeSync(fd);
}

const dataDir = join(tmpdir(), 'pilot-bench-scale');
mkdirSync(dataDir, { recursive: true });
const sizes = [Number(option('--rows', '1000000'))];
if (args.includes('--ten-million')) sizes.push(10_000_000);
const rows = [];
for (const n of sizes) {
  const file = join(dataDir, `rows-${n}.csv`);
  if (!existsSync(file)) generate(file, n);
  const mb = statSync(file).size / 1e6;
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', 'train', file, dataDir, option('--epochs', '1')], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (!args.includes('--keep')) {
    // A 10 M-row file is 1 GB: it is not left behind in /tmp.
    rmSync(file, { force: true });
    rmSync(join(dataDir, 'models'), { recursive: true, force: true });
    rmSync(join(dataDir, 'runs'), { recursive: true, force: true });
  }
  if (r.status !== 0) {
    rows.push([`train, ${n.toLocaleString('en')} rows (${mb.toFixed(0)} MB)`, 'FAILED', r.stderr.trim().split('\n').slice(-3).join(' '), '']);
    continue;
  }
  const m = JSON.parse(r.stdout.trim().split('\n').pop());
  rows.push([`train, ${n.toLocaleString('en')} rows (${mb.toFixed(0)} MB)`, `${(m.ms / 1000).toFixed(1)} s wall, ${(m.cpuMs / 1000).toFixed(1)} CPU-s`, `${m.peakRssMb.toFixed(0)} MB peak RSS`, m.sampling]);
  for (let i = 0; i < m.stages.length; i++) {
    const [stage, at] = m.stages[i];
    const next = i + 1 < m.stages.length ? m.stages[i + 1][1] : m.ms;
    rows.push([`  stage: ${stage}`, `${((next - at) / 1000).toFixed(1)} s`, '', '']);
  }
}
console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const width = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => String(r[i]).length)));
for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(width[i])).join('  │  '));
