#!/usr/bin/env node
// The `pilot` command: runs the built CLI. Build it first with `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('pilot: the workbench is not built yet. Run `npm run build` in its folder, then try again.');
  process.exit(1);
}
await import(cli.href);
