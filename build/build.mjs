#!/usr/bin/env node
/**
 * Builds the app into dist/: the backend bundles with esbuild (CLI + serve, worker, Electron main,
 * preload) and the renderer with Vite. `--backend` builds only the backend (about a second; the
 * test setup uses it). npm packages stay external: they load from node_modules at run time, so
 * native modules (better-sqlite3) and optional ones (tfjs-node-gpu) are never bundled.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const backendOnly = process.argv.includes('--backend');
const pkg = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8'));

/** `import sql from './x.sql?raw'` (Vite's syntax, which the tests use) as text in esbuild too. */
const rawPlugin = {
  name: 'raw',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.replace(/\?raw$/, '')), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [rawPlugin],
  define: { __PILOT_VERSION__: JSON.stringify(pkg.version) },
};

const started = performance.now();
await Promise.all([
  build({
    ...common,
    format: 'esm',
    // quality-thread: the quality scorer's worker_threads entry (it splits a file across cores).
    // text-thread: the text pilot's second thread (quality and linear baseline beside the network).
    // image-thread: an image pilot's second training thread (workers/image/parallel.ts).
    entryPoints: { cli: 'main/cli/main.ts', worker: 'workers/entry.ts', 'quality-thread': 'workers/quality/thread.ts', 'text-thread': 'workers/text/thread.ts', 'image-thread': 'workers/image/thread.ts', 'electron/main': 'main/electron/main.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    external: ['electron'],
  }),
  // The Kubernetes hand-off package's prediction server: our code in one file; its npm packages
  // (TensorFlow.js, csv-parse) are installed in the container from the package's package.json.
  build({
    ...common,
    format: 'esm',
    entryPoints: { 'predict-server': 'workers/export/serving/standalone.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    sourcemap: false,
  }),
  build({
    ...common,
    format: 'cjs',
    entryPoints: { 'electron/preload': 'main/electron/preload.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  }),
]);
console.error(`backend built in ${(performance.now() - started).toFixed(0)} ms`);

if (!backendOnly) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: resolve(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
  console.error('renderer built');
}
