/**
 * Writing an export folder safely: the target must not exist (nothing of the user's is ever
 * overwritten), the files are written into a hidden sibling and renamed into place only when all
 * are complete, so a failed export leaves nothing half-written behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { access, constants, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserInputError } from '../protocol.js';

/** One file written, relative to the export folder. */
export interface WrittenFile {
  path: string;
  size: number;
  sha256: string;
}

/** A finished export folder. */
export interface WrittenFolder {
  /** Absolute path of the folder. */
  path: string;
  files: WrittenFile[];
  /** Total bytes of the files. */
  bytes: number;
}

/** Refuses a target that exists or whose parent cannot be written, with what to do instead. */
export async function checkTarget(target: string): Promise<string> {
  const path = resolve(target);
  if (await stat(path).catch(() => null)) {
    throw new UserInputError(`${path} already exists: the export never overwrites files. Choose a new folder name, or delete that one first.`);
  }
  const parent = dirname(path);
  const parentStat = await stat(parent).catch(() => null);
  if (!parentStat?.isDirectory()) throw new UserInputError(`The folder ${parent} does not exist. Create it first, or choose another place for the export.`);
  try {
    await access(parent, constants.W_OK);
  } catch {
    throw new UserInputError(`${parent} is read-only for this user, so the export cannot be written there. Choose a folder you can write to.`);
  }
  return path;
}

/**
 * Writes `files` (relative path → content) as the folder `target`. Missing subfolders are made.
 * Throws `UserInputError` for the target problems `checkTarget` names and for a disk that fills up.
 */
export async function writeFolder(target: string, files: Array<{ path: string; content: Uint8Array | string }>): Promise<WrittenFolder> {
  const path = await checkTarget(target);
  const staging = join(dirname(path), `.${basename(path)}.partial-${randomBytes(4).toString('hex')}`);
  const written: WrittenFile[] = [];
  try {
    await mkdir(staging);
    for (const file of files) {
      const bytes = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
      await mkdir(dirname(join(staging, file.path)), { recursive: true });
      await writeFile(join(staging, file.path), bytes);
      written.push({ path: file.path, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    await rename(staging, path);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new UserInputError(`${dirname(path)} is read-only for this user, so the export cannot be written there. Choose a folder you can write to.`);
    }
    if (code === 'ENOSPC') throw new UserInputError(`The disk holding ${dirname(path)} is full; nothing was written. Free some space or choose another disk.`);
    if (code === 'EEXIST' || code === 'ENOTEMPTY') throw new UserInputError(`${path} appeared while the export was being written; nothing of it was changed. Choose a new folder name.`);
    throw error;
  }
  return { path, files: written, bytes: written.reduce((sum, f) => sum + f.size, 0) };
}
