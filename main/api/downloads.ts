/**
 * Files the workbench writes for the user to take away (try-it results, bundles, model cards):
 * each in its own folder `downloads/<id>/` of the data folder, named by a random id. Serve mode
 * sends one with `GET /api/download/<id>` (the token required, nothing outside this folder
 * reachable, as the id is checked and the folder holds one file); the desktop reads its text with
 * `downloads:read` for the save dialog. Folders older than a day are removed when a new one is made.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DOWNLOAD_ID } from '../contract/tryit.js';

const KEEP_MS = 24 * 60 * 60 * 1000;

/** A safe file name: letters, digits, dot, dash and underscore. */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '').slice(0, 120);
  return cleaned || 'download';
}

/** A new download folder; the caller writes `path`. */
export async function newDownload(dataDir: string, fileName: string): Promise<{ id: string; path: string; folder: string; fileName: string }> {
  const root = join(dataDir, 'downloads');
  await mkdir(root, { recursive: true });
  await sweep(root);
  const id = randomBytes(12).toString('hex');
  const folder = join(root, id);
  await mkdir(folder);
  const name = safeName(fileName);
  return { id, path: join(folder, name), folder, fileName: name };
}

/** The file of a download, or null when the id is malformed, unknown or its folder holds no single file. */
export async function findDownload(dataDir: string, id: string): Promise<{ path: string; fileName: string; bytes: number } | null> {
  if (!DOWNLOAD_ID.test(id)) return null;
  const folder = join(dataDir, 'downloads', id);
  const names = await readdir(folder).catch(() => null);
  if (!names || names.length !== 1) return null;
  const path = join(folder, names[0]!);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  return { path, fileName: names[0]!, bytes: info.size };
}

async function sweep(root: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const info = await stat(join(root, name)).catch(() => null);
    if (info && now - info.mtimeMs > KEEP_MS) await rm(join(root, name), { recursive: true, force: true }).catch(() => {});
  }
}
