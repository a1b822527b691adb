/** `pilot db …`: the database file itself. */
import { resolve } from 'node:path';
import { backupStore } from '../../db/store.js';
import type { Command } from './command.js';
import { CliError } from './command.js';

export const dbCommands: Command[] = [
  {
    name: 'db backup',
    usage: 'FILE',
    summary: "Copy the database to FILE with SQLite's online backup (safe while the app runs).",
    args: { min: 1, max: 1 },
    async run(ctx) {
      const app = ctx.app();
      const target = resolve(ctx.args[0]!);
      if (target === resolve(app.store.path)) throw new CliError('The backup file must not be the database itself. Choose another path.');
      try {
        const { pages } = await backupStore(app.store, target);
        if (ctx.json) return ctx.out(JSON.stringify({ file: target, pages }));
        ctx.out(`Backed up ${app.store.path} to ${target} (${pages} pages).`);
      } catch (error) {
        throw new CliError(`Backup to ${target} failed: ${(error as Error).message}. Check that the folder exists, is writable and has free space.`);
      }
    },
  },
];
