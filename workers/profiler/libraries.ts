/**
 * Where the CUDA runtime and cuDNN that `@tensorflow/tfjs-node-gpu` 4.x needs are, or are not.
 * It is linked against CUDA 11 (`libcudart.so.11.0` / `cudart64_110.dll`) and cuDNN 8
 * (`libcudnn.so.8` / `cudnn64_8.dll`); a newer CUDA next to it does not help, and a right version
 * in a directory the loader does not search does not help either. Both cases are named.
 */
import { readdir as fsReaddir } from 'node:fs/promises';
import path from 'node:path';
import type { CommandRunner } from './runner.js';
import type { LibrarySearch } from './types.js';

export interface LibrarySources {
  platform: NodeJS.Platform;
  arch: string;
  env: Record<string, string | undefined>;
  run: CommandRunner;
  /** Lists a directory's file names; throws when it does not exist. */
  readdir?: (dir: string) => Promise<string[]>;
}

interface LibrarySpec {
  wanted: string;
  /** Matches any version of the library; group 1 = the version. */
  pattern: RegExp;
}

function specs(platform: NodeJS.Platform): { cudart: LibrarySpec; cudnn: LibrarySpec } {
  if (platform === 'win32') {
    return {
      cudart: { wanted: 'cudart64_110.dll', pattern: /^cudart64_(\d+)\.dll$/iu },
      cudnn: { wanted: 'cudnn64_8.dll', pattern: /^cudnn64_(\d+)\.dll$/iu },
    };
  }
  return {
    cudart: { wanted: 'libcudart.so.11.0', pattern: /^libcudart\.so\.(\d+(?:\.\d+)*)$/u },
    cudnn: { wanted: 'libcudnn.so.8', pattern: /^libcudnn\.so\.(\d+(?:\.\d+)*)$/u },
  };
}

/** Parses `ldconfig -p`: library file name → paths. */
export function parseLdconfig(text: string): Map<string, string[]> {
  const libraries = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^\s*(\S+)\s+\(.*\)\s+=>\s+(\S+)\s*$/u.exec(line);
    if (!match?.[1] || !match[2]) continue;
    libraries.set(match[1], [...(libraries.get(match[1]) ?? []), match[2]]);
  }
  return libraries;
}

function splitPathList(value: string | undefined, platform: NodeJS.Platform): string[] {
  return (value ?? '').split(platform === 'win32' ? ';' : ':').filter((entry) => entry.trim() !== '');
}

async function listOrEmpty(readdir: (dir: string) => Promise<string[]>, dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Directories the dynamic loader searches, and directories CUDA is usually installed in (which it may not search). */
async function candidateDirectories(sources: LibrarySources, readdir: (dir: string) => Promise<string[]>) {
  const { platform, env } = sources;
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  const loaderDirs = splitPathList(platform === 'win32' ? env['PATH'] ?? env['Path'] : env['LD_LIBRARY_PATH'], platform);
  const installDirs: string[] = [];
  const cudaRoots = Object.entries(env)
    .filter(([key, value]) => /^CUDA_(PATH|HOME)(_V\d+_\d+)?$/u.test(key) && value)
    .map(([, value]) => value as string);
  if (platform === 'win32') {
    const toolkit = 'C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA';
    for (const version of await listOrEmpty(readdir, toolkit)) cudaRoots.push(join(toolkit, version));
    for (const root of cudaRoots) installDirs.push(join(root, 'bin'));
  } else {
    for (const entry of await listOrEmpty(readdir, '/usr/local')) if (/^cuda/u.test(entry)) cudaRoots.push(join('/usr/local', entry));
    const target = sources.arch === 'arm64' ? 'sbsa-linux' : 'x86_64-linux';
    for (const root of cudaRoots) installDirs.push(join(root, 'lib64'), join(root, 'lib'), join(root, 'targets', target, 'lib'));
    installDirs.push('/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib');
  }
  return { loaderDirs, installDirs: [...new Set(installDirs)] };
}

/** Searches for the CUDA runtime and cuDNN; null on macOS (no CUDA there). */
export async function searchCudaLibraries(sources: LibrarySources): Promise<{ cudart: LibrarySearch; cudnn: LibrarySearch } | null> {
  if (sources.platform === 'darwin') return null;
  const readdir = sources.readdir ?? ((dir: string) => fsReaddir(dir));
  const join = sources.platform === 'win32' ? path.win32.join : path.posix.join;
  const { loaderDirs, installDirs } = await candidateDirectories(sources, readdir);
  const ldconfig =
    sources.platform === 'linux'
      ? await sources.run('ldconfig', ['-p'], { timeoutMs: 3_000 }).then((result) =>
          result.status === 'ok' ? parseLdconfig(result.stdout) : new Map<string, string[]>(),
        )
      : new Map<string, string[]>();
  // Everything found: file → { path, onLoaderPath }.
  const found: { file: string; full: string; onPath: boolean }[] = [];
  for (const [file, paths] of ldconfig) for (const full of paths) found.push({ file, full, onPath: true });
  const seen = new Set(found.map((entry) => entry.full));
  const loaderSet = new Set(loaderDirs);
  for (const dir of [...loaderDirs, ...installDirs]) {
    for (const file of await listOrEmpty(readdir, dir)) {
      const full = join(dir, file);
      if (seen.has(full)) continue;
      seen.add(full);
      found.push({ file, full, onPath: loaderSet.has(dir) || (sources.platform !== 'win32' && (ldconfig.get(file) ?? []).includes(full)) });
    }
  }
  const all = specs(sources.platform);
  const describe = (spec: LibrarySpec): LibrarySearch => {
    const matches = found.filter((entry) => spec.pattern.test(entry.file));
    const exact = matches.filter((entry) => entry.file.toLowerCase() === spec.wanted.toLowerCase());
    return {
      wanted: spec.wanted,
      foundAt: exact.find((entry) => entry.onPath)?.full ?? null,
      // One path per file name: /usr/local/cuda/lib64 and /usr/local/cuda-13.0/lib are usually the same directory.
      otherVersions: [
        ...new Map(
          matches
            .filter((entry) => entry.file.toLowerCase() !== spec.wanted.toLowerCase())
            .map((entry) => [entry.file.toLowerCase(), entry.full] as const)
            .reverse(),
        ).values(),
      ].reverse(),
      notOnPath: exact.filter((entry) => !entry.onPath).map((entry) => entry.full),
    };
  };
  return { cudart: describe(all.cudart), cudnn: describe(all.cudnn) };
}

/** "…/libcudart.so.13" → "13", "cudart64_110.dll" → "110", for messages. */
export function versionOf(file: string): string | null {
  const name = file.split(/[\\/]/u).pop() ?? file;
  return /\.so\.(\d+(?:\.\d+)*)$/u.exec(name)?.[1] ?? /_(\d+)\.dll$/iu.exec(name)?.[1] ?? null;
}
