/** The one door into the backend: malformed calls get a clear `{ ok: false, error }`, never a crash. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import { fixture, tempDir, workerEntry } from '../helpers.js';

let app: App;
const { dir, cleanup } = tempDir();
beforeAll(() => {
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'cli', version: 'test' });
});
afterAll(async () => {
  await app.close();
  cleanup();
});

describe('invoke', () => {
  it('refuses an unknown channel', async () => {
    expect(await invoke(app, 'datasets:drop-all', {})).toEqual({ ok: false, error: expect.objectContaining({ code: 'unknown-channel' }) });
  });

  it.each([
    ['a missing field', {}, /datasets:import: path: Give the path of a CSV or TSV file\./],
    ['a wrong type', { path: 42 }, /datasets:import: path: Give the path of a CSV or TSV file\./],
    ['an empty path', { path: '   ' }, /Give the path/],
    ['an unexpected field', { path: 'a.csv', rm: true }, /unexpected field rm/],
    ['not an object', 'adult.csv', /datasets:import: .+/],
    ['null', null, /datasets:import: path/],
  ])('refuses %s with a message that names the field', async (_name, input, message) => {
    const result = await invoke(app, 'datasets:import', input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid-input');
      expect(result.error.message).toMatch(message);
    }
  });

  it('answers not-found for a dataset that does not exist', async () => {
    const result = await invoke(app, 'datasets:check', { id: 999 });
    expect(result).toEqual({ ok: false, error: { code: 'not-found', message: 'Dataset 999 does not exist. List datasets to see their ids.' } });
  });

  it('validates setting values against their own schema', async () => {
    const bad = await invoke(app, 'settings:set', { key: 'jobs.cpuSlots', value: 0 });
    expect(bad.ok).toBe(false);
    const unknown = await invoke(app, 'settings:set', { key: 'evil', value: 1 });
    expect(unknown.ok).toBe(false);
    const good = await invoke(app, 'settings:set', { key: 'jobs.cpuSlots', value: 3 });
    expect(good).toEqual({ ok: true, value: { 'jobs.cpuSlots': 3 } });
    expect(app.jobs.cpuSlots).toBe(3);
  });

  it('imports through the job and notices when the file changes afterwards', async () => {
    const { writeFileSync, copyFileSync, appendFileSync } = await import('node:fs');
    const path = `${dir}/copy.csv`;
    copyFileSync(fixture('iris.csv'), path);
    const queued = await invoke(app, 'datasets:import', { path });
    if (!queued.ok) throw new Error(queued.error.message);
    const job = await app.jobs.wait(queued.value.id);
    expect(job.status).toBe('succeeded');
    const list = await invoke(app, 'datasets:list', {});
    if (!list.ok) throw new Error(list.error.message);
    const dataset = list.value.find((d) => d.path === path)!;
    expect(dataset.rowCount).toBe(150);

    const same = await invoke(app, 'datasets:check', { id: dataset.id });
    expect(same.ok && same.value.status).toBe('unchanged');
    appendFileSync(path, '5.0,3.0,1.0,0.2,Iris-setosa\n');
    const changed = await invoke(app, 'datasets:check', { id: dataset.id });
    expect(changed.ok && changed.value.status).toBe('changed');
    expect(changed.ok && changed.value.message).toMatch(/changed since it was imported/);
    writeFileSync(path, '');
    const { rmSync } = await import('node:fs');
    rmSync(path);
    const missing = await invoke(app, 'datasets:check', { id: dataset.id });
    expect(missing.ok && missing.value.status).toBe('missing');
  });
});
