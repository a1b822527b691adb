/**
 * Storage faults named for what they are. SQLite reports a full disk as SQLITE_FULL, but also as
 * a plain "disk I/O error" when the shared-memory file cannot grow; a read-only folder as
 * "unable to open database file"; a write-ahead log deleted under a running process as a short
 * read. Left as they come, all three read like a damaged database, and the advice to restore a
 * backup is wrong for each. Every store error passes through `classifyStorageError`, so each
 * write path gets the same message for the same fault.
 */
import { accessSync, constants, existsSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { diskFullMessage, freeBytes, LOW_SPACE_BYTES } from '../workers/disk.js';

/** The store refused to open or to write; the message says what to do. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** Which fault a `StorageFault` is. */
export type StorageFaultKind = 'disk-full' | 'read-only' | 'wal-deleted';

/** A store error caused by the disk or folder, not by the database's content. */
export class StorageFault extends StoreError {
  override name = 'StorageFault';
  constructor(
    /** What went wrong with the storage. */
    readonly kind: StorageFaultKind,
    message: string,
  ) {
    super(message);
  }
}

/** The one message for a full disk, wherever the write happened. */
export function diskFull(folder: string): StorageFault {
  return new StorageFault('disk-full', diskFullMessage(folder, freeBytes(folder)));
}

/** The one message for a folder that cannot be written. */
export function readOnly(folder: string): StorageFault {
  return new StorageFault(
    'read-only',
    `The data folder ${folder} is read-only: Pilot Workbench can show and back up the data in it, but cannot change it. Make the folder writable (or remount its disk read-write), or choose another data directory with --data-dir.`,
  );
}

/** Whether this process may create files in `folder` (EROFS and EACCES both say no; root passes EACCES). */
export function folderWritable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The write-ahead log is gone but the shared-memory index still exists: someone deleted the log while a process had the database open. */
export function walDeleted(path: string): boolean {
  return existsSync(`${path}-shm`) && !existsSync(`${path}-wal`);
}

/** Other processes with the database or its companions open (Linux: /proc/PID/fd; elsewhere none are known). */
export function holdersOf(path: string): number[] {
  const targets = new Set([path, `${path}-wal`, `${path}-shm`, `${path}-wal (deleted)`].map((p) => resolve(p)));
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (targets.has(target)) {
        pids.push(pid);
        break;
      }
    }
  }
  return pids;
}

/** The message for a database whose `-wal` was deleted while another process held it. */
export function heldWithoutWal(path: string): StorageFault {
  const pids = holdersOf(path);
  const who = pids.length > 0 ? `another process (PID ${pids.join(', ')})` : 'another process';
  return new StorageFault(
    'wal-deleted',
    `The database ${path} is open in ${who}, and its write-ahead log (${path}-wal) was deleted while it was open. The database file is not damaged: let that process finish and close (it still holds its recent changes), then retry. Do not delete files beside the database.`,
  );
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * The storage fault behind `error` for the database at `path`, or null when the error is not
 * about storage (a constraint, a bad query). I/O errors count as a full disk only when the disk
 * is nearly full, and as a read-only folder only when the folder cannot be written.
 */
export function classifyStorageError(error: unknown, path: string): StorageFault | null {
  if (error instanceof StorageFault) return error;
  const code = codeOf(error);
  const folder = dirname(resolve(path));
  const io = code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_') || code === 'EIO';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return diskFull(folder);
  if (code === 'EROFS' || (io && !folderWritable(folder)) || (io && fileReadOnly(path))) return readOnly(folder);
  if (io) {
    const free = freeBytes(folder);
    if (free !== null && free < LOW_SPACE_BYTES) return diskFull(folder);
  }
  if ((io || code === 'SQLITE_CORRUPT') && walDeleted(path)) return heldWithoutWal(path);
  return null;
}

function fileReadOnly(path: string): boolean {
  try {
    statSync(path);
  } catch {
    return false;
  }
  try {
    accessSync(path, constants.W_OK);
    return false;
  } catch {
    return true;
  }
}
