/**
 * Cost of the embedding drift test (workers/image/mmd.ts): the MMD² with a Gaussian kernel and 500
 * permutations on n reference + n current points of 16 dimensions (the stored principal components),
 * for n = 250, 500, 1,000 (1,000 + 1,000 is the largest check), against the same computation in numpy
 * (/usr/bin/python3, one kernel matrix, index sums per permutation) in the same run. Prints CPU-seconds
 * (process.cpuUsage / resource.getrusage), wall time, the ratio, the machine and its load.
 * Run: node bench/embedding-mmd.mjs
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
await build({ entryPoints: [join(root, 'workers/image/mmd.ts')], bundle: true, platform: 'node', format: 'esm', outfile: join(out, 'mmd-bundle.mjs'), logLevel: 'warning' });
const { mmdTest } = await import(join(out, 'mmd-bundle.mjs'));

function gaussian(n, d, seed, shift) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()) + (j === 0 ? shift : 0)));
}

const PY = `
import json, resource, sys, time
import numpy as np
from scipy.spatial.distance import pdist, squareform
d = json.load(open(sys.argv[1]))
a, b, P = np.array(d['a']), np.array(d['b']), d['P']
c0 = resource.getrusage(resource.RUSAGE_SELF); w0 = time.time()
pooled = np.vstack([a, b]); dist = pdist(pooled); s = np.median(dist)
K = np.exp(-squareform(dist) ** 2 / (2 * s * s)).astype(np.float32)
n, m = len(a), len(b)
def mmd(ix, iy):
    return (K[np.ix_(ix, ix)].sum() - n) / (n * (n - 1)) + (K[np.ix_(iy, iy)].sum() - m) / (m * (m - 1)) - 2 * K[np.ix_(ix, iy)].mean()
o = np.arange(n + m); stat = mmd(o[:n], o[n:]); rng = np.random.default_rng(0); hits = 0
for _ in range(P):
    p = rng.permutation(n + m)
    hits += mmd(p[:n], p[n:]) >= stat
c1 = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({'cpu': c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime, 'wall': time.time() - w0, 'p': (1 + int(hits)) / (1 + P), 'stat': float(stat)}))
`;
writeFileSync(join(out, 'mmd_numpy.py'), PY);

console.log(`machine: ${cpus()[0]?.model} × ${cpus().length}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| n + m | JS CPU-s | JS wall s | numpy CPU-s | numpy wall s | JS ÷ numpy CPU | MMD² JS / numpy | p JS / numpy |');
console.log('|---|---|---|---|---|---|---|---|');
for (const n of [250, 500, 1000]) {
  const a = gaussian(n, 16, 1, 0);
  const b = gaussian(n, 16, 2, 0.2);
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const js = mmdTest(a, b, 500, 42);
  const c = process.cpuUsage(c0);
  const jsCpu = (c.user + c.system) / 1e6;
  const jsWall = (performance.now() - w0) / 1000;
  const file = join(out, `mmd-${n}.json`);
  writeFileSync(file, JSON.stringify({ a, b, P: 500 }));
  const py = JSON.parse(execFileSync('/usr/bin/python3', [join(out, 'mmd_numpy.py'), file], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } }));
  console.log(`| ${n} + ${n} | ${jsCpu.toFixed(2)} | ${jsWall.toFixed(2)} | ${py.cpu.toFixed(2)} | ${py.wall.toFixed(2)} | ${(jsCpu / py.cpu).toFixed(2)} | ${js.statistic.toFixed(6)} / ${py.stat.toFixed(6)} | ${js.pValue.toFixed(3)} / ${py.p.toFixed(3)} |`);
}
