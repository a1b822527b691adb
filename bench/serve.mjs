#!/usr/bin/env node
/**
 * Prediction service benchmark: a bounded load test on 127.0.0.1 of `pilot serve`'s prediction
 * endpoint (key checked, version resolved and request logged per call) and of the Kubernetes
 * hand-off package's `predict-server.mjs` (the same request code), for
 * 1-row and 1,000-row JSON requests: requests/s, rows/s, p50/p99 latency, wall time and the
 * server's CPU-seconds. Reference, measured in the same run: the same rows through `predictRows`
 * in this process (no HTTP, no JSON), i.e. the prediction work each request does.
 *
 * Run:   node bench/serve.mjs [--quick]      (needs `node build/build.mjs --backend` first)
 *
 * Trains a small seeded model on test/fixtures/adult.csv into bench/out/ (ignored by git).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const quick = process.argv.includes('--quick');
const server = join(root, 'dist', 'predict-server.mjs');
if (!existsSync(server)) throw new Error('dist/predict-server.mjs is missing: run node build/build.mjs --backend first.');

await build({
  stdin: {
    contents: `export { trainModel, predictRows, trainInputSchema } from './workers/trainer/index.ts';
export { writePackage } from './workers/export/index.ts';
export { makeContext } from './workers/protocol.ts';
export { loadTable } from './workers/trainer/load.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: join(out, 'serve-bundle.mjs'),
  logLevel: 'warning',
});
const lib = await import(join(out, 'serve-bundle.mjs'));

const dataDir = join(out, 'serve-data');
rmSync(dataDir, { recursive: true, force: true });
const file = join(root, 'test', 'fixtures', 'adult.csv');
const trained = await lib.trainModel(lib.trainInputSchema.parse({ file, target: 'income', maxRows: 3000, epochs: 5, seed: 1, runId: 'bench-serve' }), lib.makeContext({ dataDir }));
const pkg = join(dataDir, 'k8s');
await lib.writePackage(trained.artifactDir, pkg, 'kubernetes', { project: 'adult', version: 1, stage: 'candidate', task: trained.task, target: trained.target, createdAt: Date.now(), datasetSha256: trained.datasetSha256, backend: trained.backend, hyperparameters: trained.hyperparameters, testMetrics: {}, producerVersion: 'bench' }, server);
symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));

const table = await lib.loadTable(file);
const rowsAsObjects = (n) => table.rows.slice(0, n).map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i]])));

const child = spawn(process.execPath, ['predict-server.mjs', '--model', 'model', '--port', '0'], { cwd: pkg, env: { ...process.env, PILOT_MODEL_NAME: 'adult' }, stdio: ['ignore', 'pipe', 'inherit'] });
let serverBackend = '?';
const base = await new Promise((done, fail) => {
  let text = '';
  child.stdout.on('data', (chunk) => {
    text += chunk;
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+).*backend (\w+)/.exec(text);
    if (match) {
      serverBackend = match[2];
      done(match[1]);
    }
  });
  child.on('exit', (code) => fail(new Error(`server exited ${code}`)));
});

/** utime + stime of a process in seconds (Linux /proc; null elsewhere). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function load(rows, requests, concurrency, target = packaged) {
  const body = JSON.stringify({ rows: rowsAsObjects(rows) });
  const latencies = [];
  let failures = 0;
  let next = 0;
  const cpuBefore = cpuSeconds(target.pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const t = performance.now();
        const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body });
        await response.arrayBuffer();
        if (response.status !== 200) failures++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const cpuAfter = cpuSeconds(target.pid);
  latencies.sort((a, b) => a - b);
  return { server: target.name, rows, requests, concurrency, wall, cpu: cpuBefore === null ? null : cpuAfter - cpuBefore, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), failures };
}

async function reference(rows, repeats) {
  const header = table.columns;
  const cells = table.rows.slice(0, rows);
  const times = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await lib.predictRows(trained.artifactDir, header, cells);
    times.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), cpuPerCall: (used.user + used.system) / 1e6 / repeats };
}

const packaged = { name: 'package server', pid: child.pid, url: `${base}/v1/models/adult:predict`, headers: {} };

// Serve mode: the same model trained, promoted and published through the CLI, then `pilot serve`.
const cli = (args) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'pilot.js'), ...args, '--data-dir', join(dataDir, 'home')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pilot ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
cli(['train', file, '--target', 'income', '--max-rows', '3000', '--epochs', '5', '--seed', '1', '--project', 'adult']);
cli(['models', 'promote', 'adult@1', '--to', 'production']);
const published = JSON.parse(cli(['models', 'publish', 'adult@production', '--json']));
const serve = spawn(process.execPath, [join(root, 'bin', 'pilot.js'), 'serve', '--port', '0', '--data-dir', join(dataDir, 'home')], { stdio: ['ignore', 'pipe', 'ignore'] });
const serveBase = await new Promise((done, fail) => {
  let text = '';
  serve.stdout.on('data', (chunk) => {
    text += chunk;
    const match = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(text);
    if (match) done(match[1]);
  });
  serve.on('exit', (code) => fail(new Error(`pilot serve exited ${code}`)));
});
const serveMode = { name: 'pilot serve', pid: serve.pid, url: `${serveBase}${published.path}`, headers: { authorization: `Bearer ${published.key}` } };
await load(1, 10, 1, serveMode);

const cases = [
  { rows: 1, requests: quick ? 100 : 400, concurrency: 4 },
  { rows: 1000, requests: quick ? 20 : 60, concurrency: 2 },
];
// Warm both paths once (model load, JIT).
await load(1, 10, 1);
await reference(1, 3);
const results = [];
for (const c of cases) {
  const ref = await reference(c.rows, Math.max(5, Math.round(c.requests / 10)));
  for (const target of [packaged, serveMode]) results.push({ served: await load(c.rows, c.requests, c.concurrency, target), ref });
}
child.kill();
serve.kill();

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`Prediction server on 127.0.0.1 — ${cpu}, ${cpus().length} logical CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(' / ')} (1/5/15 min)`);
console.log(`server backend ${serverBackend}; model: adult.csv, ${trained.inputs} inputs, ${trained.parameters} parameters, reference = predictRows in-process, same backend`);
console.log('');
console.log('| server | rows/request | requests | concurrency | req/s | rows/s | p50 ms | p99 ms | server CPU-s | CPU-ms/request | failures | reference p50 ms | p50 / reference |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const { served: s, ref } of results) {
  const perRequestCpu = s.cpu === null ? '—' : ((s.cpu / s.requests) * 1000).toFixed(2);
  console.log(
    `| ${s.server} | ${s.rows} | ${s.requests} | ${s.concurrency} | ${(s.requests / s.wall).toFixed(1)} | ${((s.requests * s.rows) / s.wall).toFixed(0)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.cpu === null ? '—' : s.cpu.toFixed(2)} | ${perRequestCpu} | ${s.failures} | ${ref.p50.toFixed(2)} | ${(s.p50 / ref.p50).toFixed(2)} |`,
  );
}
console.log('');
console.log('Latency includes the client (fetch) on the same machine; the other engineers\u2019 load shares the cores, so compare the CPU-ms per request and the ratio, not the wall figures.');
