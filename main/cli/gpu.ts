/** `pilot gpu …`: point GPU workers at the CUDA 11 libraries tfjs-node-gpu needs, checked by loading them. */
import { pipInstallCommand } from '../../workers/tfjs/gpu-libraries.js';
import { invoke } from '../api/index.js';
import { type Command } from './command.js';
import { call } from './call.js';
import { table } from './format.js';

export const gpuCommands: Command[] = [
  {
    name: 'gpu libraries',
    usage: 'DIR… [--save] [--force] [--json]',
    summary: `Check that the CUDA 11 libraries tfjs-node-gpu needs load from DIR… (e.g. after \`${pipInstallCommand()}\`); --save makes every GPU worker start with them.`,
    options: { save: { type: 'boolean' }, force: { type: 'boolean' } },
    args: { min: 1, max: 16 },
    async run(ctx) {
      const outcome = await call(invoke(ctx.app(), 'gpu:libraries', { dirs: ctx.args, save: ctx.flags['save'] === true, force: ctx.flags['force'] === true }));
      if (ctx.json) return ctx.out(JSON.stringify(outcome));
      ctx.out(table(['LIBRARY', 'WHAT', 'STATUS', 'WHERE'], outcome.libraries.map((lib) => [lib.file, lib.what, lib.loads ? 'loads' : lib.path ? 'does not load' : 'missing', lib.path ?? lib.wheel])));
      ctx.out('');
      ctx.out(outcome.summary);
      if (outcome.saved) ctx.out(`Saved: GPU workers start with ${outcome.dirs.join(', ')} on the library path. Run \`pilot hardware\` to see the GPU backend.`);
      else if (outcome.complete) ctx.out('Run again with --save to use them.');
    },
  },
  {
    name: 'gpu clear',
    usage: '',
    summary: 'Forget the saved GPU library folders.',
    args: { min: 0, max: 0 },
    async run(ctx) {
      const outcome = await call(invoke(ctx.app(), 'gpu:clear', {}));
      if (ctx.json) return ctx.out(JSON.stringify(outcome));
      ctx.out('GPU workers now start with the system library path only.');
    },
  },
];
