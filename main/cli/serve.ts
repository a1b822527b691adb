/** `pilot serve`: the workbench in a browser, for machines without a display (a GPU server) and for tests. */
import { rendererDir } from '../locate.js';
import { startServer } from '../serve/server.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';

export const serveCommands: Command[] = [
  {
    name: 'serve',
    usage: '[--port N]',
    summary: 'Serve the workbench UI on http://127.0.0.1:N behind a token (default port 4577; 0 picks a free one).',
    options: { port: { type: 'string' } },
    args: { min: 0, max: 0 },
    longRunning: true,
    async run(ctx) {
      const port = ctx.flags.port === undefined ? 4577 : Number(ctx.flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${String(ctx.flags.port)}".`);
      const app = ctx.app();
      const server = await startServer(app, { port, staticDir: rendererDir() });
      ctx.out(`Pilot Workbench is serving at ${server.url}`);
      ctx.err(`Data: ${app.options.dataDir}. Only this machine can connect; from another, tunnel: ssh -L ${server.port}:127.0.0.1:${server.port} THIS-HOST. Press Ctrl-C to stop.`);
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
