/**
 * Free space, checked before a large write so that a full disk is refused up front with the
 * space needed and the space left, instead of failing halfway through a file.
 */
import { existsSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserInputError } from './protocol.js';

/** Below this much free space, an I/O error while writing is taken to mean a full disk. */
export const LOW_SPACE_BYTES = 2 * 1024 * 1024;
/** Room left beyond a write's own size, for the database and logs that follow it. */
const MARGIN_BYTES = 512 * 1024;

/** Free bytes for an unprivileged writer on the file system holding `path` (its nearest existing ancestor); null when unknown. */
export function freeBytes(path: string): number | null {
  let dir = resolve(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    const info = statfsSync(dir);
    return info.bavail * info.bsize;
  } catch {
    return null;
  }
}

/** "3.2 MB" for a byte count; one decimal below 10 MB, none above. */
export function megabytes(bytes: number): string {
  const mb = bytes / 1e6;
  return `${mb < 10 ? mb.toFixed(1) : mb.toFixed(0)} MB`;
}

/** The one wording of a full disk, wherever the write happens. */
export function diskFullMessage(folder: string, free: number | null, need?: { bytes: number; what: string }): string {
  const wanted = need ? ` for ${need.what}: it needs about ${megabytes(need.bytes)},` : ':';
  return `The disk holding ${folder} is full${wanted} ${free === null ? 'no space' : megabytes(free)} free. Free some space and retry; nothing already saved was lost.`;
}

/** Refuses (UserInputError) when fewer than `bytes` plus a margin are free where `path` will be written. */
export function ensureFreeSpace(path: string, bytes: number, what: string): void {
  const free = freeBytes(path);
  if (free === null || free >= bytes + MARGIN_BYTES) return;
  throw new UserInputError(diskFullMessage(dirname(resolve(path)), free, { bytes, what }));
}
