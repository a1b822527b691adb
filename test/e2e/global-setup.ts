/**
 * The e2e tests serve the built app. `npm test` builds first; when they run alone, the renderer is
 * rebuilt here if dist/renderer is missing or older than its sources.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

function newest(folder: string): number {
  let latest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export default function setup(): void {
  const built = statSync(join(root, 'dist/renderer/index.html'), { throwIfNoEntry: false });
  const stale = !built || built.mtimeMs < newest(join(root, 'renderer'));
  // The backend build takes about a second, so it always runs: serve mode must match the sources.
  execFileSync(process.execPath, stale ? ['build/build.mjs'] : ['build/build.mjs', '--backend'], { cwd: root, stdio: 'inherit' });
}
