/**
 * The folders serve mode may touch. A token holder drives the workbench over HTTP; the paths in
 * their requests (files to import, folders to watch or train from, where predictions and exports
 * go, GPU library folders) are resolved — symbolic links included — and must lie inside one of
 * the roots the server was started with: `pilot serve --allow DIR …`, by default the data folder
 * and the user's home. System folders (/etc, /proc, /sys, /dev, /boot, /usr, /var, /run, /root
 * unless it is the home, …) are never roots, and secret folders inside a root (~/.ssh, ~/.gnupg,
 * cloud credentials) stay out of reach. The desktop app and the CLI are not confined: their user
 * is at the machine with the file system's own permissions.
 */
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Folders that are never roots, and that a root may not contain. */
const SYSTEM_FOLDERS =
  process.platform === 'win32'
    ? [process.env['SystemRoot'] ?? 'C:\\Windows', process.env['ProgramFiles'] ?? 'C:\\Program Files', process.env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)', process.env['ProgramData'] ?? 'C:\\ProgramData']
    : ['/etc', '/proc', '/sys', '/dev', '/boot', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/var', '/run', '/root', '/System', '/Library', '/private', '/Applications'];

/** Folders and files inside a root that hold credentials, refused even there. */
const SECRET_NAMES = new Set(['.ssh', '.gnupg', '.aws', '.azure', '.kube', '.docker', '.password-store', '.netrc', '.pgpass', '.git-credentials', 'gcloud']);

/** The key of an input field that holds a file or folder path (`path`, `outPath`, `dirs`, `folder`, an image pilot's `source` and `backbone`, …). */
export function isPathKey(key: string): boolean {
  return /^(path|paths|file|files|folder|folders|dir|dirs|out|source|backbone)$/i.test(key) || /(Path|Paths|File|Files|Folder|Folders|Dir|Dirs)$/.test(key);
}

/** A path with symbolic links resolved as far as it exists (the rest, not yet created, appended). */
export function realPath(path: string): string {
  const absolute = resolve(path);
  const missing: string[] = [];
  let existing = absolute;
  for (;;) {
    try {
      const real = realpathSync.native(existing);
      return missing.length ? join(real, ...missing.reverse()) : real;
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return absolute;
      missing.push(basename(existing));
      existing = parent;
    }
  }
}

function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Checks and resolves the roots given to `pilot serve --allow`. Throws an Error with the reason
 * for a root that lies in or holds a system folder. The user's home is allowed even where it lies
 * in one (root's home is /root); the data folder is the app's own and is refused only when it
 * holds one (a data folder of /).
 */
export function resolveRoots(dirs: readonly string[], options: { dataDir: string; home?: string }): string[] {
  const home = realPath(options.home ?? homedir());
  const system = SYSTEM_FOLDERS.map(realPath);
  const roots: string[] = [];
  const check = (dir: string, isDataDir: boolean) => {
    const real = realPath(dir);
    const holds = system.find((folder) => inside(folder, real) && !inside(folder, home));
    const lies = isDataDir || inside(real, home) ? undefined : system.find((folder) => inside(real, folder));
    const bad = holds ?? lies;
    if (bad) {
      throw new Error(`--allow ${dir}: serve mode never opens system folders (${real === bad ? real : holds ? `${real} holds ${bad}` : `${real} lies in ${bad}`}). Allow a folder of your data instead.`);
    }
    if (!roots.includes(real)) roots.push(real);
  };
  check(options.dataDir, true);
  for (const dir of dirs) check(dir, false);
  return roots;
}

/** The default roots: the data folder and the user's home. */
export function defaultRoots(dataDir: string, home = homedir()): string[] {
  return resolveRoots([home], { dataDir, home });
}

/** Why a path is refused; null when it lies inside a root. */
export function refusal(path: string, roots: readonly string[]): 'outside' | 'secret' | null {
  const real = realPath(path);
  const root = roots.find((folder) => inside(real, folder));
  if (!root) return 'outside';
  const parts = relative(root, real).split(sep);
  if (parts.some((part) => SECRET_NAMES.has(part))) return 'secret';
  return null;
}

/** A path field of a request that is refused, with the field's name. */
export interface RefusedPath {
  field: string;
  path: string;
  why: 'outside' | 'secret';
}

/**
 * Every path in a request's input that lies outside the roots: fields named like paths, at any
 * depth, and a setting whose key is (`settings:set` of `gpu.libraryDirs`, the `drift.watch` folder).
 */
export function refusedPaths(channel: string, input: unknown, roots: readonly string[]): RefusedPath[] {
  const found: RefusedPath[] = [];
  const check = (field: string, value: unknown) => {
    const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
    for (const path of values) {
      const why = path.trim() === '' ? null : refusal(path.trim(), roots);
      if (why) found.push({ field, path, why });
    }
  };
  const walk = (value: unknown, at: string, depth: number) => {
    if (depth > 8 || typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
      const field = at ? `${at}.${key}` : String(key);
      if (typeof key === 'string' && isPathKey(key)) check(field, inner);
      walk(inner, field, depth + 1);
    }
  };
  if (channel === 'settings:set' && typeof input === 'object' && input !== null && 'key' in input && typeof input.key === 'string' && 'value' in input) {
    const last = input.key.split('.').at(-1) ?? '';
    if (isPathKey(last)) check(input.key, input.value);
    walk(input.value, input.key, 0);
    return found;
  }
  walk(input, '', 0);
  return found;
}

/** The 403 message for refused paths: which field, and the roots this server may use. */
export function describeRefusal(channel: string, refused: readonly RefusedPath[], roots: readonly string[]): string {
  const first = refused[0]!;
  const where = first.why === 'secret' ? 'a folder of credentials, which serve mode never opens' : `outside the folders this server may use: ${roots.join(', ')}`;
  return `${channel}: ${first.field} "${first.path}" is ${where}. Move the file into one of them, or restart pilot serve with --allow DIR for the folder that holds it.`;
}
