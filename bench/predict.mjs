#!/usr/bin/env node
/**
 * Batch scoring benchmark: `predict.run` (one streaming pass, batches of 4,096) and `evaluate.run`
 * (the same pass, then 200 bootstrap resamples and fairness) on a generated table of 1 M rows and
 * on a 1 GB file, each step in its own child process, with wall time,
 * CPU-seconds, rows/s and peak RSS (VmHWM). References measured in the same run, on the same files:
 *   - read:     the byte reader alone (every record parsed, nothing else): the floor for any pass;
 *   - quality:  the quality scorer on one thread (`scoreQuality` without its thread entry), the
 *               streaming pass whose memory the prediction should stay near;
 *   - held:     the whole-file path (`predictFile`: every row held, then predicted), which is
 *               what `pilot predict` did before; it refuses files above 256 MB, so 1 M rows only.
 * Ratios are per CPU-second (other processes on a shared machine stretch wall times); the machine
 * (CPU model) and its load (os.loadavg) are printed with the table.
 *
 * Run:   node bench/predict.mjs [--rows 1000000] [--gb 1] [--skip-gb | --only-gb] [--steps read,quality,stream,held,evaluate]
 *
 * It bundles the engines with esbuild into bench/out/ (ignored by git) and writes the data to
 * $TMPDIR/pilot-bench-predict/ (never committed; delete it afterwards, the 1 GB file included).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
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
  const [, step, file, artifactDir, outPath, dataDir] = args;
  const m = await import(join(out, 'predict-engines.mjs'));
  const ctx = { jobId: 0, dataDir, signal: new AbortController().signal, progress() {} };
  const t0 = performance.now();
  let rows = 0;
  let detail = {};
  if (step === 'train') {
    const r = await m.trainModel(m.trainInputSchema.parse({ file, target: 'label', epochs: 2, runId: 'bench-predict', exclude: ['id', 'note'] }), ctx);
    detail = { artifactDir: r.artifactDir, accuracy: r.summary.network };
  } else if (step === 'stream') {
    rows = (await m.predictEngine({ artifactDir, path: file, outPath, force: true }, ctx)).rows;
  } else if (step === 'held') {
    rows = (await m.predictFile(artifactDir, file, outPath, undefined, { force: true })).rows;
  } else if (step === 'evaluate') {
    const r = await m.evaluateVersion(m.evaluateInputSchema.parse({ artifactDir, file, protected: ['region'], recorded: { accuracy: 0.9, f1: 0.8, rocAuc: 0.95 } }), ctx);
    rows = r.rows.total;
  } else if (step === 'quality') {
    rows = (await m.scoreQuality({ path: file }, ctx)).rows;
  } else if (step === 'read') {
    const sniffed = await m.sniffFile(file);
    await m.readByteRange({ path: file, encoding: sniffed.encoding, delimiter: sniffed.delimiter, start: sniffed.bomBytes, end: statSync(file).size, skipHeader: true, onRecord: () => rows++ });
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: peak(), rows, ...detail }));
  process.exit(0);
}

const { build } = await import('esbuild');
mkdirSync(out, { recursive: true });
await build({
  absWorkingDir: root,
  stdin: {
    contents: [
      `export { trainModel, trainInputSchema } from './workers/trainer/index.ts';`,
      `export { predictFile } from './workers/trainer/predict.ts';`,
      `export { predictEngine } from './workers/predict/index.ts';`,
      `export { scoreQuality } from './workers/quality/index.ts';`,
      `export { evaluateVersion, evaluateInputSchema } from './workers/evaluate/index.ts';`,
      `export { readByteRange } from './workers/csv/reader.ts';`,
      `export { sniffFile } from './workers/csv/sniff.ts';`,
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  outfile: join(out, 'predict-engines.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});

/** A churn-like table: an id, ten numbers, four categories (one with a long tail), a free-text note, the label. */
function generate(path, { rows = Infinity, bytes = Infinity }) {
  const fd = openSync(path, 'w');
  writeSync(fd, 'id,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,plan,region,channel,tier,note,label\n');
  let s = 7;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  let written = 0;
  for (let done = 0; done < rows && written < bytes; ) {
    const lines = [];
    for (let k = 0; k < 10_000 && done < rows; k++, done++) {
      const x = Array.from({ length: 10 }, () => (rnd() * 100).toFixed(2));
      const plan = ['basic', 'plus', 'pro'][Math.floor(rnd() * 3)];
      const score = Number(x[0]) + (plan === 'basic' ? 15 : 0) + rnd() * 30;
      const note = rnd() < 0.1 ? '"called twice, asked about ""pro"""' : `n${Math.floor(rnd() * 1e6)}`;
      lines.push(`${done},${x.join(',')},${plan},${['north', 'south', 'east', 'west'][Math.floor(rnd() * 4)]},${rnd() < 0.5 ? 'web' : 'shop'},t${Math.floor(rnd() * 40)},${note},${score > 70 ? 'yes' : 'no'}`);
    }
    const text = `${lines.join('\n')}\n`;
    writeSync(fd, text);
    written += Buffer.byteLength(text);
  }
  closeSync(fd);
}

const dataDir = join(tmpdir(), 'pilot-bench-predict');
mkdirSync(dataDir, { recursive: true });
const child = (step, file, artifactDir = '', outPath = '') => {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', step, file, artifactDir, outPath, dataDir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { failed: r.stderr.trim().split('\n').slice(-3).join(' ') };
  const measured = JSON.parse(r.stdout.trim().split('\n').pop());
  // Each figure as soon as it is measured, so a long run that is stopped still shows what it did.
  console.error(`${step} ${file}: ${JSON.stringify(measured)}`);
  return measured;
};

const trainFile = join(dataDir, 'train-20k.csv');
if (!existsSync(trainFile)) generate(trainFile, { rows: 20_000 });
const trained = child('train', trainFile);
if (trained.failed) throw new Error(`training failed: ${trained.failed}`);
const artifact = trained.artifactDir;

const n = Number(option('--rows', '1000000'));
const files = args.includes('--only-gb') ? [] : [{ name: `${(n / 1e6).toLocaleString('en')} M rows`, path: join(dataDir, `rows-${n}.csv`), make: { rows: n }, held: true }];
if (!args.includes('--skip-gb')) {
  const gb = Number(option('--gb', '1'));
  files.push({ name: `${gb} GB`, path: join(dataDir, `gb-${gb}.csv`), make: { bytes: gb * 1e9 }, held: false });
}
const table = [['file', 'step', 'rows', 'wall s', 'CPU-s', 'rows/s (wall)', 'rows/CPU-s', 'peak RSS MB', 'CPU-s ÷ quality', 'RSS ÷ quality']];
const load0 = loadavg();
for (const f of files) {
  if (!existsSync(f.path)) generate(f.path, f.make);
  const mb = statSync(f.path).size / 1e6;
  const predictions = join(dataDir, 'predictions.csv');
  // --steps read,quality,stream,held,evaluate runs a subset (a long run on a loaded machine).
  const steps = option('--steps', 'read,quality,stream,held,evaluate').split(',');
  const run = (step, label, ...rest) => (steps.includes(step) ? [[label, child(step, f.path, ...rest)]] : []);
  const results = [
    ...run('read', 'read (byte reader only)'),
    ...run('quality', 'quality scorer, 1 thread'),
    ...run('stream', 'predict, streaming', artifact, predictions),
    ...(f.held ? run('held', 'predict, whole file held (before)', artifact, predictions) : []),
    ...run('evaluate', 'evaluate (200 resamples, fairness by region)', artifact),
  ];
  rmSync(predictions, { force: true });
  const quality = results.find(([label]) => label.startsWith('quality'))?.[1] ?? { failed: 'not run' };
  for (const [step, r] of results) {
    const label = `${f.name} (${mb.toFixed(0)} MB)`;
    if (r.failed) {
      table.push([label, step, 'FAILED', r.failed.slice(0, 120), '', '', '', '', '', '']);
      continue;
    }
    table.push([
      label,
      step,
      r.rows.toLocaleString('en'),
      (r.ms / 1000).toFixed(1),
      (r.cpuMs / 1000).toFixed(1),
      Math.round(r.rows / (r.ms / 1000)).toLocaleString('en'),
      Math.round(r.rows / (r.cpuMs / 1000)).toLocaleString('en'),
      r.peakRssMb.toFixed(0),
      quality.failed ? '' : (r.cpuMs / quality.cpuMs).toFixed(2),
      quality.failed ? '' : (r.peakRssMb / quality.peakRssMb).toFixed(2),
    ]);
  }
}
console.log(`predict benchmark · node ${process.version} · ${cpus()[0]?.model ?? '?'} × ${availableParallelism()} · load average ${load0.map((l) => l.toFixed(1)).join(' ')} at start, ${loadavg().map((l) => l.toFixed(1)).join(' ')} at end (other processes share these cores: compare CPU-seconds)`);
console.log(`model: 17-column churn-like table, trained on 20,000 rows (test accuracy ${trained.accuracy?.toFixed(3)}); data in ${dataDir}`);
const width = table[0].map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
for (const r of table) console.log(r.map((c, i) => String(c).padEnd(width[i])).join(' │ '));
