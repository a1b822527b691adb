/**
 * Bundle signatures. The attack that worked before: zero the weights, rewrite `checksums.json`
 * and the manifest's hashes to match, and the bundle imported with its old 0.958 accuracy. Now
 * the signature covers the manifest (which lists every file's SHA-256): kept, it no longer
 * verifies and the bundle is refused; stripped, the import is marked unsigned; re-signed by
 * another key, it is marked as an unknown signer.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_MAGIC, readBundle, readManifest, writeBundle, type BundleVersionInfo } from '../../../workers/evaluate/bundle.js';
import { loadOrCreateSigner, trustedKeys } from '../../../workers/evaluate/signing.js';
import { binaryArtifact, tempDir } from './helpers.js';

const INFO: BundleVersionInfo = {
  project: 'churn', question: '', version: 1, task: 'binary', target: 'y', backend: 'cpu', datasetSha256: 'a'.repeat(64),
  hyperparameters: {}, testMetrics: { accuracy: 0.958 }, baselines: {}, description: '', stage: 'production', createdAt: 1, run: {},
};
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('signed bundles', () => {
  it('keeps the key owner-only, and shows one fingerprint per installation', () => {
    const home = tempDir();
    const signer = loadOrCreateSigner(home);
    expect(statSync(join(home, 'keys', 'bundle-signing.pem')).mode & 0o777).toBe(0o600);
    expect(signer.fingerprint).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    expect(loadOrCreateSigner(home).fingerprint).toBe(signer.fingerprint);
    expect(loadOrCreateSigner(tempDir()).fingerprint).not.toBe(signer.fingerprint);
  });

  it('verifies on import: trusted here, unknown elsewhere, refused when the weights were swapped under the signature', async () => {
    const here = tempDir();
    const elsewhere = tempDir();
    const artifact = await binaryArtifact(here);
    const bundle = join(here, 'signed.pilotmodel');
    const written = await writeBundle(artifact, INFO, bundle, loadOrCreateSigner(here));
    expect(written.fingerprint).toBe(loadOrCreateSigner(here).fingerprint);

    expect((await readBundle(bundle, join(here, 'in-here'), undefined, trustedKeys(here))).signer).toEqual({ status: 'trusted', fingerprint: written.fingerprint });
    loadOrCreateSigner(elsewhere);
    expect((await readBundle(bundle, join(elsewhere, 'in-elsewhere'), undefined, trustedKeys(elsewhere))).signer.status).toBe('unknown-signer');

    // The attack: zeroed weights, checksums.json and the manifest's hashes rewritten to match, old signature kept.
    const { manifest, dataOffset } = await readManifest(bundle);
    const raw = JSON.parse(readFileSync(bundle).subarray(BUNDLE_MAGIC.length, dataOffset - 1).toString('utf8')) as { signature: unknown };
    const payload = readFileSync(bundle).subarray(dataOffset);
    const parts: Record<string, Buffer> = {};
    let at = 0;
    for (const f of manifest.files) {
      parts[f.path] = Buffer.from(payload.subarray(at, at + f.size));
      at += f.size;
    }
    parts['weights.bin']!.fill(0);
    const checksums = JSON.parse(parts['checksums.json']!.toString()) as { files: Record<string, string> };
    checksums.files['weights.bin'] = sha(parts['weights.bin']!);
    parts['checksums.json'] = Buffer.from(JSON.stringify(checksums, null, 1));
    const files = manifest.files.map((f) => ({ ...f, size: parts[f.path]!.length, sha256: sha(parts[f.path]!) }));
    const forged = (signature: unknown) => {
      const line = JSON.stringify({ format: manifest.format, formatVersion: manifest.formatVersion, createdAt: manifest.createdAt, info: manifest.info, files, ...(signature ? { signature } : {}) });
      const path = join(here, `forged-${Math.random().toString(36).slice(2)}.pilotmodel`);
      writeFileSync(path, Buffer.concat([Buffer.from(`${BUNDLE_MAGIC}${line}\n`), ...manifest.files.map((f) => parts[f.path]!)]));
      return path;
    };
    await expect(readBundle(forged(raw.signature), join(here, 'x1'), undefined, trustedKeys(here))).rejects.toThrow(/signature \(key [0-9a-f ]+\) does not match its contents/);
    expect((await readBundle(forged(null), join(here, 'x2'), undefined, trustedKeys(here))).signer).toEqual({ status: 'unsigned', fingerprint: null });
  });
});
