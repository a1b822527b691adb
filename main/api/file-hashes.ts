/**
 * SHA-256 of files the app checks again and again (a dataset before each use: scoring, training,
 * a model's lineage), remembered while the file's size, modification time and inode stay the
 * same: a 1 GB dataset is read once per process, not on every click. As git does for its index,
 * a hash taken less than two seconds after the file's last modification is not remembered, since
 * a write within the same clock tick could leave size and time unchanged.
 */
import type { Stats } from 'node:fs';
import { hashFile } from '../../workers/importer/index.js';

/** How recent a modification must be for its hash not to be trusted later (file systems' time granularity, with a margin). */
const RACY_MS = 2000;

interface Known {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

export class FileHashes {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly hash: (path: string) => Promise<string> = hashFile,
    private readonly now: () => number = Date.now,
  ) {}

  /** The SHA-256 of `path`, whose `stat` (taken just before) is `info`. */
  async sha256(path: string, info: Stats): Promise<string> {
    const known = this.known.get(path);
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs && known.ino === info.ino) return known.sha256;
    const hashedAt = this.now();
    const sha256 = await this.hash(path);
    if (hashedAt - info.mtimeMs >= RACY_MS) this.known.set(path, { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, sha256 });
    else this.known.delete(path);
    return sha256;
  }
}

/** The process's hashes (the backend is one process; each CLI command another). */
export const fileHashes = new FileHashes();
