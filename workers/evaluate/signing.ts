/**
 * Bundle signatures. Checksums only prove a bundle is what its manifest says; anyone can zero
 * the weights and rewrite the manifest and `checksums.json` to match. Each installation has an
 * Ed25519 key (node:crypto) in its data folder, readable by its owner only; an export signs the
 * manifest's exact bytes, which list every file's SHA-256, so the signature covers the weights.
 * An import verifies: a signature that does not verify is refused; a bundle that is unsigned or
 * signed by a key this installation does not trust is imported but marked as such.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserInputError } from '../protocol.js';

/** The signature carried in a manifest. */
export const signatureSchema = z.object({
  algorithm: z.literal('ed25519'),
  /** The signer's public key, SPKI DER, base64. */
  publicKey: z.string().min(1).max(200),
  /** Ed25519 signature of the manifest's JSON without this field, base64. */
  value: z.string().min(1).max(200),
});
/** A manifest's signature. */
export type BundleSignature = z.infer<typeof signatureSchema>;

/** This installation's signing key. */
export interface Signer {
  privateKey: KeyObject;
  /** SPKI DER, base64, as carried in manifests. */
  publicKey: string;
  /** What people compare: the first 16 bytes of the public key's SHA-256, in groups of four hex digits. */
  fingerprint: string;
}

/** Who signed an imported bundle, as far as this installation can tell. */
export interface SignerStatus {
  /** `trusted`: signed by this installation or a key in keys/trusted; `unknown-signer`: a valid signature by another key; `unsigned`: none. */
  status: 'trusted' | 'unknown-signer' | 'unsigned';
  fingerprint: string | null;
}

/** Fingerprint of a base64 SPKI public key. */
export function fingerprintOf(publicKey: string): string {
  const hex = createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 32);
  return hex.match(/.{4}/g)!.join(' ');
}

const keyDir = (dataDir: string) => join(dataDir, 'keys');

/** Loads this installation's key, creating it (owner-only permissions) on first use. */
export function loadOrCreateSigner(dataDir: string): Signer {
  const dir = keyDir(dataDir);
  const path = join(dir, 'bundle-signing.pem');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(path, 0o600);
  const privateKey = createPrivateKey(readFileSync(path));
  const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
  return { privateKey, publicKey, fingerprint: fingerprintOf(publicKey) };
}

/** Public keys this installation trusts: its own and each `keys/trusted/*.pub` (base64 SPKI, one per file). */
export function trustedKeys(dataDir: string): Set<string> {
  const keys = new Set<string>();
  if (existsSync(join(keyDir(dataDir), 'bundle-signing.pem'))) keys.add(loadOrCreateSigner(dataDir).publicKey);
  const trusted = join(keyDir(dataDir), 'trusted');
  if (existsSync(trusted)) for (const name of readdirSync(trusted)) if (name.endsWith('.pub')) keys.add(readFileSync(join(trusted, name), 'utf8').trim());
  return keys;
}

/** Signs the exact bytes of the manifest written without a signature. */
export function signManifest(unsignedJson: string, signer: Signer): BundleSignature {
  return { algorithm: 'ed25519', publicKey: signer.publicKey, value: sign(null, Buffer.from(unsignedJson), signer.privateKey).toString('base64') };
}

/**
 * Checks a manifest's signature against the manifest's own bytes (`raw`, as parsed, with the
 * signature removed and written back in the same key order). A signature that does not verify
 * means the bundle was changed after it was signed: refused.
 */
export function checkSignature(raw: Record<string, unknown>, trusted: Set<string>, name: string): SignerStatus {
  const { signature, ...rest } = raw;
  if (signature === undefined) return { status: 'unsigned', fingerprint: null };
  const parsed = signatureSchema.safeParse(signature);
  if (!parsed.success) throw new UserInputError(`${name} carries a malformed signature: it was altered. Nothing was imported; export the version again.`);
  let valid = false;
  try {
    const key = createPublicKey({ key: Buffer.from(parsed.data.publicKey, 'base64'), format: 'der', type: 'spki' });
    valid = verify(null, Buffer.from(JSON.stringify(rest)), key, Buffer.from(parsed.data.value, 'base64'));
  } catch {
    valid = false;
  }
  const fingerprint = fingerprintOf(parsed.data.publicKey);
  if (!valid) throw new UserInputError(`${name}'s signature (key ${fingerprint}) does not match its contents: the bundle was changed after it was signed. Nothing was imported; get the bundle again from its source.`);
  return { status: trusted.has(parsed.data.publicKey) ? 'trusted' : 'unknown-signer', fingerprint };
}
