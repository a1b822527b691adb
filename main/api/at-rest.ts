/**
 * Encryption at rest of model weights (`pilot models encryption on|off`): whether new models are
 * encrypted (every trainer's job input carries it), imported bundles stored encrypted while it is
 * on, and existing versions encrypted or decrypted on request (`--existing`), one version at a
 * time and atomically (workers/trainer/recrypt.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setArtifactSha256 } from '../../db/models.js';
import { listVersions } from '../../db/registry.js';
import { getSetting } from '../../db/settings.js';
import { artifactKeyFor, type ArtifactKey, KEY_FILE, keychainOnlyMessage, loadKeyFile, WRAPPED_KEY_FILE } from '../../workers/trainer/encryption.js';
import type { ModelKeyInfo } from '../contract/models.js';
import { recryptArtifact } from '../../workers/trainer/recrypt.js';
import type { App } from '../app-types.js';
import { AppError } from '../errors.js';

export function encryptArtifacts(app: App): boolean {
  return getSetting<boolean>(app.store.read, 'models.encryptAtRest') === true;
}

/** This installation's model key (the desktop's, passed in the environment, or the data folder's key file); null when there is none. */
export function installationKey(app: App): Promise<ArtifactKey | null> {
  return artifactKeyFor(join(app.options.dataDir, 'models', 'any'));
}

/** Where the key is: the desktop says (keychain or key file); serve mode and the CLI look at the data folder. */
export async function keyInfo(app: App): Promise<ModelKeyInfo> {
  const encryptAtRest = encryptArtifacts(app);
  if (app.options.describeKey) return { ...(await app.options.describeKey()), encryptAtRest };
  const { dataDir } = app.options;
  const keychain = { usable: false, backend: null, reason: 'Only the desktop app uses the keychain; serve mode and the CLI use the key file.' };
  const key = await loadKeyFile(dataDir);
  if (key) return { place: 'key-file', path: join(dataDir, KEY_FILE), fingerprint: key.fingerprint, keychain, canMoveToKeychain: false, encryptAtRest };
  const wrapped = join(dataDir, WRAPPED_KEY_FILE);
  if (existsSync(wrapped)) return { place: 'keychain', path: wrapped, fingerprint: null, keychain: { ...keychain, reason: keychainOnlyMessage(dataDir) }, canMoveToKeychain: false, encryptAtRest };
  return { place: 'none', path: null, fingerprint: null, keychain, canMoveToKeychain: false, encryptAtRest };
}

async function requireKey(app: App): Promise<ArtifactKey> {
  const key = await installationKey(app);
  if (!key) throw new AppError('conflict', 'Encryption of models is on, but this installation has no model key (keys/artifact.key in the data folder). Run `pilot models encryption on` to create one, or turn encryption off.');
  return key;
}

/**
 * An unpacked bundle as this installation stores it: its weights encrypted with this
 * installation's key while encryption is on (bundles travel in the clear), as unpacked otherwise.
 * Returns the SHA-256 of its checksums.json as it is now.
 */
export async function storeImported(app: App, artifactDir: string): Promise<{ encrypted: boolean; artifactSha256: string } | null> {
  if (!encryptArtifacts(app)) return null;
  const outcome = await recryptArtifact(artifactDir, await requireKey(app));
  return { encrypted: outcome.encrypted, artifactSha256: outcome.artifactSha256 };
}

/** What `--existing` did to one version. */
export interface RecryptedVersion {
  id: number;
  project: string;
  version: number;
  /** `encrypted` / `decrypted`: rewritten now; `unchanged`: already as asked; `failed`: left as it was (see `message`). */
  status: 'encrypted' | 'decrypted' | 'unchanged' | 'failed';
  message: string | null;
}

/**
 * Encrypts (`on`) or decrypts every registered version's weights. Each version on its own: its
 * folder is rewritten atomically and checked, then its recorded artifact hash updated; one that
 * cannot be (its folder gone, damaged, encrypted with another key) is reported and left as it was,
 * and the others go on. Running it again finishes what an interrupted run left.
 */
export async function recryptExisting(app: App, on: boolean): Promise<RecryptedVersion[]> {
  const key = on ? await requireKey(app) : null;
  const done: RecryptedVersion[] = [];
  for (const version of listVersions(app.store.read)) {
    const row = { id: version.id, project: version.projectName, version: version.version };
    try {
      const outcome = await recryptArtifact(version.artifactDir, key);
      if (outcome.artifactSha256 !== version.artifactSha256) setArtifactSha256(app.store.write, version.id, outcome.artifactSha256);
      done.push({ ...row, status: outcome.changed ? (on ? 'encrypted' : 'decrypted') : 'unchanged', message: null });
    } catch (error) {
      done.push({ ...row, status: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }
  return done;
}
