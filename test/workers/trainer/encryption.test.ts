/**
 * Encryption at rest of model weights, with real files, a real training run and real AES-GCM:
 * the bytes on disk are not the weights, prediction gives the same outputs as the same model
 * stored in the clear, and a missing, foreign or altered key is named for what it is. The
 * desktop's keychain (Electron's safeStorage) cannot run here: its `KeyWrapper` is exercised with
 * a stand-in wrapper (AES under a fixed passphrase), and the key-file path is what serve mode and
 * the CLI use.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportTfjs } from '../../../workers/export/index.js';
import { makeContext } from '../../../workers/protocol.js';
import { predictFile, trainInputSchema, trainModel, verifyArtifact, type TrainInputRaw } from '../../../workers/trainer/index.js';
import { createKeyFile, KEY_FILE, loadKeyFile, loadWrappedKey, type KeyWrapper } from '../../../workers/trainer/encryption.js';
import { fixture, tempDir } from './helpers.js';

const train = (raw: TrainInputRaw, dataDir: string) => trainModel(trainInputSchema.parse(raw), makeContext({ dataDir }));
const settings = { file: fixture('wine.csv'), target: 'class', epochs: 3, seed: 5, backend: 'cpu' as const, model: 'network' as const };

describe('the installation key file', () => {
  it('is created with owner-only permissions and refused when others can read it', async () => {
    const dataDir = tempDir();
    const { key, created } = await createKeyFile(dataDir);
    expect(created).toBe(true);
    expect(statSync(join(dataDir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'keys')).mode & 0o777).toBe(0o700);
    expect((await createKeyFile(dataDir)).key.fingerprint).toBe(key.fingerprint);
    chmodSync(join(dataDir, KEY_FILE), 0o644);
    await expect(loadKeyFile(dataDir)).rejects.toThrow(/can be read by other users \(mode 644\).*chmod 600/);
  });

  it('desktop: a key wrapped by the keychain interface, unreadable without it', async () => {
    const passphrase = createHash('sha256').update('stand-in for safeStorage').digest();
    const wrapper: KeyWrapper = {
      wrap: (plain) => {
        const iv = randomBytes(12);
        const c = createCipheriv('aes-256-gcm', passphrase, iv);
        const body = Buffer.concat([c.update(plain), c.final()]);
        return Buffer.concat([iv, c.getAuthTag(), body]);
      },
      unwrap: (wrapped) => {
        const d = createDecipheriv('aes-256-gcm', passphrase, wrapped.subarray(0, 12));
        d.setAuthTag(wrapped.subarray(12, 28));
        return Buffer.concat([d.update(wrapped.subarray(28)), d.final()]);
      },
    };
    const dataDir = tempDir();
    // Written as the desktop writes it (main/keychain.ts).
    const key = { key: randomBytes(32) };
    mkdirSync(join(dataDir, 'keys'), { recursive: true });
    writeFileSync(join(dataDir, 'keys', 'artifact.key.wrapped'), wrapper.wrap(key.key));
    expect((await loadWrappedKey(dataDir, wrapper))!.key.equals(key.key)).toBe(true);
    // The stored bytes are not the key.
    expect(readFileSync(join(dataDir, 'keys', 'artifact.key.wrapped')).includes(key.key)).toBe(false);
    const other: KeyWrapper = { wrap: (b) => b, unwrap: () => { throw new Error('not this keychain'); } };
    await expect(loadWrappedKey(dataDir, other)).rejects.toThrow(/cannot be unlocked by this user's keychain/);
  });
});

describe('an encrypted model', () => {
  let plainDir: string;
  let encryptedDir: string;
  let dataDir: string;
  beforeAll(async () => {
    plainDir = (await train({ ...settings, runId: 'plain' }, tempDir())).artifactDir;
    dataDir = tempDir();
    await createKeyFile(dataDir);
    encryptedDir = (await train({ ...settings, runId: 'secret', encryptArtifacts: true }, dataDir)).artifactDir;
  }, 60_000);

  it('keeps no float32 weight on disk, and decrypts to exactly the weights of the same model stored in the clear', async () => {
    const plain = readFileSync(join(plainDir, 'weights.bin'));
    const onDisk = readFileSync(join(encryptedDir, 'weights.bin'));
    expect(plain.length).toBeGreaterThan(1000);
    expect(onDisk.subarray(0, 5).toString()).toBe('PWENC');
    // Not one weight (4 bytes, at its own offset) of the clear file appears anywhere in the encrypted one.
    let found = 0;
    for (let i = 0; i + 8 <= plain.length; i += 4) if (onDisk.includes(plain.subarray(i, i + 8))) found++;
    expect(found).toBe(0);
    await expect(verifyArtifact(encryptedDir)).resolves.toBeTruthy();
    const metadata = JSON.parse(readFileSync(join(encryptedDir, 'metadata.json'), 'utf8'));
    expect(metadata.encryption).toMatchObject({ algorithm: 'aes-256-gcm', files: ['weights.bin'], keyFingerprint: (await loadKeyFile(dataDir))!.fingerprint });
  });

  it('predicts the same outputs as the clear model', async () => {
    const a = join(tempDir(), 'a.csv');
    const b = join(tempDir(), 'b.csv');
    await predictFile(plainDir, fixture('wine.csv'), a);
    await predictFile(encryptedDir, fixture('wine.csv'), b);
    expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
  });

  it('leaves as a plain, verifiable copy when exported for other runtimes (the hand-off decrypts)', async () => {
    const out = join(tempDir(), 'tfjs');
    await exportTfjs(encryptedDir, out, { project: 'wine', version: 1, producerVersion: 'test' });
    expect(readFileSync(join(out, 'weights.bin')).equals(readFileSync(join(plainDir, 'weights.bin')))).toBe(true);
    await expect(verifyArtifact(out)).resolves.toBeTruthy();
    expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).encryption).toBeUndefined();
  });

  it('names a missing key, another installation\'s key and altered bytes', async () => {
    const out = () => join(tempDir(), `p${Math.random()}.csv`);
    // Another installation: the same model folder, a data folder with its own key.
    const elsewhere = tempDir();
    await createKeyFile(elsewhere);
    mkdirSync(join(elsewhere, 'models'), { recursive: true });
    cpSync(encryptedDir, join(elsewhere, 'models', 'secret'), { recursive: true });
    await expect(predictFile(join(elsewhere, 'models', 'secret'), fixture('wine.csv'), out())).rejects.toThrow(/was encrypted with another installation's key \(fingerprint [0-9a-f]{16}; this installation's is [0-9a-f]{16}\)/);
    rmSync(join(elsewhere, KEY_FILE));
    await expect(predictFile(join(elsewhere, 'models', 'secret'), fixture('wine.csv'), out())).rejects.toThrow(/is encrypted .* but this installation has no model key/);
    // Altered ciphertext with checksums.json updated to match: the GCM tag still refuses it.
    const tampered = join(tempDir(), 'models', 'secret');
    mkdirSync(tampered, { recursive: true });
    cpSync(encryptedDir, tampered, { recursive: true });
    mkdirSync(join(tampered, '..', '..', 'keys'), { recursive: true, mode: 0o700 });
    copyFileSync(join(dataDir, KEY_FILE), join(tampered, '..', '..', KEY_FILE));
    chmodSync(join(tampered, '..', '..', KEY_FILE), 0o600);
    const bytes = readFileSync(join(tampered, 'weights.bin'));
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(join(tampered, 'weights.bin'), bytes);
    const checksums = JSON.parse(readFileSync(join(tampered, 'checksums.json'), 'utf8'));
    checksums.files['weights.bin'] = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(tampered, 'checksums.json'), JSON.stringify(checksums));
    await expect(predictFile(tampered, fixture('wine.csv'), out())).rejects.toThrow(/does not decrypt with this installation's key: it was altered/);
  });

  it('refuses to train in the clear when encryption is on but there is no key', async () => {
    await expect(train({ ...settings, epochs: 1, runId: 'nokey', encryptArtifacts: true }, tempDir())).rejects.toThrow(/Encryption of models is on, but this installation has no model key/);
  });
});
