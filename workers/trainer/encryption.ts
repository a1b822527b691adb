/**
 * Encryption at rest of model files (AES-256-GCM, `node:crypto`) with one key per installation.
 *
 * Where the key lives: in serve mode and the CLI, `<data folder>/keys/artifact.key` (32 random
 * bytes, base64), readable by its owner only (0600, folder 0700). The desktop app keeps the key
 * wrapped by the operating system's keychain when it has a usable one (Electron's `safeStorage`;
 * the rules are in main/keychain.ts), holds the unwrapped key in memory (`holdKey`), and
 * main/jobs/worker-env.ts hands it to the worker processes it starts through `PILOT_ARTIFACT_KEY`
 * (base64; never written to disk or to the database). What it protects: a copied models folder, a backup or a bundle is unreadable
 * without the key; a user who can read the whole data folder (key file included) can read the
 * models, as with any key kept beside the data.
 *
 * An encrypted file: 8-byte magic, 8-byte key fingerprint, 12-byte IV, 16-byte GCM tag, then the
 * ciphertext; the file's name is the additional authenticated data, so files cannot be swapped.
 * `checksums.json` holds the SHA-256 of the bytes on disk, verified before decryption as before.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserInputError } from '../protocol.js';

/** An installation's artifact key and its fingerprint (shown to users, stored in encrypted files). */
export interface ArtifactKey {
  key: Buffer;
  /** First 16 hex digits of the key's SHA-256. */
  fingerprint: string;
}

/** Wraps and unwraps the key with the operating system's keychain (the desktop's `safeStorage`). */
export interface KeyWrapper {
  wrap(plain: Buffer): Buffer;
  unwrap(wrapped: Buffer): Buffer;
}

/** The key file under the data folder (serve mode, CLI). */
export const KEY_FILE = join('keys', 'artifact.key');
/** The wrapped key under the data folder (desktop). */
export const WRAPPED_KEY_FILE = join('keys', 'artifact.key.wrapped');
/** The environment variable through which the desktop passes the unwrapped key to its workers. */
export const KEY_ENV = 'PILOT_ARTIFACT_KEY';

const MAGIC = Buffer.from([0x50, 0x57, 0x45, 0x4e, 0x43, 0x00, 0x01, 0x00]); // "PWENC", version 1
const HEADER = MAGIC.length + 8 + 12 + 16;

export function keyFromBytes(key: Buffer): ArtifactKey {
  if (key.length !== 32) throw new UserInputError(`The artifact key must be 32 bytes (AES-256), not ${key.length}. Restore the key file from a backup.`);
  return { key, fingerprint: createHash('sha256').update(key).digest('hex').slice(0, 16) };
}

/** The key in `<dataDir>/keys/artifact.key`, or null when there is none. Refuses a key file others can read. */
export async function loadKeyFile(dataDir: string): Promise<ArtifactKey | null> {
  const path = join(dataDir, KEY_FILE);
  const info = await stat(path).catch(() => null);
  if (!info) return null;
  if ((info.mode & 0o077) !== 0) {
    throw new UserInputError(`${path} can be read by other users (mode ${(info.mode & 0o777).toString(8)}): the model key must be private. Run chmod 600 ${path}, then retry.`);
  }
  return keyFromBytes(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64'));
}

/** Loads the key file, or creates one (0600 in a 0700 folder) when there is none. */
export async function createKeyFile(dataDir: string): Promise<{ key: ArtifactKey; created: boolean }> {
  const existing = await loadKeyFile(dataDir);
  if (existing) return { key: existing, created: false };
  const path = join(dataDir, KEY_FILE);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await chmod(dirname(path), 0o700);
  const key = randomBytes(32);
  // 'wx': two processes creating it at once must not end with two keys.
  await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await chmod(path, 0o600);
  return { key: (await loadKeyFile(dataDir))!, created: true };
}

/** The desktop's key, unwrapped by the keychain; null when there is none. */
export async function loadWrappedKey(dataDir: string, wrapper: KeyWrapper): Promise<ArtifactKey | null> {
  const wrapped = await readFile(join(dataDir, WRAPPED_KEY_FILE)).catch(() => null);
  if (!wrapped) return null;
  let plain: Buffer;
  try {
    plain = wrapper.unwrap(wrapped);
  } catch {
    throw new UserInputError(`The model key in ${join(dataDir, WRAPPED_KEY_FILE)} cannot be unlocked by this user's keychain (it was wrapped by another user or machine). Sign in as the user who created it, or restore the key file.`);
  }
  return keyFromBytes(plain);
}

/**
 * The key to decrypt (or encrypt) the artifact in `artifactDir` with: the one the desktop passed
 * in `PILOT_ARTIFACT_KEY`, else the key file of the data folder that holds `models/<run>/`.
 */
export async function artifactKeyFor(artifactDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ArtifactKey | null> {
  const passed = env[KEY_ENV];
  if (passed) return keyFromBytes(Buffer.from(passed, 'base64'));
  if (heldKey) return heldKey;
  const dataDir = dirname(dirname(artifactDir));
  const key = await loadKeyFile(dataDir);
  if (key) return key;
  if (await stat(join(dataDir, WRAPPED_KEY_FILE)).catch(() => null)) throw new UserInputError(keychainOnlyMessage(dataDir));
  return null;
}

/**
 * What a process without the keychain (the CLI, serve mode) says when the data folder's key is
 * only in the desktop app's keychain (`keys/artifact.key.wrapped`, no `keys/artifact.key`).
 */
export function keychainOnlyMessage(dataDir: string): string {
  return `The model key of ${dataDir} is kept in the desktop app's keychain (${join(dataDir, WRAPPED_KEY_FILE)}), which only Pilot Workbench can unlock: this process cannot read or write encrypted models. Open Pilot Workbench and choose Help > Export model key to key file (it writes ${join(dataDir, KEY_FILE)}, owner-only), then retry; or use the model from the app.`;
}

/** The key this process holds in memory (the desktop's main process, unwrapped by the keychain); it comes before the key file. */
let heldKey: ArtifactKey | null = null;

/** Holds (or, with null, drops) the key this process decrypts and encrypts with; main/jobs/worker-env passes it to workers. */
export function holdKey(key: ArtifactKey | null): void {
  heldKey = key;
}

/** The key `holdKey` holds, null when none. */
export function heldArtifactKey(): ArtifactKey | null {
  return heldKey;
}

/**
 * The key new model files are encrypted with when encryption at rest is on for this job (its
 * input's `encryptArtifacts`, set from `models.encryptAtRest`), null when it is off. Asked before
 * training, so a missing key stops the job before minutes of work, not after.
 */
export async function keyIfEncrypting(on: boolean | undefined, artifactDir: string): Promise<ArtifactKey | null> {
  if (!on) return null;
  const key = await artifactKeyFor(artifactDir);
  if (!key) throw new UserInputError('Encryption of models is on, but this installation has no model key (keys/artifact.key in the data folder). Run `pilot models encryption on` to create one, or turn encryption off.');
  return key;
}

/** Whether bytes are an encrypted artifact file. */
export function isEncrypted(bytes: Buffer): boolean {
  return bytes.length >= HEADER && bytes.subarray(0, MAGIC.length).equals(MAGIC);
}

/** `plain` encrypted with `key`, bound to the file's name. */
export function encryptBytes(plain: Buffer, key: ArtifactKey, name: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(name));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, Buffer.from(key.fingerprint, 'hex'), iv, cipher.getAuthTag(), body]);
}

/** The plain bytes of an encrypted file `name` in `dir`; a clear error when the key is missing, another, or the file was altered. */
export function decryptBytes(bytes: Buffer, key: ArtifactKey | null, name: string, dir: string): Buffer<ArrayBuffer> {
  const fingerprint = bytes.subarray(MAGIC.length, MAGIC.length + 8).toString('hex');
  if (!key) {
    throw new UserInputError(
      `${name} in ${dir} is encrypted (key ${fingerprint}), but this installation has no model key (${KEY_FILE} in the data folder). The model was encrypted by another installation, or the key was deleted: copy that installation's key file here (owner-only permissions), or train the model again.`,
    );
  }
  if (fingerprint !== key.fingerprint) {
    throw new UserInputError(
      `${name} in ${dir} was encrypted with another installation's key (fingerprint ${fingerprint}; this installation's is ${key.fingerprint}). Use the model on the installation that trained it, copy that installation's key file here, or train the model again.`,
    );
  }
  const iv = bytes.subarray(MAGIC.length + 8, MAGIC.length + 20);
  const tag = bytes.subarray(MAGIC.length + 20, HEADER);
  const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
  decipher.setAAD(Buffer.from(name));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(bytes.subarray(HEADER)), decipher.final()]);
  } catch {
    throw new UserInputError(`${name} in ${dir} does not decrypt with this installation's key: it was altered or damaged after it was written. Restore the model from a backup, or train it again.`);
  }
}

/**
 * A model file as its readers need it: decrypted when it is encrypted (with the key `artifactKeyFor`
 * finds), as stored otherwise. Every loader of weights goes through this.
 */
export async function readArtifactFile(dir: string, name: string): Promise<Buffer<ArrayBuffer>> {
  const bytes = await readFile(join(dir, name));
  if (!isEncrypted(bytes)) return bytes;
  return decryptBytes(bytes, await artifactKeyFor(dir), name, dir);
}

/** Bytes as they go to disk: encrypted with `key` and bound to the file's final `name` when encrypting, as they are otherwise. */
export function sealBytes(plain: Buffer, key: ArtifactKey | null | undefined, name: string): Buffer {
  return key ? encryptBytes(plain, key, name) : plain;
}

/**
 * A file written with `sealBytes` (a checkpoint: it holds weights too), decrypted when encrypted;
 * null when it does not exist. A key problem throws its own message (never "no checkpoint").
 */
export async function readSealedFile(dir: string, name: string): Promise<Buffer | null> {
  const bytes = await readFile(join(dir, name)).catch(() => null);
  if (!bytes) return null;
  return isEncrypted(bytes) ? decryptBytes(bytes, await artifactKeyFor(dir), name, dir) : bytes;
}
