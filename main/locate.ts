/**
 * Finds the app's own files (dist/worker.js, dist/renderer) from wherever this code runs: the
 * TypeScript sources under Vitest, the esbuild bundle (whose chunks live in dist/chunks), or an
 * Electron asar. It walks up to the package.json named pilot-workbench.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'pilot-workbench') return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the Pilot Workbench package folder (package.json).');
    dir = parent;
  }
}

export const distPath = (...parts: string[]) => join(packageRoot(), 'dist', ...parts);
/** Child processes need a real file: in a packaged app the worker lives in app.asar.unpacked. */
export const workerPath = () => distPath('worker.js').replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
export const rendererDir = () => distPath('renderer');
