/**
 * Paths that a request names indirectly: an image pilot's source may be a CSV whose path column
 * lists the pictures, and a relative or absolute entry there (`/etc/shadow`, `../../root/x.png`)
 * would be read by the worker like any other. In serve mode each listed path is confined to the
 * server's roots as the request's own paths are (main/serve/confine.ts); the first refused row is
 * named with its line, so the user can fix the file.
 */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { csvImagePaths } from '../../workers/image/files.js';
import { refusal } from './confine.js';

/** The refusal for the first listed path outside the roots, as a 403 message; null when all are inside (or nothing is listed). */
export async function refusedListedPath(channel: string, input: unknown, roots: readonly string[]): Promise<string | null> {
  if (typeof input !== 'object' || input === null || !('source' in input) || typeof input.source !== 'string' || input.source.trim() === '') return null;
  const source = resolve(input.source.trim());
  const pathColumn = 'pathColumn' in input && typeof input.pathColumn === 'string' ? input.pathColumn : undefined;
  try {
    if (!(await stat(source)).isFile()) return null; // a folder: walked by the worker inside the (confined) folder
  } catch {
    return null; // missing: the handler says so
  }
  let listed: Awaited<ReturnType<typeof csvImagePaths>>;
  try {
    listed = await csvImagePaths(source, pathColumn === undefined ? {} : { pathColumn });
  } catch {
    return null; // not a CSV of paths: the job refuses it in its own words
  }
  for (const entry of listed) {
    const why = refusal(entry.path, roots);
    if (!why) continue;
    const where = why === 'secret' ? 'a folder of credentials, which serve mode never opens' : `outside the folders this server may use: ${roots.join(', ')}`;
    return `${channel}: ${basename(source)} line ${entry.line} lists "${entry.listed}", which is ${where}. Keep the pictures a CSV lists inside those folders, or restart pilot serve with --allow DIR for the folder that holds them.`;
  }
  return null;
}
