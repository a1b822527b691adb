/**
 * Bundles and encryption at rest, between installations with their own keys (three data folders,
 * real workers, real AES-GCM): installation A (encryption on) trains a tabular and an anomaly
 * model and exports them; the bundles are in the clear and signed. B (no key, encryption off)
 * imports them in the clear; C (encryption on, its own key) stores them encrypted with its key. All
 * three hold the same weights and predict the same. Then `pilot models encryption on --existing`
 * (a real CLI process) encrypts B's versions, finishing one a crash left half-swapped and reporting
 * one whose folder is gone, and `off --existing` decrypts them back to the very same bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../main/contract/index.js';
import { getModelVersion } from '../../db/models.js';
import { getRun } from '../../db/runs.js';
import { setSetting } from '../../db/settings.js';
import { predictAnomalies } from '../../workers/anomaly/predict.js';
import { verifyArtifact } from '../../workers/trainer/artifact.js';
import { createKeyFile, readArtifactFile } from '../../workers/trainer/encryption.js';
import { predictFile } from '../../workers/trainer/predict.js';
import { fixture, pilot, tempDir, workerEntry } from '../helpers.js';

const folders = tempDir('pilot-import-enc-');
const home = (name: string) => join(folders.dir, name);
const apps = new Map<string, App>();
const open = (name: string) => {
  const app = createApp({ dataDir: home(name), workerPath: workerEntry, mode: 'cli', version: 'test' });
  apps.set(name, app);
  return app;
};
afterAll(async () => {
  for (const app of apps.values()) await app.close();
  folders.cleanup();
});

async function ok<K extends ChannelName>(app: App, name: K, input: ChannelInput<K>): Promise<ChannelOutput<K>> {
  const result = await invoke(app, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as ChannelOutput<K>;
}

async function importFile(app: App, path: string): Promise<number> {
  const done = await app.jobs.wait((await ok(app, 'datasets:import', { path })).id);
  const dataset = done.result && 'dataset' in done.result ? done.result.dataset : null;
  if (!dataset || !('id' in dataset)) throw new Error(`import of ${path}: ${JSON.stringify(done.error)}`);
  return dataset.id;
}

async function trained(app: App, jobId: number, runId: number): Promise<{ artifactDir: string; versionId: number }> {
  const done = await app.jobs.wait(jobId);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  const run = getRun(app.store.read, runId);
  const version = app.store.read.prepare('SELECT id FROM model_versions WHERE run_id = ?').get(runId) as { id: number } | undefined;
  if (!run?.artifactDir || !version) throw new Error(`run ${runId} registered no version`);
  return { artifactDir: run.artifactDir, versionId: version.id };
}

let outputs = 0;
async function predicted(kind: 'tabular' | 'anomaly', artifactDir: string): Promise<string> {
  const out = join(folders.dir, `predicted-${++outputs}.csv`);
  if (kind === 'tabular') await predictFile(artifactDir, fixture('iris.csv'), out);
  else await predictAnomalies(artifactDir, fixture('anomaly/breast_cancer_anomaly.csv'), out);
  return readFileSync(out, 'utf8');
}

/** No 8-byte window of `plain` (all-zero ones skipped) appears in the file on disk, which starts with the encryption magic. */
function expectEncrypted(plain: Buffer, onDisk: Buffer): void {
  expect(onDisk.subarray(0, 5).toString()).toBe('PWENC');
  // Every window of a small file; about 200 spread over a large one.
  const step = plain.length < 4096 ? 1 : Math.floor(plain.length / 200 / 4) * 4;
  let checked = 0;
  for (let i = 0; i + 8 <= plain.length; i += step) {
    const window = plain.subarray(i, i + 8);
    if (window.every((b) => b === 0)) continue;
    checked++;
    expect(onDisk.includes(window)).toBe(false);
  }
  expect(checked).toBeGreaterThan(Math.min(20, plain.length / 16));
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const weightsOf = (dir: string) => readFileSync(join(dir, 'weights.bin'));

interface Model {
  kind: 'tabular' | 'anomaly';
  /** A's version: encrypted with A's key. */
  a: { artifactDir: string; versionId: number };
  plain: Buffer;
  predictions: string;
  bundle: string;
}
const models: Model[] = [];
const fingerprints = new Map<string, string>();

beforeAll(async () => {
  for (const name of ['a', 'c']) fingerprints.set(name, (await createKeyFile(home(name))).key.fingerprint);
  const a = open('a');
  setSetting(a.store.write, 'models.encryptAtRest', true, Date.now());
  const iris = await importFile(a, fixture('iris.csv'));
  const project = await ok(a, 'pilots:create', { name: 'flowers' });
  const tab = await ok(a, 'pilots:train', { projectId: project.id, datasetId: iris, target: 'species', epochs: 20, seed: 2 });
  const tumours = await importFile(a, fixture('anomaly/breast_cancer_anomaly.csv'));
  const anomaly = await ok(a, 'anomaly:train', { datasetId: tumours, project: 'unusual tumours', label: 'diagnosis', normal: 'benign', epochs: 4 });
  for (const [kind, started] of [['tabular', { jobId: tab.job.id, runId: tab.run.id }], ['anomaly', { jobId: anomaly.job.id, runId: anomaly.runId }]] as const) {
    const version = await trained(a, started.jobId, started.runId);
    const plain = await readArtifactFile(version.artifactDir, 'weights.bin');
    expectEncrypted(plain, weightsOf(version.artifactDir));
    const written = await ok(a, 'models:export', { ref: version.versionId, path: join(folders.dir, `${kind}.pilot`), format: 'bundle' });
    if (written.format !== 'bundle') throw new Error('not a bundle');
    models.push({ kind, a: version, plain, predictions: await predicted(kind, version.artifactDir), bundle: written.path });
  }
}, 400_000);

describe.each(['tabular', 'anomaly'] as const)('an encrypted %s version exported and imported elsewhere', (kind) => {
  const model = () => models.find((m) => m.kind === kind)!;

  it('leaves as a signed bundle in the clear', () => {
    const bytes = readFileSync(model().bundle);
    expect(bytes.includes(Buffer.from('PWENC'))).toBe(false);
    expect(bytes.includes(model().plain.subarray(0, 64))).toBe(true);
    // The manifest line (after the magic line) ends with its signature.
    const manifestEnd = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1);
    expect(bytes.toString('utf8', 0, manifestEnd)).toMatch(/"signature":\{[^}]*"publicKey"/);
  });

  it('is stored in the clear by an installation without encryption, and predicts the same', async () => {
    const b = apps.get('b') ?? open('b');
    const imported = await ok(b, 'models:import', { path: model().bundle, reason: 'from A' });
    expect(imported).toMatchObject({ encryptedAtRest: false, signer: { status: 'unknown-signer' } });
    expect(weightsOf(imported.artifactDir).equals(model().plain)).toBe(true);
    expect(imported.artifactSha256).toBe(sha256(readFileSync(join(imported.artifactDir, 'checksums.json'))));
    expect(await predicted(kind, imported.artifactDir)).toBe(model().predictions);
  }, 120_000);

  it('is stored encrypted with its own key by an installation with encryption on, and predicts the same', async () => {
    const c = apps.get('c') ?? open('c');
    setSetting(c.store.write, 'models.encryptAtRest', true, Date.now());
    const imported = await ok(c, 'models:import', { path: model().bundle, reason: 'from A' });
    expect(imported.encryptedAtRest).toBe(true);
    expectEncrypted(model().plain, weightsOf(imported.artifactDir));
    const metadata = JSON.parse(readFileSync(join(imported.artifactDir, 'metadata.json'), 'utf8')) as { encryption?: { keyFingerprint?: string } };
    expect(metadata.encryption?.keyFingerprint).toBe(fingerprints.get('c'));
    expect(fingerprints.get('c')).not.toBe(fingerprints.get('a'));
    await verifyArtifact(imported.artifactDir);
    expect(imported.artifactSha256).toBe(sha256(readFileSync(join(imported.artifactDir, 'checksums.json'))));
    expect((await readArtifactFile(imported.artifactDir, 'weights.bin')).equals(model().plain)).toBe(true);
    expect(await predicted(kind, imported.artifactDir)).toBe(model().predictions);
  }, 120_000);
});

describe('pilot models encryption on|off --existing', () => {
  it('encrypts every version of B atomically, finishes one a crash left half-swapped, reports a missing one, and decrypts them back', async () => {
    const b = apps.get('b')!;
    // A third version, whose folder is then removed: it is reported, and the others go on.
    const extra = await ok(b, 'models:import', { path: models[0]!.bundle, reason: 'to be lost' });
    const versions = [1, 2].map((n) => b.store.read.prepare('SELECT id, artifact_dir AS dir FROM model_versions WHERE id = ?').get(n) as { id: number; dir: string });
    await b.close();
    apps.delete('b');
    rmSync(extra.artifactDir, { recursive: true });
    // As if a rewrite had crashed between its two renames: the folder is only in its ".recrypt-old" place.
    renameSync(versions[1]!.dir, `${versions[1]!.dir}.recrypt-old`);
    const clear = versions.map((v) => (v.id === versions[1]!.id ? weightsOf(`${v.dir}.recrypt-old`) : weightsOf(v.dir)));

    const on = pilot(['models', 'encryption', 'on', '--existing', '--json'], { dataDir: home('b') });
    expect(on.code, on.stderr).toBe(1);
    expect(on.stderr).toMatch(/1 version could not be encrypted/);
    const state = JSON.parse(on.stdout) as { on: boolean; keyFingerprint: string; recrypted: { id: number; status: string; message: string | null }[]; versions: { encrypted: number; clear: number; missing: number } };
    expect(state.on).toBe(true);
    expect(state.recrypted.map((v) => [v.id, v.status]).sort()).toEqual([[1, 'encrypted'], [2, 'encrypted'], [extra.id, 'failed']]);
    expect(state.recrypted.find((v) => v.id === extra.id)?.message).toEqual(expect.any(String));
    expect(state.versions).toEqual({ encrypted: 2, clear: 0, missing: 1 });

    const db = createApp({ dataDir: home('b'), workerPath: workerEntry, mode: 'cli', version: 'test' });
    apps.set('b', db);
    for (const [i, v] of versions.entries()) {
      expect(existsSync(`${v.dir}.recrypt-old`)).toBe(false);
      expect(existsSync(`${v.dir}.recrypt-new`)).toBe(false);
      expectEncrypted(clear[i]!, weightsOf(v.dir));
      await verifyArtifact(v.dir);
      expect((await readArtifactFile(v.dir, 'weights.bin')).equals(clear[i]!)).toBe(true);
      expect(getModelVersion(db.store.read, v.id)?.artifactSha256).toBe(sha256(readFileSync(join(v.dir, 'checksums.json'))));
    }
    expect(await predicted('tabular', versions[0]!.dir)).toBe(models[0]!.predictions);
    expect(await predicted('anomaly', versions[1]!.dir)).toBe(models[1]!.predictions);

    // Again: nothing left to do, nothing rewritten.
    const before = weightsOf(versions[0]!.dir);
    const again = JSON.parse(pilot(['models', 'encryption', 'on', '--existing', '--json'], { dataDir: home('b') }).stdout) as typeof state;
    expect(again.recrypted.filter((v) => v.id !== extra.id).map((v) => v.status)).toEqual(['unchanged', 'unchanged']);
    expect(weightsOf(versions[0]!.dir).equals(before)).toBe(true);

    const off = pilot(['models', 'encryption', 'off', '--existing'], { dataDir: home('b') });
    expect(off.code).toBe(1);
    expect(off.stdout).toMatch(/2 decrypted now, 0 already in the clear, 1 failed/);
    for (const [i, v] of versions.entries()) {
      expect(weightsOf(v.dir).equals(clear[i]!)).toBe(true);
      expect(JSON.parse(readFileSync(join(v.dir, 'metadata.json'), 'utf8')).encryption).toBeUndefined();
      await verifyArtifact(v.dir);
      expect(getModelVersion(db.store.read, v.id)?.artifactSha256).toBe(sha256(readFileSync(join(v.dir, 'checksums.json'))));
    }
  }, 240_000);

  it('says what happens to existing versions when turned on or off without --existing', () => {
    const on = pilot(['models', 'encryption', 'on'], { dataDir: home('c') });
    expect(on.stdout).toMatch(/Registered versions: 2 encrypted, 0 in the clear/);
    const off = pilot(['models', 'encryption', 'off'], { dataDir: home('c') });
    expect(off.stdout).toMatch(/The 2 encrypted versions stay encrypted and readable with this key .*run `pilot models encryption off --existing` to decrypt them/);
   }, 240_000);
});
