/** Handlers about the app itself: info, jobs, settings. */
import type { appChannels } from '../contract/app.js';
import { allSettings, setSetting } from '../../db/settings.js';
import { AppError, notFound } from '../errors.js';
import { settingSchemas } from '../contract/app.js';
import { databasePath } from '../paths.js';
import type { HandlersOf } from './types.js';

export const appHandlers: HandlersOf<typeof appChannels> = {
  'app:info': (_input, app) => ({
    name: 'Pilot Workbench',
    version: app.options.version,
    mode: app.options.mode === 'desktop' ? 'desktop' : 'serve',
    dataDir: app.options.dataDir,
    databasePath: databasePath(app.options.dataDir),
    platform: process.platform,
    arch: process.arch,
    nodeVersion: process.versions.node,
    electronVersion: app.options.electronVersion ?? null,
  }),
  'jobs:list': (input, app) => app.jobs.list({ limit: input.limit }),
  'jobs:get': (input, app) => {
    const job = app.jobs.get(input.id);
    if (!job) throw notFound(`Job ${input.id}`, 'List jobs to see their ids.');
    return job;
  },
  'jobs:cancel': (input, app) => {
    if (!app.jobs.get(input.id)) throw notFound(`Job ${input.id}`, 'List jobs to see their ids.');
    return app.jobs.cancel(input.id);
  },
  'jobs:selftest': (input, app) => app.jobs.submit({ kind: 'test.sleep', title: 'Self-test', input }),
  'settings:get': (_input, app) => allSettings(app.store.read),
  'settings:set': (input, app) => {
    const parsed = settingSchemas[input.key].safeParse(input.value);
    if (!parsed.success) throw new AppError('invalid-input', `settings:set: ${input.key}: ${parsed.error.issues[0]?.message ?? 'invalid value'}.`);
    setSetting(app.store.write, input.key, parsed.data, Date.now());
    if (input.key === 'jobs.cpuSlots') app.jobs.cpuSlots = parsed.data as number;
    return allSettings(app.store.read);
  },
};
