/**
 * Sequential write and read of the data directory's drive: a temporary file written in 4 MiB
 * chunks, fsync'ed (so the figure is the drive's, not the page cache's), read back bypassing the
 * cache where the OS allows (O_DIRECT on Linux), and always removed — also on cancel or error. Skipped, with the reason, when the directory is not writable
 * or the drive has too little free space.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { throwIfCancelled } from '../protocol.js';

const CHUNK = 4 * 1024 * 1024;
/** Free space the test leaves untouched, so it can never fill a drive. */
const MARGIN_BYTES = 1024 ** 3;

export type DiskBenchResult =
  /** `uncached`: the read bypassed the OS cache (O_DIRECT), so it is the drive's speed. */
  | { writeMBps: number; readMBps: number; uncached: boolean; skipped: null }
  | { writeMBps: null; readMBps: null; uncached: false; skipped: string };

const skip = (why: string): DiskBenchResult => ({ writeMBps: null, readMBps: null, uncached: false, skipped: why });

/**
 * Opens the file for reads that bypass the page cache (Linux O_DIRECT) and finds a buffer offset
 * the kernel accepts: O_DIRECT needs a block-aligned buffer and JavaScript cannot ask for one, so
 * offsets are tried in 16-byte steps (the allocator's granularity) until a read succeeds.
 * Null where O_DIRECT is unsupported (macOS, Windows, tmpfs).
 */
async function openDirect(file: string): Promise<{ handle: FileHandle; buffer: Buffer } | null> {
  const direct = (constants as Record<string, number | undefined>)['O_DIRECT'];
  if (!direct) return null;
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | direct);
  } catch {
    return null;
  }
  const backing = Buffer.allocUnsafeSlow(CHUNK + 4096);
  for (let offset = 0; offset < 4096; offset += 16) {
    const buffer = backing.subarray(offset, offset + CHUNK);
    try {
      await handle.read(buffer, 0, CHUNK, 0);
      return { handle, buffer };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') break;
    }
  }
  await handle.close();
  return null;
}

export interface DiskBenchOptions {
  dir: string;
  bytes: number;
  /** Free bytes on the drive (from statfs); null when unknown. */
  freeBytes: number | null;
  signal: AbortSignal;
  /** Called after each chunk with the fraction done (0..1). */
  onProgress?: (fraction: number) => void;
}

export async function benchDisk(options: DiskBenchOptions): Promise<DiskBenchResult> {
  const { dir, bytes, freeBytes, signal } = options;
  if (freeBytes !== null && freeBytes < bytes + MARGIN_BYTES) {
    return skip(`skipped: only ${(freeBytes / 1024 ** 3).toFixed(1)} GB free on the data drive; the test needs ${((bytes + MARGIN_BYTES) / 1024 ** 3).toFixed(1)} GB`);
  }
  const file = path.join(dir, `.pilot-disk-bench-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const chunk = randomBytes(CHUNK); // random data: a compressing or deduplicating drive cannot cheat
  const chunks = Math.max(1, Math.round(bytes / CHUNK));
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'no write permission' : code === 'EROFS' ? 'read-only file system' : code === 'ENOSPC' ? 'no space left' : code === 'ENOENT' ? 'the directory does not exist' : String(code ?? error);
    return skip(`skipped: cannot create a test file in ${dir} (${why})`);
  }
  try {
    const writeStart = performance.now();
    for (let i = 0; i < chunks; i++) {
      throwIfCancelled(signal);
      await handle.write(chunk, 0, CHUNK, i * CHUNK);
      options.onProgress?.((i + 1) / (2 * chunks));
    }
    await handle.sync();
    const writeSeconds = (performance.now() - writeStart) / 1000;
    await handle.close();
    handle = undefined;

    const direct = await openDirect(file);
    const reader = direct?.handle ?? (await open(file, 'r'));
    try {
      const buffer = direct?.buffer ?? Buffer.allocUnsafe(CHUNK);
      const readStart = performance.now();
      for (let i = 0; i < chunks; i++) {
        throwIfCancelled(signal);
        await reader.read(buffer, 0, CHUNK, i * CHUNK);
        options.onProgress?.(0.5 + (i + 1) / (2 * chunks));
      }
      const readSeconds = (performance.now() - readStart) / 1000;
      const megabytes = (chunks * CHUNK) / 1e6;
      return { writeMBps: megabytes / writeSeconds, readMBps: megabytes / readSeconds, uncached: direct !== null, skipped: null };
    } finally {
      await reader.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      return skip('skipped: the drive ran out of space during the test');
    }
    throw error;
  } finally {
    await handle?.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
  }
}
