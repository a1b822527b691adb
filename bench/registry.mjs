#!/usr/bin/env node
/**
 * Registry benchmark: "what was in production on date X" over a history of 10,000 events
 * (target: median < 10 ms).
 *
 * Run:   node bench/registry.mjs [--events N] [--queries N]
 *
 * It bundles db/registry.ts and db/store.ts with esbuild into bench/out/ (ignored by git), builds
 * one project's history in a real SQLite file (WAL, as the app runs it) through the registry's own
 * functions — promotions, demotions, rollbacks and alias moves over simulated months — then asks
 * `productionAt` at random dates. The reference, measured in the same run on the same file, replays
 * the project's whole history in JavaScript (what a registry without an event index must do);
 * both must give the same answer at every date.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 10_000);
const QUERIES = arg('queries', 1_000);

const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const rawPlugin = {
  name: 'raw',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.replace(/\?raw$/, '')), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'text' }));
  },
};
await build({
  stdin: { contents: "export * from './db/registry.ts'; export { openStore } from './db/store.ts';", resolveDir: root, loader: 'ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  plugins: [rawPlugin],
  outfile: join(out, 'registry-bundle.mjs'),
  logLevel: 'warning',
});
const registry = await import(join(out, 'registry-bundle.mjs'));

// A seeded generator so runs are comparable.
let seed = 12345;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (n) => Math.floor(random() * n);

const dir = mkdtempSync(join(tmpdir(), 'registry-bench-'));
const store = registry.openStore(join(dir, 'bench.db'));
const db = store.write;
const VERSIONS = 40;
const start = Date.UTC(2025, 0, 1);
let now = start;
db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'churn', 0, 0)`).run();
for (let v = 1; v <= VERSIONS; v++) {
  db.prepare(`INSERT INTO runs (id, project_id, dataset_sha256, status, started_at) VALUES (?, 1, 'x', 'succeeded', 0)`).run(v);
  db.prepare(
    `INSERT INTO model_versions (id, project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, created_at)
     VALUES (?, 1, ?, ?, 'x', 'cpu', 'binary', 'y', '{}', '{}', '/m', 'h', ?)`,
  ).run(v, v, v, now);
  registry.recordEvent(db, { projectId: 1, versionId: v, version: v, action: 'register', fromStage: null, toStage: 'candidate', alias: null, actor: 'bench', reason: '', at: now });
}
const count = () => db.prepare('SELECT count(*) AS n FROM model_events').get().n;
const built = performance.now();
let events = count();
while (events < EVENTS) {
  now += 1 + pick(90 * 60_000); // up to an hour and a half between changes
  const change = { actor: 'bench', reason: 'bench', now };
  const v = 1 + pick(VERSIONS);
  const roll = random();
  try {
    if (roll < 0.45) registry.setAlias(db, v, ['champion', 'challenger', 'shadow'][pick(3)], change);
    else if (roll < 0.7) registry.promote(db, v, 'production', change);
    else if (roll < 0.85) registry.promote(db, v, 'staging', change);
    else if (roll < 0.93) registry.demote(db, v, change);
    else if (roll < 0.97) registry.archive(db, v, change);
    else registry.rollback(db, 1, change);
  } catch {
    // Refused moves (already there, nothing to roll back) are part of real use; no event is written.
  }
  events = count();
}
const buildSeconds = (performance.now() - built) / 1000;
const end = now;
const production = db.prepare(`SELECT count(*) AS n FROM model_events WHERE to_stage = 'production' OR from_stage = 'production'`).get().n;

/** The reference: replay every event of the project up to `at`. */
function replay(at) {
  const rows = store.read.prepare('SELECT version, from_stage, to_stage FROM model_events WHERE project_id = 1 AND at <= ? ORDER BY at, id').all(at);
  let current = null;
  for (const row of rows) {
    if (row.to_stage === 'production') current = row.version;
    else if (row.from_stage === 'production') current = null;
  }
  return current;
}

const dates = Array.from({ length: QUERIES }, () => start + pick(end - start + 1));
const time = (fn) => {
  const ms = [];
  const answers = [];
  for (const at of dates) {
    const t = performance.now();
    answers.push(fn(at));
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], p95: ms[Math.floor(ms.length * 0.95)], max: ms[ms.length - 1], answers };
};
// Warm both paths (statement cache, page cache) before timing.
for (const at of dates.slice(0, 20)) {
  registry.productionAt(store.read, 1, at);
  replay(at);
}
const indexed = time((at) => registry.productionAt(store.read, 1, at).version);
const reference = time(replay);
const mismatches = indexed.answers.filter((a, i) => a !== reference.answers[i]).length;

const fmt = (n) => n.toFixed(3).padStart(9);
console.log(`registry history: ${events} events (${production} into/out of production) over ${Math.round((end - start) / 86_400_000)} days, ${VERSIONS} versions; built in ${buildSeconds.toFixed(1)} s`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(2)}; ${QUERIES} random dates; answers that differ: ${mismatches}`);
console.log('');
console.log('method                                   median ms   p95 ms    max ms   median vs reference');
console.log(`productionAt (partial index, 1 row)    ${fmt(indexed.median)} ${fmt(indexed.p95)} ${fmt(indexed.max)}   ${(indexed.median / reference.median).toFixed(4)}×`);
console.log(`reference: replay the whole history     ${fmt(reference.median)} ${fmt(reference.p95)} ${fmt(reference.max)}   1×`);
console.log('');
console.log(`target: median < 10 ms — ${indexed.median < 10 ? 'met' : 'NOT met'}`);
store.close();
rmSync(dir, { recursive: true, force: true });
if (mismatches > 0) process.exitCode = 1;
