/** `pilot serve`: the workbench in a browser, for machines without a display (a GPU server) and for tests. */
import { homedir } from 'node:os';
import { rendererDir } from '../locate.js';
import { resolveRoots } from '../serve/confine.js';
import { DEFAULT_MAX_UPLOAD_MB, startServer } from '../serve/server.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';

export const serveCommands: Command[] = [
  {
    name: 'serve',
    usage: '[--port N] [--allow DIR]… [--max-upload MB]',
    summary: `Serve the workbench UI on http://127.0.0.1:N behind a token (default port 4577; 0 picks a free one). Paths in requests must lie in the data folder or an --allow DIR (default: the data folder and your home; never system folders); uploads up to --max-upload MB (default ${DEFAULT_MAX_UPLOAD_MB}).`,
    options: { port: { type: 'string' }, allow: { type: 'string', multiple: true }, 'max-upload': { type: 'string' } },
    args: { min: 0, max: 0 },
    longRunning: true,
    async run(ctx) {
      const port = ctx.flags.port === undefined ? 4577 : Number(ctx.flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${String(ctx.flags.port)}".`);
      const maxUpload = ctx.flags['max-upload'] === undefined ? DEFAULT_MAX_UPLOAD_MB : Number(ctx.flags['max-upload']);
      if (!Number.isFinite(maxUpload) || maxUpload <= 0) throw new UsageError(`--max-upload takes a size in MB greater than 0, not "${String(ctx.flags['max-upload'])}".`);
      const allow = ctx.flags.allow;
      const dirs = Array.isArray(allow) ? allow : typeof allow === 'string' ? [allow] : [homedir()];
      let roots: string[];
      try {
        roots = resolveRoots(dirs, { dataDir: ctx.dataDir });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const app = ctx.app();
      const server = await startServer(app, { port, staticDir: rendererDir(), roots, maxUploadBytes: Math.round(maxUpload * 1024 * 1024) });
      ctx.out(`Pilot Workbench is serving at ${server.url}`);
      ctx.err(`Data: ${app.options.dataDir}. Requests may use files in: ${roots.join(', ')}. Uploads up to ${maxUpload} MB.`);
      ctx.err(`Only this machine can connect; from another, tunnel: ssh -L ${server.port}:127.0.0.1:${server.port} THIS-HOST. Press Ctrl-C to stop.`);
      await new Promise<void>((done) => {
        const stop = () => done();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      ctx.err('Stopping…');
      await server.close();
    },
  },
];
