/**
 * An in-test implementation of the part of Electron's `safeStorage` that main/keychain.ts uses.
 * Electron cannot run here (no binary, no desktop session): this stands in for it with real
 * AES-256-GCM under a secret of its "user" (another user's keychain cannot unwrap), and a Linux
 * storage backend that can be 'basic_text'.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SafeStorageLike } from '../../main/keychain.js';

/** safeStorage as the tests need it: `backend` is what getSelectedStorageBackend() says on Linux. */
export function fakeSafeStorage(options: { available?: boolean; backend?: string; secret?: Buffer; corruptReads?: boolean } = {}): SafeStorageLike & { secret: Buffer } {
  const secret = options.secret ?? randomBytes(32);
  return {
    secret,
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptString(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', secret, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(wrapped) {
      const decipher = createDecipheriv('aes-256-gcm', secret, wrapped.subarray(0, 12));
      decipher.setAuthTag(wrapped.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]).toString('utf8');
      // A keychain that hands back something else than it was given (the move must notice).
      return options.corruptReads ? randomBytes(32).toString('base64') : plain;
    },
  };
}
