/**
 * The GPU lock: at most one GPU job at a time across every process that uses one data folder
 * (the desktop app, `pilot serve`, CLI commands). It is a file, `<dataDir>/locks/gpu.lock`,
 * created with O_EXCL (atomic on local file systems) and holding its owner: PID, process start
 * identity, job id and a random nonce. A lock whose owner is gone, or whose PID now belongs to
 * another process, is stale and is broken by renaming it away (only one process's rename can
 * succeed) and checking that what was renamed is the stale lock that was read.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ownerState, ownIdentity } from './liveness.js';

/** What the lock file holds. */
export interface GpuLockHolder {
  pid: number;
  start: string | null;
  jobId: number;
  nonce: string;
  /** Epoch ms when it was taken. */
  at: number;
}

/** A lock file still being written (created, not yet filled) is treated as held for this long. */
const HALF_WRITTEN_GRACE_MS = 10_000;

export type AcquireResult = { acquired: true } | { acquired: false; holder: GpuLockHolder | null };

export class GpuLock {
  readonly path: string;
  #held: GpuLockHolder | null = null;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'locks', 'gpu.lock');
  }

  /** The job this process holds the lock for; null when it holds none. */
  get heldFor(): number | null {
    return this.#held?.jobId ?? null;
  }

  /** Takes the lock for `jobId`, or says who holds it. Never waits. */
  tryAcquire(jobId: number): AcquireResult {
    if (this.#held) return this.#held.jobId === jobId ? { acquired: true } : { acquired: false, holder: this.#held };
    try {
      mkdirSync(join(this.path, '..'), { recursive: true });
    } catch {
      // A folder that cannot take the lock (read-only, full) cannot run jobs either: the job's
      // own writes report that; the lock must not be what crashes the scheduler.
      return { acquired: true };
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const mine: GpuLockHolder = { ...ownIdentity(), jobId, nonce: randomBytes(12).toString('hex'), at: Date.now() };
      try {
        const fd = openSync(this.path, 'wx', 0o644);
        try {
          writeSync(fd, JSON.stringify(mine));
        } finally {
          closeSync(fd);
        }
        this.#held = mine;
        return { acquired: true };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { acquired: true }; // as above
      }
      const holder = this.#read(this.path);
      if (holder === 'missing') continue; // released between our open and our read
      if (holder === 'unreadable') {
        if (!this.#olderThan(this.path, HALF_WRITTEN_GRACE_MS)) return { acquired: false, holder: null };
      } else if (ownerState(holder) === 'alive') {
        return { acquired: false, holder };
      }
      this.#breakStale(holder === 'unreadable' ? null : holder.nonce);
    }
    return { acquired: false, holder: null };
  }

  /** Releases the lock if this process holds it (and only the lock file it wrote). */
  release(): void {
    const held = this.#held;
    if (!held) return;
    this.#held = null;
    const now = this.#read(this.path);
    if (typeof now === 'object' && now.nonce === held.nonce) {
      try {
        unlinkSync(this.path);
      } catch {
        // Already gone: nothing to release.
      }
    }
  }

  /** Moves a stale lock aside; if someone else replaced it in between, puts theirs back. */
  #breakStale(staleNonce: string | null): void {
    const aside = `${this.path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(this.path, aside);
    } catch {
      return; // another process broke it first
    }
    const moved = this.#read(aside);
    const wasStale = staleNonce === null ? moved === 'unreadable' : typeof moved === 'object' && moved.nonce === staleNonce;
    if (!wasStale) {
      try {
        linkSync(aside, this.path); // fails if a third process took the lock meanwhile: it holds it then
      } catch {
        // The lock is held by whoever created it since; the moved one's owner sees it is not theirs.
      }
    }
    try {
      unlinkSync(aside);
    } catch {
      // Nothing to clean.
    }
  }

  #read(path: string): GpuLockHolder | 'missing' | 'unreadable' {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
    }
    try {
      const value = JSON.parse(text) as Partial<GpuLockHolder>;
      if (typeof value.pid === 'number' && typeof value.nonce === 'string' && typeof value.jobId === 'number') {
        return { pid: value.pid, start: typeof value.start === 'string' ? value.start : null, jobId: value.jobId, nonce: value.nonce, at: typeof value.at === 'number' ? value.at : 0 };
      }
    } catch {
      // A half-written or damaged lock file.
    }
    return 'unreadable';
  }

  #olderThan(path: string, ms: number): boolean {
    try {
      return Date.now() - statSync(path).mtimeMs > ms;
    } catch {
      return true;
    }
  }
}

/** The stage line of a GPU job that waits for the machine-wide GPU lock. */
export function waitingForGpu(holder: GpuLockHolder | null): string {
  return holder ? `Waiting for the GPU: job ${holder.jobId} of process ${holder.pid} is using it` : 'Waiting for the GPU';
}
