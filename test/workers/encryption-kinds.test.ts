/**
 * Encryption at rest for every pilot kind, not only tabular: an image, text, anomaly and forecast
 * model trained with `encryptArtifacts` (the `models.encryptAtRest` setting) keeps no weight on
 * disk in the clear, and predicts exactly what the same model stored in the clear predicts (the
 * clear copy is made with plainArtifactFiles, the hand-off export and bundles use). Real training
 * runs, real AES-GCM (the tabular case: trainer/encryption.test.ts).
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { anomalyEngine, anomalyInputSchema, predictAnomalies } from '../../workers/anomaly/index.js';
import { forecastInputSchema, predictForecast, trainForecast } from '../../workers/forecast/index.js';
import { imageEngine, imageInputSchema, predictImages } from '../../workers/image/index.js';
import { readBundle, writeBundle } from '../../workers/evaluate/bundle.js';
import { makeContext } from '../../workers/protocol.js';
import { predictTexts, textInputSchema, trainText } from '../../workers/text/index.js';
import { plainArtifactFiles, verifyArtifact } from '../../workers/trainer/artifact.js';
import { createKeyFile, loadKeyFile } from '../../workers/trainer/encryption.js';
import { hourlyCounts, writeCsv } from './forecast/helpers.js';
import { fixture, tempDir } from './trainer/helpers.js';

/** A small image folder: 12 training and 4 test pictures of each of three Fashion-MNIST classes. */
function smallImages(): string {
  const source = fixture('fashion-mnist-small');
  const dir = tempDir();
  for (const part of ['train', 'test']) {
    for (const cls of ['bag', 'sneaker', 'trouser']) {
      for (const file of readdirSync(join(source, part, cls)).sort().slice(0, part === 'train' ? 12 : 4)) cpSync(join(source, part, cls, file), join(dir, part, cls, file));
    }
  }
  return dir;
}

/** The clear copy of an encrypted artifact, written as its own model folder. */
async function clearCopy(encryptedDir: string): Promise<string> {
  const dir = join(tempDir(), 'models', 'clear');
  mkdirSync(dir, { recursive: true });
  for (const file of await plainArtifactFiles(encryptedDir)) writeFileSync(join(dir, file.path), file.content);
  await verifyArtifact(dir);
  return dir;
}

interface Kind {
  name: string;
  train: (dataDir: string) => Promise<{ artifactDir: string }>;
  /** Predicts with the model in `artifactDir` into a new file and returns its text. */
  predict: (artifactDir: string) => Promise<string>;
}

const images = smallImages();
const forecastFile = writeCsv(['time', 'calls'], hourlyCounts(24 * 7 * 4));
const out = () => join(tempDir(), `out-${Math.random().toString(36).slice(2)}.csv`);
const read = (path: string) => readFileSync(path, 'utf8');

const kinds: Kind[] = [
  {
    name: 'image',
    train: (dataDir) => imageEngine(imageInputSchema.parse({ source: images, epochs: 1, augment: false, seed: 3, backend: 'wasm', runId: 'enc', encryptArtifacts: true }), makeContext({ dataDir })),
    predict: async (dir) => {
      const path = out();
      await predictImages(dir, join(images, 'test'), path);
      return read(path);
    },
  },
  {
    name: 'text',
    train: (dataDir) => trainText(textInputSchema.parse({ path: fixture('text/spamassassin.csv'), textColumn: 'text', target: 'label', backend: 'wasm', seed: 4, epochs: 1, runId: 'enc', encryptArtifacts: true }), makeContext({ dataDir })),
    predict: async (dir) => {
      const path = out();
      await predictTexts(dir, fixture('text/spamassassin.csv'), path);
      return read(path);
    },
  },
  {
    name: 'anomaly',
    train: (dataDir) => anomalyEngine(anomalyInputSchema.parse({ file: fixture('anomaly/breast_cancer_anomaly.csv'), label: 'diagnosis', normal: 'benign', epochs: 3, runId: 'enc', encryptArtifacts: true }), makeContext({ dataDir })),
    predict: async (dir) => {
      const path = out();
      await predictAnomalies(dir, fixture('anomaly/breast_cancer_anomaly.csv'), path);
      return read(path);
    },
  },
  {
    name: 'forecast',
    train: (dataDir) => trainForecast(forecastInputSchema.parse({ file: forecastFile, time: 'time', target: 'calls', horizon: 4, lags: 24, epochs: 1, runId: 'enc', encryptArtifacts: true }), makeContext({ dataDir })),
    predict: async (dir) => {
      const path = out();
      await predictForecast(dir, forecastFile, path, { horizon: 4 });
      return read(path);
    },
  },
];

describe.each(kinds)('an encrypted $name model', (kind) => {
  let encryptedDir: string;
  let clearDir: string;
  let fingerprint: string;
  beforeAll(async () => {
    const dataDir = tempDir();
    fingerprint = (await createKeyFile(dataDir)).key.fingerprint;
    encryptedDir = (await kind.train(dataDir)).artifactDir;
    clearDir = await clearCopy(encryptedDir);
  }, 240_000);

  it('keeps no 8-byte run of its weights on disk, and says how it is encrypted', async () => {
    const plain = readFileSync(join(clearDir, 'weights.bin'));
    const onDisk = readFileSync(join(encryptedDir, 'weights.bin'));
    expect(plain.length).toBeGreaterThan(256);
    expect(onDisk.subarray(0, 5).toString()).toBe('PWENC');
    expect(onDisk.equals(plain)).toBe(false);
    // Up to 200 windows of 8 bytes spread over the weights, skipping all-zero ones (a text model's table starts at zeros):
    // searching the whole encrypted file for every window of a 64 MB table would take hours.
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
    const metadata = JSON.parse(read(join(encryptedDir, 'metadata.json'))) as { kind?: string; encryption?: unknown };
    expect(metadata.kind).toBe(kind.name);
    expect(metadata.encryption).toMatchObject({ algorithm: 'aes-256-gcm', files: ['weights.bin'], keyFingerprint: fingerprint });
    expect((await loadKeyFile(join(encryptedDir, '..', '..')))!.fingerprint).toBe(fingerprint);
    expect(JSON.parse(read(join(clearDir, 'metadata.json'))).encryption).toBeUndefined();
  });

  it('predicts exactly what the same model stored in the clear predicts', async () => {
    const fromEncrypted = await kind.predict(encryptedDir);
    const fromClear = await kind.predict(clearDir);
    expect(fromEncrypted.split('\n').length).toBeGreaterThan(2);
    expect(fromEncrypted).toBe(fromClear);
  }, 120_000);

  it('leaves in a bundle in the clear (for another installation, without this key), which unpacks to the clear model', async () => {
    const bundle = join(tempDir(), 'model.pilot');
    const info = { project: 'enc', question: 'q', version: 1, kind: kind.name as 'image', task: 'multiclass' as const, target: 't', backend: 'cpu', datasetSha256: 'a'.repeat(64), hyperparameters: {}, testMetrics: {}, baselines: {}, description: '', stage: 'candidate', createdAt: 0, run: {} };
    await writeBundle(encryptedDir, info, bundle);
    const unpacked = await readBundle(bundle, join(tempDir(), 'models', 'imported'));
    expect(readFileSync(join(unpacked.artifactDir, 'weights.bin')).equals(readFileSync(join(clearDir, 'weights.bin')))).toBe(true);
    await expect(verifyArtifact(unpacked.artifactDir)).resolves.toBeTruthy();
    expect(readFileSync(bundle).includes(Buffer.from('PWENC'))).toBe(false);
  });
});
