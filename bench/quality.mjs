#!/usr/bin/env node
/**
 * Quality engine vs Polars, DuckDB and pandas on a realistic CSV (about 300 MB by default).
 *
 * Run:   node bench/quality.mjs [--gb 0.3] [--skip-pandas] [--keep]
 *
 * It prints a summary first (ours on 1 thread, ours on 2 threads, Polars, DuckDB, pandas: wall,
 * CPU-s, peak RSS; and whether the target of issue 16 is met: ours on 2 threads ahead of Polars on
 * wall time at ≤ 256 MB peak), then the detailed table. About 3 minutes on a quiet 2-core machine
 * for 300 MB (pandas alone is a minute of it).
 *
 * It bundles the engine with esbuild into bench/out/ (git-ignored; no build step or TS runner
 * needed), generates the CSV once into $TMPDIR/pilot-bench-quality/ (20 columns: integers,
 * floats with missing values, low/mid/high-cardinality categories, dates, datetimes, booleans,
 * quoted free text with commas, quotes and the odd line break), then in the same run measures:
 *   - ours:   scoreQuality() in a child process, on 1 thread (in-process) and on 2 worker threads (byte
 *             ranges at record boundaries, sketches merged), wall time and
 *             peak RSS (VmHWM from /proc, covers every thread); also on a quarter-size file to
 *             show memory does not grow with file size;
 *   - pandas: Debian's python3-pandas, read_csv + describe(include='all') + isna().sum() +
 *             duplicated().sum(), wall time and peak RSS (ru_maxrss);
 *   - parser: csv-parse (streaming) vs our two record parsers (bytes, used for UTF-8 and
 *             Latin-1; strings, used for UTF-16) on the first 128 MB, parse only;
 *   - import: importDataset() (sniff, then one streaming pass with the byte reader that hashes,
 *             validates the encoding and counts rows) in a child process;
 *   - Polars (`nodejs-polars` 0.25.2: readCSV + describe + null counts + n_unique + duplicate
 *             rows) and DuckDB (`@duckdb/node-api`: a table from read_csv, SUMMARIZE, distinct
 *             rows), each in its own child process with wall time, CPU-s and peak RSS (dev
 *             dependencies; where one is not installed the table says it was not measured);
 * and prints a table with the ratios. Wall times vary with the machine and its load (other
 * processes on a shared 2-core machine slow both sides); CPU times are printed too.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync, createReadStream } from 'node:fs';
import { tmpdir, availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};

// Child mode: profile one file and print {ms, peakRssMb, rows, score}.
if (args[0] === '--child') {
  const { scoreQuality } = await import(join(out, 'quality.mjs'));
  const ctx = { jobId: 0, dataDir: tmpdir(), signal: new AbortController().signal, progress() {} };
  const t0 = performance.now();
  const report = await scoreQuality({ path: args[1], threads: Number(args[2] ?? 2) }, ctx);
  const ms = performance.now() - t0;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: hwm ? Number(hwm[1]) / 1024 : null, rows: report.rows, duplicateRows: report.duplicateRows, score: report.score, missing: report.columns.reduce((s, c) => s + c.missing, 0) }));
  process.exit(0);
}
// Child mode: import one file (sniff, one streaming pass: hash, encoding, rows) and print {ms, cpuMs, peakRssMb, rows}.
if (args[0] === '--import-child') {
  const { importDataset } = await import(join(out, 'importer.mjs'));
  const ctx = { jobId: 0, dataDir: tmpdir(), signal: new AbortController().signal, progress() {} };
  const t0 = performance.now();
  const result = await importDataset({ path: args[1] }, ctx);
  const ms = performance.now() - t0;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: hwm ? Number(hwm[1]) / 1024 : null, rows: result.rowCount }));
  process.exit(0);
}
// Child mode: Polars loads the file and computes its own summary: describe + null counts + n_unique + duplicate rows.
if (args[0] === '--polars-child') {
  const { default: pl } = await import('nodejs-polars');
  const t0 = performance.now();
  const df = pl.readCSV(args[1], { inferSchemaLength: 10000 });
  const described = df.describe();
  const nulls = df.nullCount().toRecords()[0];
  const unique = df.select(pl.all().nUnique()).toRecords()[0];
  const duplicateRows = df.height - df.unique().height;
  const ms = performance.now() - t0;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const cpu = process.cpuUsage();
  const missing = Object.values(nulls).reduce((s, n) => s + Number(n), 0);
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: hwm ? Number(hwm[1]) / 1024 : null, rows: df.height, duplicateRows, missing, statistics: described.height, distinctColumns: Object.keys(unique).length }));
  process.exit(0);
}
// Child mode: DuckDB loads the file into a table, then SUMMARIZE and the count of distinct rows.
if (args[0] === '--duckdb-child') {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(`CREATE TABLE t AS SELECT * FROM read_csv('${args[1].replaceAll("'", "''")}')`);
  const summary = (await conn.runAndReadAll('SUMMARIZE t')).getRowObjects();
  const [counts] = (await conn.runAndReadAll('SELECT (SELECT count(*) FROM t) AS n, (SELECT count(*) FROM (SELECT DISTINCT * FROM t)) AS d')).getRowObjects();
  const ms = performance.now() - t0;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const cpu = process.cpuUsage();
  const rows = Number(counts.n);
  const missing = summary.reduce((s, r) => s + Math.round((Number(r.null_percentage) / 100) * rows), 0);
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: hwm ? Number(hwm[1]) / 1024 : null, rows, duplicateRows: rows - Number(counts.d), missing, statistics: summary.length }));
  process.exit(0);
}
if (args[0] === '--parse-child') {
  const { CsvRecordParser, readByteRange } = await import(join(out, 'reader.mjs'));
  const { parse } = await import('csv-parse');
  const path = args[1];
  const limit = Number(args[2]);
  const time = async (f) => {
    const t0 = performance.now();
    const n = await f();
    return { ms: performance.now() - t0, n };
  };
  const bytes = await time(async () => {
    let n = 0;
    await readByteRange({ path, encoding: 'utf-8', delimiter: ',', start: 0, end: limit, skipHeader: false, onRecord: () => n++ });
    return n;
  });
  const strings = await time(async () => {
    let n = 0;
    const p = new CsvRecordParser(',', () => n++);
    for await (const chunk of createReadStream(path, { end: limit - 1, encoding: 'utf8', highWaterMark: 1 << 20 })) p.push(chunk);
    p.end();
    return n;
  });
  const theirs = await time(async () => {
    let n = 0;
    const parser = createReadStream(path, { end: limit - 1, highWaterMark: 1 << 20 }).pipe(parse({ relax_column_count: true, relax_quotes: true }));
    for await (const record of parser) if (record) n++;
    return n;
  });
  console.log(JSON.stringify({ bytes, strings, theirs }));
  process.exit(0);
}

// 1. Bundle the engine (and its thread entry beside it) with esbuild.
const { build } = await import('esbuild');
mkdirSync(out, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: { quality: 'workers/quality/index.ts', 'quality-thread': 'workers/quality/thread.ts', reader: 'workers/csv/reader.ts', importer: 'workers/importer/index.ts' },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});

// 2. Generate the data once.
const gb = Number(option('--gb', '0.3'));
const dataDir = join(tmpdir(), 'pilot-bench-quality');
mkdirSync(dataDir, { recursive: true });
const big = join(dataDir, `data-${gb}gb.csv`);
const quarter = join(dataDir, `data-${gb}gb-quarter.csv`);
const targetBytes = Math.round(gb * 1024 ** 3);
if (!existsSync(big) || statSync(big).size < targetBytes || !existsSync(quarter)) generate(big, quarter, targetBytes);

function generate(path, quarterPath, bytes) {
  const t0 = performance.now();
  let seed = 12345;
  const rnd = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const words = 'the quick brown fox jumps over a lazy dog data quality report customer order shipped late early refund great poor service product delivery'.split(' ');
  const low = ['new', 'active', 'paused', 'closed', 'churned'];
  const mid = Array.from({ length: 60 }, (_, i) => `segment_${i}`);
  const cities = Array.from({ length: 1000 }, (_, i) => `City ${i}`);
  const countries = ['FR', 'DE', 'US', 'GB', 'ES', 'IT', 'NL', 'BE', 'SE', 'PL'];
  const header = 'id,age,income,score,visits,status,segment,customer,city,country,signup_date,last_seen,is_member,rating,price,quantity,discount,balance,tenure_days,comment\n';
  const fd = openSync(path, 'w');
  const fq = openSync(quarterPath, 'w');
  writeSync(fd, header);
  writeSync(fq, header);
  let written = header.length;
  let id = 0;
  while (written < bytes) {
    const lines = [];
    for (let k = 0; k < 20000; k++) {
      id++;
      const age = 18 + Math.floor(rnd() * 70);
      const income = rnd() < 0.05 ? '' : (20000 + rnd() * 150000).toFixed(2);
      const score = (rnd() * 2 - 0.5).toFixed(4);
      const visits = rnd() < 0.1 ? 0 : Math.floor(rnd() * 200);
      const month = 1 + Math.floor(rnd() * 12);
      const day = 1 + Math.floor(rnd() * 28);
      const date = `20${10 + Math.floor(rnd() * 14)}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
      const seen = `${date} ${String(Math.floor(rnd() * 24)).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}:00`;
      let comment = '';
      const nWords = 3 + Math.floor(rnd() * 10);
      for (let w = 0; w < nWords; w++) comment += (w ? ' ' : '') + pick(words);
      const r = rnd();
      if (r < 0.3) comment += ', and more';
      if (r < 0.05) comment += ' ""quoted""';
      if (r < 0.002) comment += '\nsecond line';
      lines.push(
        `${id},${age},${income},${score},${visits},${pick(low)},${pick(mid)},cust-${Math.floor(rnd() * 200000)},${pick(cities)},${pick(countries)},${date},${seen},${rnd() < 0.5 ? 'true' : 'false'},${1 + Math.floor(rnd() * 5)},${(rnd() * 500).toFixed(2)},${1 + Math.floor(rnd() * 20)},${rnd() < 0.3 ? '' : (rnd() * 0.5).toFixed(3)},${((rnd() - 0.3) * 10000).toFixed(2)},${Math.floor(rnd() * 3650)},"${comment}"`,
      );
    }
    const block = `${lines.join('\n')}\n`;
    writeSync(fd, block);
    if (written < bytes / 4) writeSync(fq, block);
    written += Buffer.byteLength(block);
  }
  closeSync(fd);
  closeSync(fq);
  console.error(`generated ${path} (${(written / 1024 ** 2).toFixed(0)} MB, ${id} rows) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// 3. Measure.
const runOurs = (path, threads = 2) => {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', path, String(threads)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`ours failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
const runPandas = (path) => {
  const script = `
import time, resource, sys, pandas as pd
t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1], low_memory=False)
d = df.describe(include='all')
na = df.isna().sum()
dup = int(df.duplicated().sum())
ms = (time.perf_counter() - t0) * 1000
ru = resource.getrusage(resource.RUSAGE_SELF)
print('{"ms": %f, "cpuMs": %f, "peakRssMb": %f, "rows": %d, "duplicateRows": %d, "missing": %d}' % (ms, (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss / 1024, len(df), dup, int(na.sum())))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`pandas failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};

const size = statSync(big).size;
console.error(`machine: ${cpus()[0]?.model ?? '?'} × ${availableParallelism()}, node ${process.version}`);
const benchStarted = performance.now();
const oursOne = runOurs(big, 1);
console.error('ours (full, 1 thread):', oursOne);
const ours = runOurs(big, 2);
console.error('ours (full, 2 threads):', ours);
const runImport = (path) => {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--import-child', path], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
const imported = runImport(big);
console.error('ours (import):', imported);
const oursQuarter = runOurs(quarter);
console.error('ours (quarter):', oursQuarter);
const pandas = flag('--skip-pandas') ? null : runPandas(big);
if (pandas) console.error('pandas:', pandas);
const parseBytes = Math.min(128 << 20, size);
const parsing = JSON.parse(spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--parse-child', big, String(parseBytes)], { encoding: 'utf8' }).stdout.trim());

const mb = size / 1024 ** 2;
const rows = [
  ['file', `${mb.toFixed(0)} MB, ${ours.rows.toLocaleString('en-US')} rows × 20 columns`, '', ''],
  ['ours, 1 thread: wall / CPU-s / peak', `${(oursOne.ms / 1000).toFixed(1)} s / ${(oursOne.cpuMs / 1000).toFixed(1)} s / ${oursOne.peakRssMb.toFixed(0)} MB`, `${(mb / (oursOne.ms / 1000)).toFixed(0)} MB/s`, `2 threads / 1 thread wall ${(ours.ms / oursOne.ms).toFixed(2)}×${oursOne.rows === ours.rows && oursOne.duplicateRows === ours.duplicateRows && oursOne.missing === ours.missing ? ', same rows, duplicates, missing cells' : ', RESULTS DIFFER'}`],
  ['ours, 2 threads: wall time', `${(ours.ms / 1000).toFixed(1)} s`, `${(mb / (ours.ms / 1000)).toFixed(0)} MB/s`, ''],
  ['ours, 2 threads: CPU time (all threads)', `${(ours.cpuMs / 1000).toFixed(1)} s`, `${(ours.cpuMs / ours.ms).toFixed(2)} cores busy on average`, ''],
  ['ours, 2 threads: peak RSS', `${ours.peakRssMb.toFixed(0)} MB`, '', ours.peakRssMb <= 256 ? 'target ≤ 256 MB: met' : 'target ≤ 256 MB: MISSED'],
  ['ours: import (sniff + hash + encoding + rows)', `${(imported.ms / 1000).toFixed(1)} s`, `${(mb / (imported.ms / 1000)).toFixed(0)} MB/s, ${(imported.cpuMs / 1000).toFixed(1)} CPU-s, ${imported.peakRssMb.toFixed(0)} MB peak`, `import/score wall ${(imported.ms / ours.ms).toFixed(2)}×${imported.rows === ours.rows ? '' : ', ROW COUNTS DIFFER'}`],
  ['ours: peak RSS, quarter file', `${oursQuarter.peakRssMb.toFixed(0)} MB`, `${(statSync(quarter).size / 1024 ** 2).toFixed(0)} MB file`, `full/quarter RSS ratio ${(ours.peakRssMb / oursQuarter.peakRssMb).toFixed(2)}`],
];
if (pandas) {
  const speedup = pandas.ms / ours.ms;
  rows.push(
    ['pandas: wall time', `${(pandas.ms / 1000).toFixed(1)} s`, `${(mb / (pandas.ms / 1000)).toFixed(0)} MB/s`, ''],
    ['pandas: CPU time', `${(pandas.cpuMs / 1000).toFixed(1)} s`, '', `CPU-time ratio pandas / ours ${(pandas.cpuMs / ours.cpuMs).toFixed(2)}× (less sensitive to machine load)`],
    ['pandas: peak RSS', `${pandas.peakRssMb.toFixed(0)} MB`, '', ''],
    ['speed-up (pandas / ours)', `${speedup.toFixed(2)}×`, '', speedup >= 6 ? 'target ≥ 6×: met' : 'target ≥ 6×: MISSED'],
    ['import vs pandas read+summary', `${(pandas.ms / imported.ms).toFixed(1)}× faster wall`, `${(pandas.cpuMs / imported.cpuMs).toFixed(1)}× fewer CPU-s`, 'pandas does more than import, less than the profile'],
    ['memory ratio (pandas / ours)', `${(pandas.peakRssMb / ours.peakRssMb).toFixed(1)}×`, '', ''],
    ['agreement', `rows ${ours.rows === pandas.rows ? '=' : '≠'}, duplicates ${ours.duplicateRows}/${pandas.duplicateRows}, missing cells ${ours.missing}/${pandas.missing}`, '', ''],
  );
}
// The engines a user might pick instead, in the same run: each in its own child process (wall, CPU-s, peak RSS).
const others = {};
const runEngine = (mode, path) => {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), mode, path], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
for (const [engine, pkg, mode, what] of [
  ['Polars', 'nodejs-polars', '--polars-child', 'readCSV + describe + null counts + n_unique + duplicate rows'],
  ['DuckDB', '@duckdb/node-api', '--duckdb-child', 'CREATE TABLE AS read_csv + SUMMARIZE + distinct rows'],
]) {
  let installed = true;
  try {
    await import(pkg);
  } catch {
    installed = false;
  }
  if (!installed) {
    rows.push([`${engine}: not measured`, `${pkg} is not installed`, '', 'no comparison claimed']);
    continue;
  }
  const them = runEngine(mode, big);
  others[engine] = them;
  console.error(`${engine}:`, them);
  if (them.error) {
    rows.push([`${engine}: failed`, them.error.slice(0, 80), '', 'no comparison claimed']);
    continue;
  }
  const wallRatio = them.ms / ours.ms;
  const verdict = ours.peakRssMb <= 256 && wallRatio > 1.05 ? 'ours ahead on wall time at ≤ 256 MB' : wallRatio < 0.95 ? `${engine} ahead on wall time` : 'about the same wall time';
  rows.push(
    [`${engine}: wall time (${what})`, `${(them.ms / 1000).toFixed(1)} s`, `${(mb / (them.ms / 1000)).toFixed(0)} MB/s`, `${engine} / ours wall ${wallRatio.toFixed(2)}×: ${verdict}`],
    [`${engine}: CPU time`, `${(them.cpuMs / 1000).toFixed(1)} s`, `${(them.cpuMs / them.ms).toFixed(2)} cores busy`, `${engine} / ours CPU-s ${(them.cpuMs / ours.cpuMs).toFixed(2)}×`],
    [`${engine}: peak RSS`, `${them.peakRssMb.toFixed(0)} MB`, '', `${engine} / ours memory ${(them.peakRssMb / ours.peakRssMb).toFixed(1)}×`],
    [`${engine}: agreement`, `rows ${them.rows === ours.rows ? '=' : `${them.rows} ≠ ${ours.rows}`}, duplicates ${them.duplicateRows}/${ours.duplicateRows}, missing cells ${them.missing}/${ours.missing}`, '', ''],
  );
}
const parseMb = parseBytes / 1024 ** 2;
rows.push(
  ['parse only, first 128 MB: ours, bytes', `${(parseMb / (parsing.bytes.ms / 1000)).toFixed(0)} MB/s`, `${parsing.bytes.n} records`, 'UTF-8 and Latin-1 files, fields hashed'],
  ['parse only, first 128 MB: ours, strings', `${(parseMb / (parsing.strings.ms / 1000)).toFixed(0)} MB/s`, `${parsing.strings.n} records`, 'UTF-16 files, decoded'],
  ['parse only, first 128 MB: csv-parse', `${(parseMb / (parsing.theirs.ms / 1000)).toFixed(0)} MB/s`, `${parsing.theirs.n} records`, `ours (bytes) ${(parsing.theirs.ms / parsing.bytes.ms).toFixed(1)}× faster`],
);
rows.unshift(['machine', `${cpus()[0]?.model ?? '?'} × ${availableParallelism()}`, `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`, 'other processes share these cores: compare CPU-seconds']);
const print = (table) => {
  const width = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => c.padEnd(width[i])).join('  │  '));
};
// The summary: one line per engine, then the verdict on the target (issue 16).
const line = (name, r, note) => (r && !r.error ? [name, `${(r.ms / 1000).toFixed(1)} s`, `${(r.cpuMs / 1000).toFixed(1)} s`, `${r.peakRssMb.toFixed(0)} MB`, note] : [name, '—', '—', '—', r?.error ? `failed: ${r.error.slice(0, 60)}` : 'not measured']);
const polars = others.Polars;
const met = polars && !polars.error ? ours.ms < polars.ms && ours.peakRssMb <= 256 : null;
const summary = [
  ['engine', 'wall', 'CPU-s', 'peak RSS', 'computes'],
  line('ours, 1 thread', oursOne, 'the whole profile (types, stats, quantiles, distinct, top values, PII, duplicates, correlations, alerts)'),
  line('ours, 2 threads', ours, 'the same, two byte ranges on worker threads, merged'),
  line('Polars', polars, 'readCSV + describe + null counts + n_unique + duplicate rows'),
  line('DuckDB', others.DuckDB, 'read_csv table + SUMMARIZE + distinct rows'),
  line('pandas', pandas, 'read_csv + describe + isna + duplicated'),
];
console.log(`${mb.toFixed(0)} MB, ${ours.rows.toLocaleString('en-US')} rows × 20 columns on ${cpus()[0]?.model ?? '?'} × ${availableParallelism()}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
print(summary);
console.log(
  met === null
    ? 'target (ours on 2 threads ahead of Polars on wall time at ≤ 256 MB peak): not judged, Polars not measured'
    : `target (ours on 2 threads ahead of Polars on wall time at ≤ 256 MB peak): ${met ? 'met' : 'NOT met'} — wall ours/Polars ${(ours.ms / polars.ms).toFixed(2)}×, CPU-s ours/Polars ${(ours.cpuMs / polars.cpuMs).toFixed(2)}×, peak ${ours.peakRssMb.toFixed(0)} MB`,
);
console.log('');
print(rows);
console.log(`bench took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s (file generation excluded)`);
