/**
 * Uploads are stored as `<data folder>/uploads/<stamp>-<random>/<file name>`, a path the user never
 * chose and does not know. Messages that name an uploaded file (an import that fails, a quality
 * check's warning) name it by the user's own file name instead: every message and warning serve
 * mode sends is passed through here. Paths in data (a dataset's `path`) are left as they are, so
 * later calls can still use them.
 */
import { realPath } from './confine.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A function that rewrites `…/uploads/<folder>/name` to `name` in a message. */
export function uploadNamer(dataDir: string): (text: string) => string {
  const roots = [...new Set([dataDir, realPath(dataDir)])].map((dir) => escape(dir.replace(/[\\/]+$/, '')));
  const pattern = new RegExp(`(?:${roots.join('|')})[\\\\/]uploads[\\\\/][^\\\\/\\s"'”]+[\\\\/]`, 'g');
  return (text) => text.replace(pattern, '');
}

/** Keys whose strings are words for people (rewritten); every other string is data (kept). */
const WORDS = /^(message|warnings?|stage|note|reason|detail|title)$/;

/** `value` with the messages and warnings inside it rewritten (a copy where anything changed). */
export function nameUploads<T>(value: T, rename: (text: string) => string, key = '', depth = 0): T {
  if (depth > 12) return value;
  if (typeof value === 'string') return (WORDS.test(key) ? rename(value) : value) as T;
  if (Array.isArray(value)) return value.map((item) => nameUploads(item, rename, key, depth + 1)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nameUploads(v, rename, k, depth + 1)])) as T;
  }
  return value;
}
