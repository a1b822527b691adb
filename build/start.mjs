#!/usr/bin/env node
/**
 * `npm start`: opens the desktop app. The electron package (42+) installs without its binary and
 * downloads it on first launch; where that cannot happen (offline), say so plainly and start serve
 * mode instead, which prints a URL to open in a browser.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(root, 'node_modules', 'electron');

function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function tryDownload() {
  if (!existsSync(join(electronDir, 'install.js'))) return false;
  console.error('Downloading the Electron binary (first start only)…');
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    const why = `${result.stderr ?? ''}`.split('\n').find((line) => /error|failed/i.test(line)) ?? 'no answer';
    console.error(`Download failed: ${why.trim()}`);
  }
  return result.status === 0;
}

function serveInstead(reason) {
  console.error(`\nThe desktop window cannot open: ${reason}`);
  console.error('Starting the workbench in serve mode instead. Open the URL below in a browser on this machine (Ctrl-C stops it).\n');
  const child = spawn(process.execPath, [join(root, 'bin', 'pilot.js'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

let binary = electronBinary();
if (!binary && tryDownload()) binary = electronBinary();
if (!binary) {
  serveInstead('the Electron binary is not installed and could not be downloaded (this machine seems to be offline). Run `npx install-electron` once you are online to get the window.');
} else {
  const binding = join(root, 'build', 'native', 'electron', 'better_sqlite3.node');
  if (!existsSync(binding)) {
    serveInstead('the database module has not been built for Electron yet. Run `npm run rebuild:electron` (needs the internet once), then `npm start`.');
  } else {
    const child = spawn(binary, [root], { stdio: 'inherit', env: { ...process.env, PILOT_SQLITE_BINDING: binding } });
    child.on('exit', (code) => process.exit(code ?? 0));
  }
}
