/**
 * The GPU library check with real shared libraries built here by the C compiler and loaded by the
 * real dynamic loader: one that loads, one whose dependency lives in a folder nobody gave, and a
 * damaged file. Then a real worker process, started by the supervisor, shows the saved folders on
 * its library path. Skipped (with the reason) where no C compiler exists.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setSetting } from '../../../db/settings.js';
import { openStore } from '../../../db/store.js';
import { JobSupervisor } from '../../../main/jobs/supervisor.js';
import { checkGpuLibraries, CUDA11_LIBRARIES, libraryDirsFor, loaderPathEnv, pipInstallCommand } from '../../../workers/tfjs/gpu-libraries.js';
import { tempDir, workerEntry } from '../../helpers.js';

const compiler = (() => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return 'cc';
  } catch {
    return null;
  }
})();

const teardown: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

/** Compiles `source` into a shared library at `out`, linked against `-l` names found in `libDirs`. */
function sharedLibrary(out: string, source: string, link: { dirs: string[]; names: string[] } = { dirs: [], names: [] }): void {
  const c = `${out}.c`;
  writeFileSync(c, source);
  execFileSync(compiler!, ['-shared', '-fPIC', '-o', out, c, ...link.dirs.map((dir) => `-L${dir}`), ...link.names.map((name) => `-l${name}`)], { stdio: 'pipe' });
}

describe.skipIf(process.platform !== 'linux' || compiler === null)('GPU library folders (real loader; needs a C compiler on Linux)', () => {
  it('finds every library in pip-style nvidia/*/lib folders and loads each one for real, naming missing and broken ones', async () => {
    const { dir, cleanup } = tempDir();
    teardown.push(cleanup);
    // A pip --target folder: nvidia/cuda_runtime/lib and nvidia/cublas/lib, as the CUDA 11 wheels lay them out.
    const runtime = join(dir, 'cuda11', 'nvidia', 'cuda_runtime', 'lib');
    const cublas = join(dir, 'cuda11', 'nvidia', 'cublas', 'lib');
    const elsewhere = join(dir, 'elsewhere');
    for (const folder of [runtime, cublas, elsewhere]) mkdirSync(folder, { recursive: true });
    sharedLibrary(join(runtime, 'libcudart.so.11.0'), 'int cudart_version(void) { return 11000; }\n');
    // libcublasLt needs libhelper.so, which sits in a folder the user did not give.
    sharedLibrary(join(elsewhere, 'libhelper.so'), 'int helper(void) { return 7; }\n');
    sharedLibrary(join(cublas, 'libcublasLt.so.11'), 'int helper(void);\nint lt(void) { return helper(); }\n', { dirs: [elsewhere], names: ['helper'] });
    writeFileSync(join(cublas, 'libcublas.so.11'), 'not a shared library\n');

    const check = await checkGpuLibraries([join(dir, 'cuda11'), join(dir, 'no-such-folder')]);
    expect(check.dirs).toEqual(expect.arrayContaining([runtime, cublas]));
    expect(check.missingRoots).toEqual([join(dir, 'no-such-folder')]);
    const by = new Map(check.libraries.map((library) => [library.file, library]));
    expect(by.get('libcudart.so.11.0')).toMatchObject({ path: join(runtime, 'libcudart.so.11.0'), loads: true, error: null });
    expect(by.get('libcublasLt.so.11')).toMatchObject({ loads: false });
    expect(by.get('libcublasLt.so.11')!.error).toMatch(/libhelper\.so/);
    expect(by.get('libcublas.so.11')).toMatchObject({ loads: false });
    expect(by.get('libcublas.so.11')!.error).toMatch(/invalid ELF header|file too short/);
    expect(by.get('libcudnn.so.8')).toMatchObject({ path: null, loads: false });
    expect(check.complete).toBe(false);
    expect(check.summary).toContain('nvidia-cudnn-cu11');
    expect(check.summary).toContain('libcublasLt.so.11 is there but does not load');

    // Giving the dependency's folder too makes that library load.
    const withHelper = await checkGpuLibraries([join(dir, 'cuda11'), elsewhere]);
    expect(withHelper.libraries.find((library) => library.file === 'libcublasLt.so.11')).toMatchObject({ loads: true });
  });

  it('starts every worker with the saved folders first on LD_LIBRARY_PATH', async () => {
    const { dir, cleanup } = tempDir();
    const store = openStore(join(dir, 'workbench.db'));
    const jobs = new JobSupervisor({ store, dataDir: dir, workerPath: workerEntry, cpuSlots: 1 });
    jobs.define('test.sleep', { resource: 'cpu' });
    teardown.push(cleanup, () => store.close(), () => jobs.shutdown());
    const libs = join(dir, 'conda-env', 'lib');
    mkdirSync(libs, { recursive: true });
    setSetting(store.write, 'gpu.libraryDirs', [join(dir, 'conda-env')], Date.now());
    const job = await jobs.wait(jobs.submit({ kind: 'test.sleep', title: 'Library path', input: { steps: 1, stepMs: 0 } }));
    expect(job.status).toBe('succeeded');
    const libraryPath = job.result?.libraryPath ?? '';
    expect(libraryPath.split(':').slice(0, 2)).toEqual([join(dir, 'conda-env'), libs]);
  });
});

describe('GPU library folders (pure parts)', () => {
  it('puts the given folders before what the loader path held, and nothing when none are given', () => {
    expect(loaderPathEnv(['/a', '/b'], { LD_LIBRARY_PATH: '/usr/lib/x' }, 'linux')).toEqual({ LD_LIBRARY_PATH: '/a:/b:/usr/lib/x' });
    expect(loaderPathEnv(['C:\\cuda'], { Path: 'C:\\Windows' }, 'win32')).toEqual({ PATH: 'C:\\cuda;C:\\Windows' });
    expect(loaderPathEnv([], { LD_LIBRARY_PATH: '/x' }, 'linux')).toEqual({});
    expect(libraryDirsFor(['/definitely/not/here'])).toEqual([]);
  });

  it('names a wheel for every library and one pip command that installs them all', () => {
    const command = pipInstallCommand('/opt/cuda11');
    for (const library of CUDA11_LIBRARIES) expect(command).toContain(library.wheel);
    expect(command.startsWith('pip install --target /opt/cuda11 ')).toBe(true);
  });
});
