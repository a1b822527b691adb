/**
 * A resumed run keeps its weights encrypted at rest, for every pilot kind. Each kind trains once in
 * the clear (encryption off) to completion as the reference; then, with `models.encryptAtRest` on,
 * the same settings train again through the kind's own channel, the worker is killed (SIGKILL) once
 * a checkpoint is on disk, and `pilots:resume` continues the run. The resumed model's weights on
 * disk are encrypted (no 8-byte window of the clear weights appears in them), decrypt to exactly
 * the reference's weights, and predict exactly what the reference predicts; the checkpoint the
 * killed run left is encrypted too (it holds the weights). One run starts with
 * encryption off and is resumed after it was turned on: the resume encrypts too. Real worker
 * processes, real kills, real AES-GCM.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../main/contract/index.js';
import { getRun, getRunParams } from '../../db/runs.js';
import { setSetting } from '../../db/settings.js';
import { predictAnomalies } from '../../workers/anomaly/predict.js';
import { predictForecast } from '../../workers/forecast/predict.js';
import { predictImages } from '../../workers/image/predict.js';
import { predictTexts } from '../../workers/text/predict.js';
import { predictFile } from '../../workers/trainer/predict.js';
import { createKeyFile, readArtifactFile } from '../../workers/trainer/encryption.js';
import { hourlyCounts, writeCsv } from '../workers/forecast/helpers.js';
import { fixture, tempDir, workerEntry } from '../helpers.js';

let app: App;
const { dir, cleanup } = tempDir('pilot-resume-enc-');
const scratch = tempDir('pilot-resume-enc-out-');
let fingerprint = '';

beforeAll(async () => {
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'cli', version: 'test' });
  fingerprint = (await createKeyFile(dir)).key.fingerprint;
});
afterAll(async () => {
  await app.close();
  cleanup();
  scratch.cleanup();
});

async function ok<K extends ChannelName>(name: K, input: ChannelInput<K>): Promise<ChannelOutput<K>> {
  const result = await invoke(app, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as ChannelOutput<K>;
}

const encryption = (on: boolean) => setSetting(app.store.write, 'models.encryptAtRest', on, Date.now());

async function importFile(path: string): Promise<number> {
  const job = await ok('datasets:import', { path });
  const done = await app.jobs.wait(job.id);
  const dataset = done.result && 'dataset' in done.result ? done.result.dataset : null;
  if (!dataset || !('id' in dataset)) throw new Error(`import of ${path}: ${JSON.stringify(done.error)}`);
  return dataset.id;
}

/** A small picture folder: 12 training and 4 test pictures of three Fashion-MNIST classes. */
function smallImages(): string {
  const source = fixture('fashion-mnist-small');
  const target = join(scratch.dir, 'pictures');
  for (const part of ['train', 'test']) {
    for (const cls of ['bag', 'sneaker', 'trouser']) {
      for (const file of readdirSync(join(source, part, cls)).sort().slice(0, part === 'train' ? 12 : 4)) {
        mkdirSync(join(target, part, cls), { recursive: true });
        cpSync(join(source, part, cls, file), join(target, part, cls, file));
      }
    }
  }
  return target;
}

let outputs = 0;
async function predicted(run: (out: string) => Promise<unknown>): Promise<string> {
  const out = join(scratch.dir, `predicted-${++outputs}.csv`);
  await run(out);
  return readFileSync(out, 'utf8');
}

interface Kind {
  name: string;
  /** Starts a run through the kind's own channel, with the same settings each time. */
  start: () => Promise<{ jobId: number; runId: number }>;
  predict: (artifactDir: string) => Promise<string>;
}

const forecastFile = writeCsv(['time', 'calls'], hourlyCounts(24 * 7 * 4));
const ids = new Map<string, number>();
async function projectId(name: string, kind: 'tabular' | 'image' | 'text' | 'anomaly' | 'forecast'): Promise<number> {
  if (!ids.has(name)) ids.set(name, (await ok('pilots:create', { name, kind })).id);
  return ids.get(name)!;
}
async function datasetId(path: string): Promise<number> {
  if (!ids.has(path)) ids.set(path, await importFile(path));
  return ids.get(path)!;
}

const kinds: Kind[] = [
  {
    name: 'tabular',
    start: async () => {
      const id = await datasetId(fixture('iris.csv'));
      const started = await ok('pilots:train', { projectId: await projectId('flowers', 'tabular'), datasetId: id, target: 'species', epochs: 60, patience: 60, seed: 3 });
      return { jobId: started.job.id, runId: started.run.id };
    },
    predict: (artifactDir) => predicted((out) => predictFile(artifactDir, fixture('iris.csv'), out)),
  },
  {
    name: 'image',
    start: async () => {
      const started = await ok('image:train', { projectId: await projectId('pictures', 'image'), source: pictures, epochs: 5, patience: 5, augment: false, seed: 3, backend: 'wasm' });
      return { jobId: started.job.id, runId: started.run.id };
    },
    predict: (artifactDir) => predicted((out) => predictImages(artifactDir, join(pictures, 'test'), out)),
  },
  {
    name: 'text',
    start: async () => {
      const started = await ok('text:train', { projectId: await projectId('spam', 'text'), datasetId: null, path: fixture('text/spamassassin.csv'), textColumn: 'text', target: 'label', backend: 'wasm', seed: 4, epochs: 5, patience: 5, dim: 8, buckets: 4096 });
      return { jobId: started.job.id, runId: started.run.id };
    },
    predict: (artifactDir) => predicted((out) => predictTexts(artifactDir, fixture('text/spamassassin.csv'), out)),
  },
  {
    name: 'anomaly',
    start: async () => {
      const id = await datasetId(fixture('anomaly/breast_cancer_anomaly.csv'));
      const started = await ok('anomaly:train', { datasetId: id, project: 'unusual tumours', label: 'diagnosis', normal: 'benign', epochs: 12, patience: 12 });
      return { jobId: started.job.id, runId: started.runId };
    },
    predict: (artifactDir) => predicted((out) => predictAnomalies(artifactDir, fixture('anomaly/breast_cancer_anomaly.csv'), out)),
  },
  {
    name: 'forecast',
    start: async () => {
      const id = await datasetId(forecastFile);
      const started = await ok('forecast:train', { projectId: await projectId('calls', 'forecast'), datasetId: id, time: 'time', target: 'calls', horizon: 4, lags: 24, epochs: 8, patience: 8 });
      return { jobId: started.job.id, runId: started.run.id };
    },
    predict: (artifactDir) => predicted((out) => predictForecast(artifactDir, forecastFile, out, { horizon: 4 })),
  },
];
let pictures = '';

/** Kills the job's worker process (SIGKILL) as soon as the run's first checkpoint is on disk. */
function killAtCheckpoint(jobId: number, checkpointDir: string): Promise<void> {
  return new Promise<void>((done) => {
    app.jobs.on('job', function kill({ job, detail }) {
      if (job.id !== jobId || detail === undefined || !existsSync(join(checkpointDir, 'checkpoint.json'))) return;
      app.jobs.off('job', kill);
      const { worker_pid: pid } = app.store.read.prepare('SELECT worker_pid FROM jobs WHERE id = ?').get(job.id) as { worker_pid: number };
      process.kill(pid, 'SIGKILL');
      done();
    });
  });
}

async function succeeded(jobId: number): Promise<void> {
  const done = await app.jobs.wait(jobId);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
}

function artifactOf(runId: number): string {
  const artifactDir = getRun(app.store.read, runId)?.artifactDir;
  if (!artifactDir) throw new Error(`run ${runId} has no model folder`);
  return artifactDir;
}

/** Starts a run, kills its worker at its first checkpoint, checks it can resume, resumes it and waits for the end. */
async function killAndResume(kind: Kind, encryptedCheckpoint: boolean, beforeResume: () => void = () => {}): Promise<{ runId: number; resumedFromEpoch: number | null }> {
  const { jobId, runId } = await kind.start();
  const checkpointDir = getRun(app.store.read, runId)?.checkpointDir;
  if (!checkpointDir) throw new Error('the run has no checkpoint folder');
  await killAtCheckpoint(jobId, checkpointDir);
  expect((await app.jobs.wait(jobId)).status).toBe('failed');
  expect(getRun(app.store.read, runId)?.status).toBe('failed');
  // The checkpoint holds the weights too: encrypted while the run encrypts (text keeps its tables beside it, in checkpoint.bin).
  for (const name of ['checkpoint.json', 'checkpoint.bin']) {
    const path = join(checkpointDir, name);
    if (name === 'checkpoint.json' || existsSync(path)) expect(readFileSync(path).subarray(0, 5).toString() === 'PWENC', name).toBe(encryptedCheckpoint);
  }
  beforeResume();
  const resumed = await ok('pilots:resume', { runId });
  expect(resumed.job.kind).toBe(kind.name === 'tabular' ? 'train.run' : `train.${kind.name}`);
  const done = await app.jobs.wait(resumed.job.id);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  const result = done.result;
  if (!result || !('resumedFromEpoch' in result)) throw new Error(`not a training result: ${JSON.stringify(result)}`);
  return { runId, resumedFromEpoch: result.resumedFromEpoch };
}

/** The encrypted file holds none of the clear bytes: 8-byte windows spread over the weights, all-zero ones skipped. */
function expectNoClearWindow(plain: Buffer, onDisk: Buffer): void {
  expect(onDisk.subarray(0, 5).toString()).toBe('PWENC');
  const step = Math.max(4, Math.floor(plain.length / 200 / 4) * 4);
  let checked = 0;
  let found = 0;
  for (let i = 0; i + 8 <= plain.length; i += step) {
    const window = plain.subarray(i, i + 8);
    if (window.every((b) => b === 0)) continue;
    checked++;
    if (onDisk.includes(window)) found++;
  }
  expect(checked).toBeGreaterThan(20);
  expect(found).toBe(0);
}

describe.each(kinds)('a resumed $name run with encryption at rest on', (kind) => {
  let reference = '';
  beforeAll(async () => {
    if (!pictures) pictures = smallImages();
    encryption(false);
    const { jobId, runId } = await kind.start();
    await succeeded(jobId);
    reference = artifactOf(runId);
    expect(readFileSync(join(reference, 'weights.bin')).subarray(0, 5).toString()).not.toBe('PWENC');
  }, 300_000);

  it('writes encrypted weights that decrypt to those of an uninterrupted run, and predicts the same', async () => {
    encryption(true);
    const { runId, resumedFromEpoch } = await killAndResume(kind, true);
    expect(resumedFromEpoch).toBeGreaterThanOrEqual(1);
    expect(getRunParams(app.store.read, runId).encryptArtifacts).toBe(true);
    const artifactDir = artifactOf(runId);
    const plain = readFileSync(join(reference, 'weights.bin'));
    expectNoClearWindow(plain, readFileSync(join(artifactDir, 'weights.bin')));
    expect((await readArtifactFile(artifactDir, 'weights.bin')).equals(plain)).toBe(true);
    const metadata = JSON.parse(readFileSync(join(artifactDir, 'metadata.json'), 'utf8')) as { kind?: string; encryption?: unknown };
    expect(metadata).toMatchObject({ kind: kind.name, encryption: { algorithm: 'aes-256-gcm', keyFingerprint: fingerprint } });
    const fromResumed = await kind.predict(artifactDir);
    expect(fromResumed.split('\n').length).toBeGreaterThan(2);
    expect(fromResumed).toBe(await kind.predict(reference));
  }, 400_000);
});

describe('a run started with encryption off', () => {
  it('is encrypted when resumed after encryption was turned on (the checkpoint still matches)', async () => {
    const anomaly = kinds.find((kind) => kind.name === 'anomaly')!;
    encryption(false);
    const { runId, resumedFromEpoch } = await killAndResume(anomaly, false, () => encryption(true));
    expect(resumedFromEpoch).toBeGreaterThanOrEqual(1);
    expect(getRunParams(app.store.read, runId).encryptArtifacts).toBe(false);
    const artifactDir = artifactOf(runId);
    const onDisk = readFileSync(join(artifactDir, 'weights.bin'));
    expectNoClearWindow(await readArtifactFile(artifactDir, 'weights.bin'), onDisk);
  }, 400_000);
});
