/**
 * The CUDA 11 runtime libraries `@tensorflow/tfjs-node-gpu` 4.x needs, found in folders the user
 * points the workbench at, and checked by really loading each one.
 *
 * tfjs-node-gpu 4.22 bundles libtensorflow 2.9, built against CUDA 11.2 and cuDNN 8.1. Today's GPU
 * servers carry CUDA 12 or 13; their drivers still run CUDA 11 code, so what is missing is only the
 * 11.x runtime libraries, and without them TensorFlow falls back to the CPU without a word. The
 * libraries come as Python wheels (`pip install nvidia-cuda-runtime-cu11 nvidia-cudnn-cu11 …`,
 * each with a `lib/` folder under `site-packages/nvidia/`), in a conda environment's `lib/`, or in
 * an old toolkit's `lib64/`. GPU workers start with those folders on the loader's path
 * (`LD_LIBRARY_PATH`, `PATH` on Windows): the loader reads that variable when a process starts, so
 * setting it inside a running process does nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CUDA11_WHEELS } from '../../common/cuda11.js';

/** One library tfjs-node-gpu loads, with the pip wheel that ships it. */
export interface CudaLibrary {
  /** The file name the loader looks for on Linux. */
  file: string;
  /** On Windows. */
  windowsFile: string;
  /** What it is, for people. */
  what: string;
  /** The Python wheel that carries it (CUDA 11 builds). */
  wheel: string;
}

/** What libtensorflow 2.9's GPU build opens (its DT_NEEDED and dlopen list for CUDA 11.2 + cuDNN 8). */
export const CUDA11_LIBRARIES: readonly CudaLibrary[] = [
  { file: 'libcudart.so.11.0', windowsFile: 'cudart64_110.dll', what: 'CUDA 11 runtime', wheel: 'nvidia-cuda-runtime-cu11' },
  { file: 'libcublas.so.11', windowsFile: 'cublas64_11.dll', what: 'cuBLAS 11 (matrix products)', wheel: 'nvidia-cublas-cu11' },
  { file: 'libcublasLt.so.11', windowsFile: 'cublasLt64_11.dll', what: 'cuBLASLt 11', wheel: 'nvidia-cublas-cu11' },
  { file: 'libcufft.so.10', windowsFile: 'cufft64_10.dll', what: 'cuFFT 10', wheel: 'nvidia-cufft-cu11' },
  { file: 'libcurand.so.10', windowsFile: 'curand64_10.dll', what: 'cuRAND 10', wheel: 'nvidia-curand-cu11' },
  { file: 'libcusolver.so.11', windowsFile: 'cusolver64_11.dll', what: 'cuSOLVER 11', wheel: 'nvidia-cusolver-cu11' },
  { file: 'libcusparse.so.11', windowsFile: 'cusparse64_11.dll', what: 'cuSPARSE 11', wheel: 'nvidia-cusparse-cu11' },
  { file: 'libcudnn.so.8', windowsFile: 'cudnn64_8.dll', what: 'cuDNN 8 (convolutions)', wheel: 'nvidia-cudnn-cu11' },
];

/** The pip command that installs every library above into a folder of its own (pinned: common/cuda11.ts). */
export { pipInstallCommand } from '../../common/cuda11.js';

/**
 * The folders to put on the loader's path for the folders a user gave: each folder itself, its
 * `lib`/`lib64`/`bin`, and, for a pip `--target` or `site-packages/nvidia` folder, every
 * `nvidia/*\/lib` below it. Folders that do not exist are left out (the check names them).
 */
export function libraryDirsFor(roots: readonly string[]): string[] {
  const dirs: string[] = [];
  const add = (dir: string) => {
    if (isDir(dir) && !dirs.includes(dir)) dirs.push(dir);
  };
  for (const root of roots.map((entry) => path.resolve(entry))) {
    add(root);
    for (const sub of ['lib', 'lib64', 'bin']) add(path.join(root, sub));
    for (const nvidia of [root, path.join(root, 'nvidia')]) {
      if (path.basename(nvidia) !== 'nvidia' || !isDir(nvidia)) continue;
      for (const wheel of safeList(nvidia)) for (const sub of ['lib', 'bin']) add(path.join(nvidia, wheel, sub));
    }
  }
  return dirs;
}

/** The environment variable the loader reads, with the given folders in front of what it held. */
export function loaderPathEnv(dirs: readonly string[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Record<string, string> {
  if (dirs.length === 0) return {};
  const name = platform === 'win32' ? 'PATH' : 'LD_LIBRARY_PATH';
  const separator = platform === 'win32' ? ';' : ':';
  const current = env[name] ?? (platform === 'win32' ? env['Path'] : undefined);
  return { [name]: [...dirs, ...(current ? current.split(separator).filter((entry) => entry !== '') : [])].join(separator) };
}

/** One library's check. */
export interface LibraryCheck {
  file: string;
  what: string;
  wheel: string;
  /** Where it was found in the given folders, or null. */
  path: string | null;
  /** True when the loader opened it with every library it depends on. */
  loads: boolean;
  /** What the loader said when it could not (a missing dependency, a wrong architecture, a damaged file). */
  error: string | null;
}

/** The whole check: every library, and the folders the GPU workers will get. */
export interface GpuLibraryCheck {
  /** The folders as given. */
  roots: string[];
  /** Given folders that do not exist or are not folders. */
  missingRoots: string[];
  /** The folders put on the loader's path (see libraryDirsFor). */
  dirs: string[];
  libraries: LibraryCheck[];
  /** True when every library loads. */
  complete: boolean;
  /** One sentence for people: what is missing and how to get it. */
  summary: string;
}

/**
 * Finds each library in the folders and loads it in a fresh Node process started with the folders
 * on the loader's path, as a GPU worker would be. `process.dlopen` of a library that is not a Node
 * add-on fails only after the loader opened it and everything it needs ("did not self-register"):
 * that failure is the success we look for; any other message is the loader's own reason.
 */
export async function checkGpuLibraries(roots: readonly string[], options: { platform?: NodeJS.Platform; timeoutMs?: number } = {}): Promise<GpuLibraryCheck> {
  const platform = options.platform ?? process.platform;
  const missingRoots = roots.filter((root) => !isDir(path.resolve(root)));
  const dirs = libraryDirsFor(roots);
  const found = CUDA11_LIBRARIES.map((library) => {
    const file = platform === 'win32' ? library.windowsFile : library.file;
    const at = dirs.map((dir) => path.join(dir, file)).find((candidate) => existsSync(candidate)) ?? null;
    return { library, file, at };
  });
  const toLoad = found.filter((entry) => entry.at !== null).map((entry) => entry.at as string);
  const outcomes = toLoad.length > 0 ? await loadInChild(toLoad, dirs, platform, options.timeoutMs ?? 20_000) : new Map<string, string | null>();
  const libraries: LibraryCheck[] = found.map(({ library, file, at }) => {
    const answer = at === null ? undefined : outcomes.get(at);
    const error = at === null ? `not found in ${dirs.length > 0 ? dirs.join(', ') : 'the given folders'}` : answer === undefined ? 'the check did not answer' : answer;
    return { file, what: library.what, wheel: library.wheel, path: at, loads: at !== null && error === null, error: at !== null && error === null ? null : error };
  });
  const complete = libraries.every((library) => library.loads);
  return { roots: [...roots], missingRoots, dirs, libraries, complete, summary: summarise(libraries, missingRoots) };
}

function summarise(libraries: LibraryCheck[], missingRoots: string[]): string {
  const parts: string[] = [];
  if (missingRoots.length > 0) parts.push(`Not a folder: ${missingRoots.join(', ')}.`);
  const missing = libraries.filter((library) => library.path === null);
  const broken = libraries.filter((library) => library.path !== null && !library.loads);
  if (missing.length === 0 && broken.length === 0) return 'Every CUDA 11 library tfjs-node-gpu needs loads from these folders: GPU workers will start with them on the library path.';
  if (missing.length > 0) {
    const wheels = [...new Set(missing.map((library) => library.wheel))];
    const specs = wheels.map((wheel) => CUDA11_WHEELS.find((entry) => entry.wheel === wheel)?.spec ?? wheel);
    parts.push(`Missing: ${missing.map((library) => library.file).join(', ')}. Install them with: pip install --target <folder> ${specs.join(' ')}, then point the workbench at <folder>.`);
  }
  for (const library of broken) parts.push(`${library.file} is there but does not load: ${library.error}.`);
  return parts.join(' ');
}

/** Loads each library in one child process; answers file → null (loads) or the loader's message. */
async function loadInChild(files: string[], dirs: string[], platform: NodeJS.Platform, timeoutMs: number): Promise<Map<string, string | null>> {
  const script = `for (const file of JSON.parse(process.argv[1])) {
  let error = null;
  try { process.dlopen({ exports: {} }, file); } catch (e) { error = String(e && e.message || e); }
  if (error !== null && /did not self-register/i.test(error)) error = null;
  process.stdout.write(JSON.stringify({ file, error }) + '\\n');
}`;
  const env = { ...process.env, ...loaderPathEnv(dirs, process.env, platform), ELECTRON_RUN_AS_NODE: '1' };
  const answers = new Map<string, string | null>();
  await new Promise<void>((done) => {
    const child = spawn(process.execPath, ['-e', script, JSON.stringify(files)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-2000)));
    child.on('error', () => done());
    child.on('close', () => {
      clearTimeout(timer);
      for (const line of out.split('\n')) {
        if (!line.trim()) continue;
        try {
          const parsed = JSON.parse(line) as { file: string; error: string | null };
          answers.set(parsed.file, parsed.error === null ? null : parsed.error.replace(`${parsed.file}: `, '').slice(0, 300));
        } catch {
          // a line the child did not write as JSON (a library printing on load): ignore it
        }
      }
      // A library whose load crashed the child never answered: say so rather than guess.
      const last = err.trim().split('\n').at(-1);
      for (const file of files) if (!answers.has(file)) answers.set(file, `loading it stopped the checking process${last ? ` (${last.slice(0, 200)})` : ' (a crash in the library or its dependencies)'}`);
      done();
    });
  });
  return answers;
}

function isDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
