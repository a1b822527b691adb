/**
 * The desktop's keychain key reaches a real worker and nothing else: with the key only in the
 * (in-test) keychain and encryption at rest on, a real training worker writes weights encrypted
 * with that key, though no key file exists; the key appears neither in the database nor on disk in
 * the clear. Then the real CLI on that data folder says plainly that the key is in the desktop's
 * keychain and what to do, makes no second key, and after Help > Export model key to key file
 * (`exportKeyFile`) predicts with the same model. Electron cannot run here (no binary), so
 * `safeStorage` is an in-test implementation of its interface (test/main/fake-safe-storage.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun } from '../../db/runs.js';
import { listVersions } from '../../db/registry.js';
import { setSetting } from '../../db/settings.js';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../main/contract/index.js';
import { exportKeyFile, loadDesktopKey, startDesktopKey } from '../../main/keychain.js';
import { type ArtifactKey, holdKey, KEY_FILE, readArtifactFile, WRAPPED_KEY_FILE } from '../../workers/trainer/encryption.js';
import { fixture, pilot, tempDir, workerEntry } from '../helpers.js';
import { fakeSafeStorage } from './fake-safe-storage.js';

const { dir, cleanup } = tempDir('pilot-keychain-worker-');
const safe = fakeSafeStorage();
let app: App;
let key: ArtifactKey;

beforeAll(async () => {
  const started = await startDesktopKey(dir, safe, true, 'linux');
  expect(started.info.place).toBe('keychain');
  key = (await loadDesktopKey(dir, safe, 'linux')).key!;
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'desktop', version: 'test', describeKey: async () => (await loadDesktopKey(dir, safe, 'linux')).info });
  setSetting(app.store.write, 'models.encryptAtRest', true, Date.now());
});
afterAll(async () => {
  holdKey(null);
  await app?.close();
  cleanup();
});

async function ok<K extends ChannelName>(name: K, input: ChannelInput<K>): Promise<ChannelOutput<K>> {
  const result = await invoke(app, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as ChannelOutput<K>;
}

/** All bytes under a folder, to look for the key in the clear. */
function allBytes(folder: string): Buffer {
  return Buffer.concat(readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name))));
}

describe('the keychain key and a real worker', () => {
  let versionId = 0;

  it('the worker encrypts the weights with the keychain key, which is nowhere on disk in the clear', async () => {
    expect(existsSync(join(dir, KEY_FILE))).toBe(false);
    const imported = await app.jobs.wait((await ok('datasets:import', { path: fixture('iris.csv') })).id);
    const dataset = imported.result && 'dataset' in imported.result ? imported.result.dataset : null;
    if (!dataset || !('id' in dataset)) throw new Error(`import: ${JSON.stringify(imported.error)}`);
    const project = await ok('pilots:create', { name: 'flowers', kind: 'tabular' });
    const started = await ok('pilots:train', { projectId: project.id, datasetId: dataset.id, target: 'species', epochs: 5, patience: 5, seed: 1 });
    const done = await app.jobs.wait(started.job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');

    const artifactDir = getRun(app.store.read, started.run.id)?.artifactDir;
    if (!artifactDir) throw new Error('the run has no model folder');
    const weights = readFileSync(join(artifactDir, 'weights.bin'));
    expect(weights.subarray(0, 5).toString()).toBe('PWENC');
    expect(weights.subarray(8, 16).toString('hex')).toBe(key.fingerprint);
    // It decrypts with the keychain's key (held by this process, as in the desktop's main process).
    expect((await readArtifactFile(artifactDir, 'weights.bin')).length).toBeGreaterThan(0);

    expect(existsSync(join(dir, KEY_FILE))).toBe(false);
    const everything = allBytes(dir);
    expect(everything.includes(key.key)).toBe(false);
    expect(everything.includes(Buffer.from(key.key.toString('base64')))).toBe(false);
    versionId = listVersions(app.store.read)[0]!.id;

    const where = await ok('models:key', {});
    expect(where).toMatchObject({ place: 'keychain', path: join(dir, WRAPPED_KEY_FILE), fingerprint: key.fingerprint, encryptAtRest: true });
  }, 180_000);

  it('the CLI says the key is in the keychain and what to do, makes no second key, and reads the model after the export', async () => {
    await app.close();
    const out = join(dir, 'predictions.csv');
    const refused = pilot(['predict', String(versionId), fixture('iris.csv'), '--out', out], { dataDir: dir });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("kept in the desktop app's keychain");
    expect(refused.stderr).toContain('Help > Export model key to key file');
    expect(existsSync(out)).toBe(false);

    const on = pilot(['models', 'encryption', 'on'], { dataDir: dir });
    expect(on.code).not.toBe(0);
    expect(on.stderr).toContain('Help > Export model key to key file');
    expect(existsSync(join(dir, KEY_FILE))).toBe(false);

    const written = await exportKeyFile(dir, safe);
    expect(written.fingerprint).toBe(key.fingerprint);
    const predicted = pilot(['predict', String(versionId), fixture('iris.csv'), '--out', out], { dataDir: dir });
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(151);
    const status = JSON.parse(pilot(['models', 'encryption', '--json'], { dataDir: dir }).stdout);
    expect(status).toMatchObject({ on: true, keyFingerprint: key.fingerprint, versions: { encrypted: 1, clear: 0 } });
  }, 180_000);
});
