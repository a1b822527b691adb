/**
 * The desktop's model key and the operating system's keychain (Electron's `safeStorage`). The
 * rules, in order:
 *
 * 1. A wrapped key (`keys/artifact.key.wrapped`) is the key: it is unwrapped by the keychain.
 * 2. Otherwise a plain key file (`keys/artifact.key`, made by the CLI or serve mode, or by the app
 *    where there is no keychain) is the key; when the keychain is usable the app offers to move
 *    it there (`moveKeyToKeychain`: wrap, write, read back, and only then remove the plain file).
 * 3. Otherwise there is no key yet; `createDesktopKey` (encryption turned on) makes one in the
 *    keychain when it is usable, as a key file otherwise.
 *
 * "Usable" means `isEncryptionAvailable()` and, on Linux, a real secret store: without one
 * (`getSelectedStorageBackend()` is `basic_text`, or `unknown`) safeStorage encrypts with a
 * hard-coded password, which protects nothing, so the key file (owner-only) is used and the app
 * says why. Everything here takes the `safeStorage` shape, so it is tested without Electron.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type ArtifactKey,
  createKeyFile,
  holdKey,
  KEY_FILE,
  keyFromBytes,
  type KeyWrapper,
  loadKeyFile,
  loadWrappedKey,
  WRAPPED_KEY_FILE,
} from '../workers/trainer/encryption.js';

/** The part of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron: 'basic_text', 'gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6' or 'unknown'. */
  getSelectedStorageBackend?(): string;
}

/** Whether the keychain protects anything here, and why not when it does not. */
export interface KeychainState {
  usable: boolean;
  /** The Linux secret store (`getSelectedStorageBackend()`), null elsewhere. */
  backend: string | null;
  /** Why it is not usable (shown to the user), null when it is. */
  reason: string | null;
}

/** Where the desktop's key is, for the Models page and the menu. */
export interface DesktopKeyInfo {
  place: 'keychain' | 'key-file' | 'none';
  /** The wrapped key or the key file; null when there is no key. */
  path: string | null;
  fingerprint: string | null;
  keychain: KeychainState;
  /** A plain key file exists and the keychain is usable: the app offers to move it. */
  canMoveToKeychain: boolean;
}

export function keychainState(safe: SafeStorageLike, platform: NodeJS.Platform = process.platform): KeychainState {
  if (!safe.isEncryptionAvailable()) return { usable: false, backend: null, reason: "The operating system's keychain is not available to the app." };
  const backend = platform === 'linux' ? (safe.getSelectedStorageBackend?.() ?? 'unknown') : null;
  if (backend === 'basic_text' || backend === 'unknown') {
    return { usable: false, backend, reason: `No secret store (GNOME Keyring, KWallet) is running: Electron would wrap the key with a built-in password (storage backend "${backend}"), which protects nothing.` };
  }
  return { usable: true, backend, reason: null };
}

/** safeStorage as a `KeyWrapper` (the key travels through its string API as base64). */
export function wrapperOf(safe: SafeStorageLike): KeyWrapper {
  return { wrap: (plain) => safe.encryptString(plain.toString('base64')), unwrap: (wrapped) => Buffer.from(safe.decryptString(wrapped), 'base64') };
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/** The desktop's key as the rules above find it (null when there is none) and where it is. */
export async function loadDesktopKey(dataDir: string, safe: SafeStorageLike, platform: NodeJS.Platform = process.platform): Promise<{ key: ArtifactKey | null; info: DesktopKeyInfo }> {
  const keychain = keychainState(safe, platform);
  const wrappedPath = join(dataDir, WRAPPED_KEY_FILE);
  if (await exists(wrappedPath)) {
    // A wrapped key is unwrapped even when the store is 'basic_text': that is how it was written.
    const key = await loadWrappedKey(dataDir, wrapperOf(safe));
    return { key, info: { place: 'keychain', path: wrappedPath, fingerprint: key?.fingerprint ?? null, keychain, canMoveToKeychain: false } };
  }
  const key = await loadKeyFile(dataDir);
  if (key) return { key, info: { place: 'key-file', path: join(dataDir, KEY_FILE), fingerprint: key.fingerprint, keychain, canMoveToKeychain: keychain.usable } };
  return { key: null, info: { place: 'none', path: null, fingerprint: null, keychain, canMoveToKeychain: false } };
}

/** The desktop's key, made now when there is none: in the keychain when it is usable, as a key file otherwise. */
export async function createDesktopKey(dataDir: string, safe: SafeStorageLike, platform: NodeJS.Platform = process.platform): Promise<{ key: ArtifactKey; info: DesktopKeyInfo }> {
  const found = await loadDesktopKey(dataDir, safe, platform);
  if (found.key) return { key: found.key, info: found.info };
  if (found.info.keychain.usable) {
    await writeWrapped(dataDir, safe, randomBytes(32));
  } else {
    await createKeyFile(dataDir);
  }
  const made = await loadDesktopKey(dataDir, safe, platform);
  return { key: made.key!, info: made.info };
}

/** Writes the wrapped key atomically (a temporary file renamed), 0600 in a 0700 folder; refuses to replace one. */
async function writeWrapped(dataDir: string, safe: SafeStorageLike, plain: Buffer): Promise<void> {
  const path = join(dataDir, WRAPPED_KEY_FILE);
  if (await exists(path)) throw new Error(`${path} already exists; it was left as it is.`);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await chmod(dirname(path), 0o700);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, wrapperOf(safe).wrap(plain), { mode: 0o600 });
  await rename(temporary, path);
}

/**
 * Moves a plain key file into the keychain: wraps it, writes the wrapped copy, unwraps that copy
 * from disk and compares it with the key file, and only then removes the key file. Any failure
 * before the removal leaves the key file as it was (and no wrapped copy).
 */
export async function moveKeyToKeychain(dataDir: string, safe: SafeStorageLike, platform: NodeJS.Platform = process.platform): Promise<DesktopKeyInfo> {
  const keychain = keychainState(safe, platform);
  if (!keychain.usable) throw new Error(`The key stays in ${join(dataDir, KEY_FILE)}: ${keychain.reason}`);
  const plain = await loadKeyFile(dataDir);
  if (!plain) throw new Error(`There is no key file (${join(dataDir, KEY_FILE)}) to move.`);
  const wrappedPath = join(dataDir, WRAPPED_KEY_FILE);
  await writeWrapped(dataDir, safe, plain.key);
  try {
    const readBack = await loadWrappedKey(dataDir, wrapperOf(safe));
    if (!readBack || !readBack.key.equals(plain.key)) throw new Error('the wrapped copy does not read back as the key file');
  } catch (error) {
    await rm(wrappedPath, { force: true });
    throw new Error(`The key was not moved (${error instanceof Error ? error.message : String(error)}); ${join(dataDir, KEY_FILE)} is unchanged.`);
  }
  await rm(join(dataDir, KEY_FILE));
  return (await loadDesktopKey(dataDir, safe, platform)).info;
}

/**
 * Writes the keychain's key to the plain key file (owner-only) so that the CLI and serve mode can
 * read encrypted models (the menu action Help > Export model key to key file). The wrapped copy
 * stays: both are the same key. Refuses to overwrite a key file.
 */
export async function exportKeyFile(dataDir: string, safe: SafeStorageLike): Promise<{ path: string; fingerprint: string }> {
  const key = await loadWrappedKey(dataDir, wrapperOf(safe));
  if (!key) throw new Error(`There is no key in the keychain for ${dataDir} (${join(dataDir, WRAPPED_KEY_FILE)}).`);
  const path = join(dataDir, KEY_FILE);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await chmod(dirname(path), 0o700);
  await writeFile(path, `${key.key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new Error(`${path} already exists; it was left as it is.`);
    throw error;
  });
  const written = await loadKeyFile(dataDir);
  if (!written || written.fingerprint !== key.fingerprint) throw new Error(`${path} does not read back as the keychain's key.`);
  return { path, fingerprint: keyFromBytes(key.key).fingerprint };
}

/**
 * The desktop's start: finds its key (making one, in the keychain when usable, when encryption at
 * rest is on and there is none) and holds it in memory for this process and its workers
 * (main/jobs/worker-env.ts). Returns where the key is and what to tell the user, if anything: the
 * keychain is not used and why, or the key cannot be unwrapped (then nothing is held, and
 * encrypted models say they cannot be read).
 */
export async function startDesktopKey(
  dataDir: string,
  safe: SafeStorageLike,
  encryptionOn: boolean,
  platform: NodeJS.Platform = process.platform,
): Promise<{ info: DesktopKeyInfo; notice: string | null }> {
  try {
    const { key, info } = encryptionOn ? await createDesktopKey(dataDir, safe, platform) : await loadDesktopKey(dataDir, safe, platform);
    holdKey(key);
    const notice = info.place === 'key-file' && !info.keychain.usable ? `The model key is kept in ${info.path} (owner-only permissions), not in the keychain: ${info.keychain.reason}` : null;
    return { info, notice };
  } catch (error) {
    holdKey(null);
    const info: DesktopKeyInfo = { place: 'keychain', path: join(dataDir, WRAPPED_KEY_FILE), fingerprint: null, keychain: keychainState(safe, platform), canMoveToKeychain: false };
    return { info, notice: error instanceof Error ? error.message : String(error) };
  }
}
