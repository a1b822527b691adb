/**
 * Encrypting (or decrypting) a model that already exists: an imported bundle while encryption at
 * rest is on, or the versions trained before `pilot models encryption on|off --existing`.
 *
 * Atomic per model folder: the new files are written to a sibling staging folder, checked
 * (`verifyArtifact`, and the weights read back through the reader every predictor uses must be the
 * very bytes they were before), and only then swapped in by two renames. A crash leaves either
 * the old folder or the new one in place, plus a leftover that the next call on the folder
 * settles (`settleRecrypt`): it never leaves a model half encrypted.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { plainArtifactFiles, verifyArtifact, type Checksums } from './artifact.js';
import { encryptBytes, isEncrypted, readArtifactFile, type ArtifactKey } from './encryption.js';

/** What happened to one model folder. */
export interface RecryptOutcome {
  /** Whether its files were rewritten (false: already as asked). */
  changed: boolean;
  /** Whether its weights are encrypted now. */
  encrypted: boolean;
  /** SHA-256 of its checksums.json now (what the registry records as the artifact's hash). */
  artifactSha256: string;
}

const STAGING = '.recrypt-new';
const PREVIOUS = '.recrypt-old';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Settles what an interrupted rewrite of `dir` left: the old folder back if the swap stopped half-way, leftovers removed. */
export async function settleRecrypt(dir: string): Promise<void> {
  const previous = `${dir}${PREVIOUS}`;
  if (existsSync(previous)) {
    if (existsSync(dir)) await rm(previous, { recursive: true, force: true });
    else await rename(previous, dir);
  }
  await rm(`${dir}${STAGING}`, { recursive: true, force: true });
}

/**
 * Rewrites the model folder `dir` with its weights encrypted with `key`, or in the clear when `key`
 * is null. Decrypting needs the key the weights were encrypted with (this installation's); a model
 * encrypted with another key is refused with what to do, and left as it is.
 */
export async function recryptArtifact(dir: string, key: ArtifactKey | null): Promise<RecryptOutcome> {
  await settleRecrypt(dir);
  await verifyArtifact(dir);
  const stored = await readFile(join(dir, 'weights.bin'));
  const encrypted = isEncrypted(stored);
  // Encrypted with this key, or in the clear, as asked: nothing to do (a model under another key still fails below, when read).
  const sameKey = encrypted && key !== null && stored.subarray(8, 16).toString('hex') === key.fingerprint;
  if ((key === null && !encrypted) || sameKey) return { changed: false, encrypted, artifactSha256: sha256(await readFile(join(dir, 'checksums.json'))) };

  const files = new Map<string, Buffer>((await plainArtifactFiles(dir)).map((file) => [file.path, Buffer.from(file.content)]));
  const weights = files.get('weights.bin')!;
  const weightsSha256 = sha256(weights);
  if (key) {
    files.set('weights.bin', encryptBytes(weights, key, 'weights.bin'));
    const metadata = JSON.parse(files.get('metadata.json')!.toString('utf8')) as Record<string, unknown>;
    files.set('metadata.json', Buffer.from(JSON.stringify({ ...metadata, encryption: { algorithm: 'aes-256-gcm', files: ['weights.bin'], keyFingerprint: key.fingerprint } }, null, 1)));
    const checksums: Checksums = { algorithm: 'sha256', files: {} };
    for (const [name, content] of files) if (name !== 'checksums.json') checksums.files[name] = sha256(content);
    files.set('checksums.json', Buffer.from(JSON.stringify(checksums, null, 1)));
  }

  const staging = `${dir}${STAGING}`;
  await mkdir(staging);
  try {
    // checksums.json last: a folder with a complete checksums.json is a complete artifact.
    for (const [name, content] of files) if (name !== 'checksums.json') await writeFile(join(staging, name), content);
    await writeFile(join(staging, 'checksums.json'), files.get('checksums.json')!);
    await verifyArtifact(staging);
    const readBack = await readArtifactFile(staging, 'weights.bin');
    if (sha256(readBack) !== weightsSha256) throw new Error(`The rewritten weights of ${dir} do not read back as the original ones; the model was left as it was.`);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  await rename(dir, `${dir}${PREVIOUS}`);
  await rename(staging, dir);
  await rm(`${dir}${PREVIOUS}`, { recursive: true, force: true });
  return { changed: true, encrypted: key !== null, artifactSha256: sha256(files.get('checksums.json')!) };
}
