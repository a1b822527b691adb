/** `pilot models publish | unpublish | publications`: the prediction service's keys from a terminal. */
import { invoke } from '../api/index.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { call } from './call.js';
import { table, time } from './format.js';

const ms = (v: number | null) => (v === null ? '—' : v.toFixed(1));

export const servingCommands: Command[] = [
  {
    name: 'models publish',
    usage: 'VERSION [--json]',
    summary: 'Publish PROJECT@production (follows the stage), PROJECT@alias or PROJECT@N for predictions over HTTP; prints a new API key once.',
    args: { min: 1, max: 1 },
    async run(ctx) {
      const ref = /^\d+$/.test(ctx.args[0]!) ? Number(ctx.args[0]) : ctx.args[0]!;
      const published = await call(invoke(ctx.app(), 'serving:publish', { ref }));
      if (ctx.json) return ctx.out(JSON.stringify(published, null, 2));
      ctx.out(`Published ${published.publication.projectName}/${published.publication.selector} (publication ${published.publication.id}).`);
      ctx.out(`API key (shown once, store it now): ${published.key}`);
      ctx.out(`With pilot serve running: curl -s http://127.0.0.1:4577${published.path} -H "Authorization: Bearer $KEY" -H 'content-type: application/json' -d '{"rows": [{…}]}'`);
    },
  },
  {
    name: 'models unpublish',
    usage: 'PUBLICATION_ID [--json]',
    summary: 'Revoke a publication\u2019s API key (its next request gets 403).',
    args: { min: 1, max: 1 },
    async run(ctx) {
      const id = Number(ctx.args[0]);
      if (!Number.isInteger(id) || id <= 0) throw new UsageError('Give the publication id (pilot models publications lists them).');
      const publication = await call(invoke(ctx.app(), 'serving:unpublish', { id }));
      if (ctx.json) return ctx.out(JSON.stringify(publication, null, 2));
      ctx.out(`Revoked the key ${publication.keyPrefix}… of ${publication.projectName}/${publication.selector}.`);
    },
  },
  {
    name: 'models publications',
    usage: '[PROJECT] [--json]',
    summary: 'Publications with their keys\u2019 prefixes and the request figures of the version each answers with now.',
    args: { min: 0, max: 1 },
    async run(ctx) {
      const list = await call(invoke(ctx.app(), 'serving:list', ctx.args[0] === undefined ? {} : { project: ctx.args[0] }));
      if (ctx.json) return ctx.out(JSON.stringify(list, null, 2));
      if (list.length === 0) return ctx.out('Nothing is published. Publish a version with pilot models publish PROJECT@production.');
      ctx.out(
        table(
          ['ID', 'PUBLISHES', 'KEY', 'STATUS', 'VERSION', 'REQUESTS', 'ERRORS', 'P50 MS', 'P99 MS', 'UNSEEN', 'CREATED'],
          list.map((p) => [
            p.publication.id,
            p.path,
            `${p.publication.keyPrefix}…`,
            p.publication.revokedAt === null ? 'active' : `revoked ${time(p.publication.revokedAt)}`,
            p.version === null ? '—' : `v${p.version}`,
            p.stats?.requests ?? 0,
            p.stats ? `${(p.stats.errorRate * 100).toFixed(1)} %` : '—',
            ms(p.stats?.p50Ms ?? null),
            ms(p.stats?.p99Ms ?? null),
            p.stats ? `${(p.stats.unseenShare * 100).toFixed(1)} %` : '—',
            time(p.publication.createdAt),
          ]),
        ),
      );
    },
  },
];
