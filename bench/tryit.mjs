#!/usr/bin/env node
/**
 * What Try it costs beyond prediction: on a text version (SpamAssassin fixture, 500 messages,
 * masked) and an image version (three Fashion-MNIST classes), both trained here first,
 *   - text: 20 documents through `pilot predict`'s predictor (`predictTexts`, the reference) and
 *     through `tryit.text` with all 20 highlighted (occlusion over each document's distinct words);
 *   - image: 5 pictures through `predictImages` (the reference) and through `tryit.image` (saliency
 *     maps and the PNGs shown).
 * Each measured 5 times in this process after one warm-up; medians of wall and CPU seconds, and the
 * ratio try-it / predict per CPU-second. Machine (CPU model) and load average are printed.
 *
 * Run: node bench/tryit.mjs   (bundles into bench/out/, writes to $TMPDIR/pilot-bench-tryit/)
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const { build } = await import('esbuild');
mkdirSync(out, { recursive: true });
await build({ absWorkingDir: root, entryPoints: { tryit: 'bench/tryit-entry.ts' }, outdir: out, outExtension: { '.js': '.mjs' }, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
const lib = await import(join(out, 'tryit.mjs'));

const dir = join(tmpdir(), 'pilot-bench-tryit');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const ctx = () => ({ jobId: 0, dataDir: dir, signal: new AbortController().signal, progress() {} });
let n = 0;
const fresh = (name) => join(dir, `${++n}-${name}`);

async function measure(fn) {
  await fn();
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const c = process.cpuUsage(c0);
    runs.push({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 });
  }
  const median = (xs) => xs.sort((a, b) => a - b)[2];
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
}

console.error('training a text version (SpamAssassin fixture, masked) and an image version (3 Fashion-MNIST classes)…');
const text = await lib.trainText(lib.textInputSchema.parse({ path: join(root, 'test/fixtures/text/spamassassin.csv'), textColumn: 'text', target: 'label', maskPii: true, backend: 'wasm', seed: 3, epochs: 3, runId: 'text' }), ctx());
const fashion = join(root, 'test/fixtures/fashion-mnist-small');
const set = join(dir, 'set');
for (const part of ['train', 'test']) for (const c of ['bag', 'sneaker', 'trouser']) for (const f of readdirSync(join(fashion, part, c)).sort().slice(0, part === 'train' ? 20 : 4)) cpSync(join(fashion, part, c, f), join(set, part, c, f));
const image = await lib.trainImages(lib.imageInputSchema.parse({ source: set, epochs: 3, seed: 4, augment: false, backend: 'wasm', runId: 'image' }), ctx());

// 20 documents as a CSV (every 25th message of the fixture).
const csvText = readFileSync(join(root, 'test/fixtures/text/spamassassin.csv'), 'utf8');
const { parse } = await import('csv-parse/sync');
const docs = parse(csvText, { columns: true }).filter((_, i) => i % 25 === 0).slice(0, 20);
const docsCsv = join(dir, 'docs.csv');
writeFileSync(docsCsv, `text\n${docs.map((d) => `"${d.text.replace(/"/g, '""')}"`).join('\n')}\n`);
const pictures = ['bag', 'sneaker', 'trouser', 'bag', 'sneaker'].map((c, i) => join(fashion, 'test', c, readdirSync(join(fashion, 'test', c)).sort()[i]));
const list = join(dir, 'pictures.txt');
writeFileSync(list, pictures.join('\n'));

const rows = [
  ['text: 20 documents, pilot predict (predictTexts)', await measure(() => lib.predictTexts(text.artifactDir, docsCsv, fresh('p.csv')))],
  ['text: 20 documents, try it (all highlighted)', await measure(() => lib.tryitTextEngine(lib.tryitTextInputSchema.parse({ artifactDir: text.artifactDir, files: [{ path: docsCsv, name: 'docs.csv' }], outPath: fresh('t.csv'), explainDocuments: 20 }), ctx()))],
  ['image: 5 pictures, pilot predict (predictImages)', await measure(() => lib.predictImages(image.artifactDir, list, fresh('p.csv')))],
  ['image: 5 pictures, try it (saliency + PNGs)', await measure(() => lib.tryitImageEngine(lib.tryitImageInputSchema.parse({ artifactDir: image.artifactDir, files: pictures.map((p, i) => ({ path: p, name: `p${i}.png` })), outPath: fresh('t.csv') }), ctx()))],
];
console.log(`machine: ${cpus()[0]?.model} × ${cpus().length}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
console.log('| step | wall s (median of 5) | CPU s | try it / predict (CPU) |');
console.log('|---|---|---|---|');
rows.forEach(([name, m], i) => console.log(`| ${name} | ${m.wall.toFixed(3)} | ${m.cpu.toFixed(3)} | ${i % 2 === 1 ? `${(m.cpu / rows[i - 1][1].cpu).toFixed(2)}×` : '1'} |`));
