/**
 * The one way a handler turns what a user typed into a model version: an id (`12`), `PROJECT@N`,
 * `PROJECT@alias`, `PROJECT@production` / `@staging`, or `PROJECT@latest` (db/registry.ts's
 * `resolveVersion`). `pilot predict`, `pilot drift` and `pilot models` accept the same references.
 */
import { RegistryError, resolveVersion, type RegistryVersion } from '../../db/registry.js';
import type { ReadableDB } from '../../db/store.js';
import { AppError } from '../errors.js';

/** Registry refusals become API errors with the same message. */
export function registryGuard<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RegistryError) throw new AppError(error.code, error.message);
    throw error;
  }
}

/** The version a reference names, or an API error that says what exists. */
export function versionOf(db: ReadableDB, ref: string | number): RegistryVersion {
  return registryGuard(() => resolveVersion(db, ref));
}
