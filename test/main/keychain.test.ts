/**
 * The desktop's model key and the keychain (main/keychain.ts), on real files. Electron cannot run
 * here (no binary, no desktop session), so `safeStorage` is replaced by an in-test implementation
 * of the same interface: real AES-256-GCM under a secret of its "user", so that another user's
 * keychain cannot unwrap the key, and a Linux storage backend that can be 'basic_text'.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { artifactKeyEnv, workerEnv } from '../../main/jobs/worker-env.js';
import { createDesktopKey, exportKeyFile, keychainState, loadDesktopKey, moveKeyToKeychain, startDesktopKey } from '../../main/keychain.js';
import { createKeyFile, heldArtifactKey, holdKey, KEY_ENV, KEY_FILE, keyFromBytes, WRAPPED_KEY_FILE } from '../../workers/trainer/encryption.js';
import { tempDir } from '../helpers.js';
import { fakeSafeStorage } from './fake-safe-storage.js';

const { dir, cleanup } = tempDir('pilot-keychain-');
afterAll(cleanup);
afterEach(() => holdKey(null));
let n = 0;
const home = () => {
  const path = join(dir, `home-${++n}`);
  mkdirSync(path);
  return path;
};

describe('keychain state', () => {
  it("is usable with a secret store, not with Linux's basic_text or unknown backends or without encryption", () => {
    expect(keychainState(fakeSafeStorage(), 'linux')).toMatchObject({ usable: true, backend: 'gnome_libsecret', reason: null });
    expect(keychainState(fakeSafeStorage({ backend: 'basic_text' }), 'linux')).toMatchObject({ usable: false, backend: 'basic_text', reason: expect.stringContaining('protects nothing') });
    expect(keychainState(fakeSafeStorage({ backend: 'unknown' }), 'linux').usable).toBe(false);
    expect(keychainState(fakeSafeStorage({ available: false }), 'darwin')).toMatchObject({ usable: false, reason: expect.stringContaining('not available') });
    // The backend is a Linux notion: macOS and Windows keychains are real ones.
    expect(keychainState(fakeSafeStorage({ backend: 'basic_text' }), 'darwin')).toMatchObject({ usable: true, backend: null });
  });
});

describe('the desktop key', () => {
  it('is made in the keychain when it is usable: a wrapped file (0600), no plain key file, the key not in the clear on disk', async () => {
    const data = home();
    const safe = fakeSafeStorage();
    const { key, info } = await createDesktopKey(data, safe, 'linux');
    expect(info).toMatchObject({ place: 'keychain', path: join(data, WRAPPED_KEY_FILE), fingerprint: key.fingerprint, canMoveToKeychain: false });
    expect(existsSync(join(data, KEY_FILE))).toBe(false);
    expect(statSync(join(data, WRAPPED_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(data, 'keys')).mode & 0o777).toBe(0o700);
    const onDisk = readFileSync(join(data, WRAPPED_KEY_FILE));
    expect(onDisk.includes(key.key)).toBe(false);
    expect(onDisk.toString('latin1').includes(key.key.toString('base64'))).toBe(false);
    // Read again (a restart): the same key, and another user's keychain cannot unwrap it.
    expect((await loadDesktopKey(data, safe, 'linux')).key?.key.equals(key.key)).toBe(true);
    await expect(loadDesktopKey(data, fakeSafeStorage(), 'linux')).rejects.toThrow(/cannot be unlocked by this user's keychain/);
  });

  it('is a key file (owner-only) where the keychain is basic_text, and the start says why', async () => {
    const data = home();
    const started = await startDesktopKey(data, fakeSafeStorage({ backend: 'basic_text' }), true, 'linux');
    expect(started.info).toMatchObject({ place: 'key-file', path: join(data, KEY_FILE), canMoveToKeychain: false });
    expect(started.notice).toContain(join(data, KEY_FILE));
    expect(started.notice).toContain('basic_text');
    expect(existsSync(join(data, WRAPPED_KEY_FILE))).toBe(false);
    expect(statSync(join(data, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(heldArtifactKey()?.fingerprint).toBe(started.info.fingerprint);
    await expect(moveKeyToKeychain(data, fakeSafeStorage({ backend: 'basic_text' }), 'linux')).rejects.toThrow(/stays in .*basic_text/);
    expect(existsSync(join(data, KEY_FILE))).toBe(true);
  });

  it('is not made at the start while encryption is off, and nothing is held', async () => {
    const data = home();
    const started = await startDesktopKey(data, fakeSafeStorage(), false, 'linux');
    expect(started).toEqual({ info: expect.objectContaining({ place: 'none', fingerprint: null }), notice: null });
    expect(heldArtifactKey()).toBeNull();
    expect(existsSync(join(data, 'keys'))).toBe(false);
  });

  it("that another user's keychain cannot unwrap is not held, and the start says so", async () => {
    const data = home();
    await createDesktopKey(data, fakeSafeStorage(), 'linux');
    const started = await startDesktopKey(data, fakeSafeStorage(), true, 'linux');
    expect(started.notice).toMatch(/cannot be unlocked by this user's keychain/);
    expect(heldArtifactKey()).toBeNull();
  });
});

describe('a key file made by the CLI', () => {
  it('keeps being used, is offered to the keychain, and moves there: same key, plain file removed only after the read-back', async () => {
    const data = home();
    const safe = fakeSafeStorage();
    const cli = (await createKeyFile(data)).key;
    const before = await startDesktopKey(data, safe, true, 'linux');
    expect(before.info).toMatchObject({ place: 'key-file', fingerprint: cli.fingerprint, canMoveToKeychain: true });
    expect(before.notice).toBeNull();
    expect(heldArtifactKey()?.key.equals(cli.key)).toBe(true);

    const moved = await moveKeyToKeychain(data, safe, 'linux');
    expect(moved).toMatchObject({ place: 'keychain', fingerprint: cli.fingerprint });
    expect(existsSync(join(data, KEY_FILE))).toBe(false);
    expect((await loadDesktopKey(data, safe, 'linux')).key?.key.equals(cli.key)).toBe(true);
    expect(readdirSync(join(data, 'keys')).sort()).toEqual(['artifact.key.wrapped']);
  });

  it('stays as it was when the wrapped copy does not read back', async () => {
    const data = home();
    const cli = (await createKeyFile(data)).key;
    const plainBefore = readFileSync(join(data, KEY_FILE));
    await expect(moveKeyToKeychain(data, fakeSafeStorage({ corruptReads: true }), 'linux')).rejects.toThrow(/not moved \(the wrapped copy does not read back as the key file\).*unchanged/);
    expect(readFileSync(join(data, KEY_FILE)).equals(plainBefore)).toBe(true);
    expect(existsSync(join(data, WRAPPED_KEY_FILE))).toBe(false);
    expect((await loadDesktopKey(data, fakeSafeStorage(), 'linux')).key?.fingerprint).toBe(cli.fingerprint);
  });
});

describe('export to a key file (Help > Export model key to key file)', () => {
  it('writes the keychain key as an owner-only key file, and refuses to overwrite one', async () => {
    const data = home();
    const safe = fakeSafeStorage();
    const { key } = await createDesktopKey(data, safe, 'linux');
    const written = await exportKeyFile(data, safe);
    expect(written).toEqual({ path: join(data, KEY_FILE), fingerprint: key.fingerprint });
    expect(statSync(written.path).mode & 0o777).toBe(0o600);
    expect(keyFromBytes(Buffer.from(readFileSync(written.path, 'utf8').trim(), 'base64')).key.equals(key.key)).toBe(true);
    await expect(exportKeyFile(data, safe)).rejects.toThrow(/already exists/);
  });
});

describe('worker environment', () => {
  it('carries the held key as base64 in PILOT_ARTIFACT_KEY, and nothing when no key is held', () => {
    const key = keyFromBytes(randomBytes(32));
    expect(artifactKeyEnv(key)).toEqual({ [KEY_ENV]: key.key.toString('base64') });
    expect(workerEnv(dir, [], {}, 'linux', null)[KEY_ENV]).toBeUndefined();
    holdKey(key);
    expect(workerEnv(dir, [], {}, 'linux')[KEY_ENV]).toBe(key.key.toString('base64'));
  });
});
