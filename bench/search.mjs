#!/usr/bin/env node
/**
 * What the settings search buys: on public tables, the network with the usual settings, the network
 * after `searchSeconds`, the linear baseline, and scikit-learn's MLP (default (100,), three seeds)
 * and linear model trained on the very same split and encoding (bench/search_sklearn.py). Test
 * split figures (accuracy, or R² for bike_day); the search itself only looks at validation rows.
 *
 * Run:   node bench/search.mjs [--budget 30] [--seeds 1,2,3] [--full-adult]
 *
 * It bundles workers/ with esbuild into bench/out/ (ignored by git). Prints wall and CPU seconds
 * and the load average, as the machine is shared.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const budget = Number(arg('--budget', '30'));
const seeds = arg('--seeds', '1,2,3').split(',').map(Number);
const fixture = (name) => join(root, 'test', 'fixtures', name);
const tables = [
  { name: 'pima', file: fixture('pima.csv'), target: 'Outcome' },
  { name: 'adult (6,000 rows)', file: fixture('adult.csv'), target: 'income', maxRows: 6000 },
  { name: 'bike_day', file: fixture('bike_day.csv'), target: 'cnt' },
  ...(process.argv.includes('--full-adult') ? [{ name: 'adult (all rows)', file: fixture('adult.csv'), target: 'income' }] : []),
];

await build({
  stdin: {
    contents: `export { trainModel } from './workers/trainer/engine.ts';
export { trainInputSchema } from './workers/trainer/schema.ts';
export { prepare } from './workers/trainer/prepare.ts';
export { makeContext } from './workers/protocol.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: join(out, 'search-entry.mjs'),
  logLevel: 'warning',
});
const { trainModel, trainInputSchema, prepare, makeContext } = await import(join(out, 'search-entry.mjs'));

const f3 = (v) => (typeof v === 'number' ? v.toFixed(3) : 'n/a');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = [];
console.log(`search budget ${budget} s; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const table of tables) {
  for (const seed of seeds) {
    const input = { file: table.file, target: table.target, seed, backend: 'wasm', ...(table.maxRows ? { maxRows: table.maxRows } : {}) };
    const ctx = () => makeContext({ dataDir: join(out, 'search-data') });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const usual = await trainModel(trainInputSchema.parse(input), ctx());
    const t1 = performance.now();
    const cpu1 = process.cpuUsage();
    const searched = await trainModel(trainInputSchema.parse({ ...input, searchSeconds: budget }), ctx());
    const t2 = performance.now();
    const cpu2 = process.cpuUsage();
    const data = await prepare(trainInputSchema.parse(input));
    const dump = (s) => ({ n: s.n, x: Array.from(s.x), y: Array.from(s.y) });
    const path = join(out, 'search-split.json');
    writeFileSync(path, JSON.stringify({ d: data.preprocessing.inputs.length, task: data.target.task, train: dump(data.train), test: dump(data.test) }));
    const sk = JSON.parse(execFileSync('/usr/bin/python3', [join(root, 'bench', 'search_sklearn.py'), path], { encoding: 'utf8' }));
    const cpu = (a, b) => (b.user + b.system - a.user - a.system) / 1e6;
    const row = {
      table: table.name,
      seed,
      metric: usual.summary.metric,
      usual: usual.summary.network,
      searched: searched.summary.network,
      linear: usual.summary.linear,
      registered: `${searched.chosen.model}`,
      skMlp: mean(sk.mlp),
      skMlpRange: `${f3(Math.min(...sk.mlp))}–${f3(Math.max(...sk.mlp))}`,
      skLinear: sk.linear,
      trials: searched.search.trials.length,
      chosen: searched.search.chosen,
      usualSeconds: (t1 - t0) / 1000,
      usualCpu: cpu(cpu0, cpu1),
      searchedSeconds: (t2 - t1) / 1000,
      searchedCpu: cpu(cpu1, cpu2),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
console.log(`\nload ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
console.log('| table | seed | metric | network, usual | network, searched | trials | linear (ours) | sklearn MLP (100,) mean (range) | sklearn linear | wall s usual / searched (CPU s) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.table} | ${r.seed} | ${r.metric} | ${f3(r.usual)} | ${f3(r.searched)} | ${r.trials} | ${f3(r.linear)} | ${f3(r.skMlp)} (${r.skMlpRange}) | ${f3(r.skLinear)} | ${r.usualSeconds.toFixed(0)} / ${r.searchedSeconds.toFixed(0)} (${r.usualCpu.toFixed(0)} / ${r.searchedCpu.toFixed(0)}) |`);
}
for (const name of new Set(rows.map((r) => r.table))) {
  const these = rows.filter((r) => r.table === name);
  console.log(`| ${name} | mean | | ${f3(mean(these.map((r) => r.usual)))} | ${f3(mean(these.map((r) => r.searched)))} | | ${f3(mean(these.map((r) => r.linear)))} | ${f3(mean(these.map((r) => r.skMlp)))} | ${f3(mean(these.map((r) => r.skLinear)))} | |`);
}
