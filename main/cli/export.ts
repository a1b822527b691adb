/** `pilot models card` and `pilot models package`: a version's model card, and hand-off packages for other serving engines. */
import { invoke } from '../api/index.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { call } from './call.js';
import { bytes } from './format.js';

const TARGETS = ['triton', 'kserve', 'kubernetes', 'mlflow'] as const;
type Target = (typeof TARGETS)[number];
const isTarget = (value: unknown): value is Target => typeof value === 'string' && (TARGETS as readonly string[]).includes(value);

export const exportCommands: Command[] = [
  {
    name: 'models card',
    usage: 'VERSION (--html FILE | --md FILE) [--json]',
    summary: 'Write the model card: intended use, data and quality, metrics with intervals, fairness, limitations, lineage, stage history.',
    args: { min: 1, max: 1 },
    options: { html: { type: 'string' }, md: { type: 'string' } },
    async run(ctx) {
      const { html, md } = ctx.flags;
      if ((typeof html === 'string') === (typeof md === 'string')) throw new UsageError('Give one of --html FILE or --md FILE.');
      const format = typeof html === 'string' ? 'html' : 'md';
      const written = await call(invoke(ctx.app(), 'models:card', { ref: ctx.args[0]!, format, path: String(html ?? md) }));
      if (ctx.json) return ctx.out(JSON.stringify(written, null, 2));
      ctx.out(`Wrote the model card to ${written.path} (${format === 'html' ? 'HTML' : 'Markdown'}, ${bytes(written.bytes)}).`);
    },
  },
  {
    name: 'models package',
    usage: `VERSION --for ${TARGETS.join('|')} --out DIR [--json]`,
    summary: 'Write a ready-to-apply folder for another serving engine (new folder, with a README of the commands to run there).',
    args: { min: 1, max: 1 },
    options: { for: { type: 'string' }, out: { type: 'string' } },
    async run(ctx) {
      const target = ctx.flags.for;
      if (!isTarget(target)) throw new UsageError(`--for is one of ${TARGETS.join(', ')}.`);
      if (typeof ctx.flags.out !== 'string') throw new UsageError('Give the new folder with --out DIR.');
      const written = await call(invoke(ctx.app(), 'models:package', { ref: ctx.args[0]!, target, path: ctx.flags.out }));
      if (ctx.json) return ctx.out(JSON.stringify(written, null, 2));
      ctx.out(`Wrote the ${target} package to ${written.path}/ (${written.files.length} files, ${bytes(written.bytes)}); its README.md says what to run there.`);
    },
  },
];
