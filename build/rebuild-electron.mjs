#!/usr/bin/env node
/**
 * Builds better-sqlite3 for Electron's ABI into build/native/electron/, apart from the Node build
 * in node_modules that the CLI and the tests use: both work from one checkout, in either order.
 * The main process passes this file to better-sqlite3's `nativeBinding` option. Needs the internet
 * (Electron's headers); it cannot run on an offline machine.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronVersion = require('electron/package.json').version;
const work = mkdtempSync(join(tmpdir(), 'pilot-sqlite-'));
try {
  cpSync(join(root, 'node_modules', 'better-sqlite3'), join(work, 'better-sqlite3'), { recursive: true });
  execFileSync('npx', ['--yes', 'node-gyp', 'rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers', '--runtime=electron'], {
    cwd: join(work, 'better-sqlite3'),
    stdio: 'inherit',
  });
  const target = join(root, 'build', 'native', 'electron', 'better_sqlite3.node');
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(work, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), target);
  console.log(`Built ${target} for Electron ${electronVersion}.`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
