/** `pilot gpu libraries` as a real process: refusals, saving, and what the next worker starts with. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pilot, tempDir } from '../helpers.js';

const teardown: (() => void)[] = [];
afterEach(() => {
  for (const step of teardown.splice(0)) step();
});

const hasCompiler = (() => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return process.platform === 'linux';
  } catch {
    return false;
  }
})();

describe('pilot gpu libraries', () => {
  it('refuses a folder under the uploads (an upload never becomes a library the server loads)', () => {
    const { dir, cleanup } = tempDir();
    teardown.push(cleanup);
    mkdirSync(join(dir, 'uploads', 'x'), { recursive: true });
    const run = pilot(['gpu', 'libraries', join(dir, 'uploads', 'x')], { dataDir: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/inside the upload folder/);
  });

  it('does not save an incomplete folder unless forced, and the next self-test worker starts with a saved one', () => {
    const { dir, cleanup } = tempDir();
    teardown.push(cleanup);
    const libs = join(dir, 'cuda11');
    mkdirSync(libs, { recursive: true });
    if (hasCompiler) {
      writeFileSync(join(libs, 'rt.c'), 'int cudart_version(void) { return 11000; }\n');
      execFileSync('cc', ['-shared', '-fPIC', '-o', join(libs, 'libcudart.so.11.0'), join(libs, 'rt.c')]);
    }
    const check = pilot(['gpu', 'libraries', libs, '--json'], { dataDir: dir });
    expect(check.code).toBe(0);
    const outcome = JSON.parse(check.stdout) as { complete: boolean; saved: boolean; libraries: { file: string; loads: boolean }[]; summary: string };
    expect(outcome).toMatchObject({ complete: false, saved: false });
    expect(outcome.libraries.find((library) => library.file === 'libcudnn.so.8')?.loads).toBe(false);
    if (hasCompiler) expect(outcome.libraries.find((library) => library.file === 'libcudart.so.11.0')?.loads).toBe(true);

    const refused = pilot(['gpu', 'libraries', libs, '--save'], { dataDir: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Not saved: Missing: .*libcudnn\.so\.8/);

    expect(pilot(['gpu', 'libraries', libs, '--save', '--force'], { dataDir: dir }).code).toBe(0);
    const selftest = pilot(['jobs', 'selftest', '--json'], { dataDir: dir });
    expect(selftest.code).toBe(0);
    expect(selftest.stdout).toContain(libs);

    expect(pilot(['gpu', 'clear'], { dataDir: dir }).code).toBe(0);
    expect(pilot(['jobs', 'selftest', '--json'], { dataDir: dir }).stdout).not.toContain(libs);
  });
});
