/** The `pilot` command as a real process: output, JSON shapes, exit codes and one-line errors. */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');
const adultSha = createHash('sha256').update(readFileSync(fixture('adult.csv'))).digest('hex');

describe('pilot CLI', () => {
  it('prints help with every command and exits 0', () => {
    const run = pilot(['--help'], { dataDir });
    expect(run.code).toBe(0);
    for (const command of ['datasets import FILE', 'datasets list', 'jobs list', 'serve', 'db backup FILE']) expect(run.stdout).toContain(command);
  });

  it('exits 2 on wrong usage', () => {
    expect(pilot(['nonsense'], { dataDir }).code).toBe(2);
    expect(pilot(['datasets', 'import'], { dataDir }).code).toBe(2);
    const badFlag = pilot(['datasets', 'list', '--frobnicate'], { dataDir });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown option '--frobnicate'/);
  });

  it('imports UCI Adult: 32,561 rows and its SHA-256, progress on stderr, result on stdout', () => {
    const run = pilot(['datasets', 'import', fixture('adult.csv')], { dataDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Imported adult.csv: 32,561 rows × 15 columns');
    expect(run.stdout).toContain(`SHA-256 ${adultSha}`);
    expect(run.stderr).toMatch(/Import adult\.csv: .*%/);
  });

  it('prints the documented JSON shape with --json, and says an identical file is already imported', () => {
    const run = pilot(['datasets', 'import', fixture('adult.csv'), '--json'], { dataDir });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ name: 'adult.csv', rowCount: 32_561, sha256: adultSha, delimiter: ',', encoding: 'utf-8', hasHeader: true, created: false });
    expect(result.columns).toHaveLength(15);
    expect(typeof result.id).toBe('number');
    expect(typeof result.jobId).toBe('number');
  });

  it('lists datasets and jobs, as text and JSON', () => {
    const list = JSON.parse(pilot(['datasets', 'list', '--json'], { dataDir }).stdout);
    expect(list).toHaveLength(1);
    expect(list[0].sha256).toBe(adultSha);
    expect(pilot(['datasets', 'list'], { dataDir }).stdout).toMatch(/adult\.csv\s+32,561\s+15/);
    const jobs = JSON.parse(pilot(['jobs', 'list', '--json'], { dataDir }).stdout);
    expect(jobs.map((job: { status: string }) => job.status)).toEqual(['succeeded', 'succeeded']);
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.csv'), /^pilot datasets import: File not found: .*missing\.csv\. Check the path/],
    ['a directory', () => dir, /is a folder, not a file/],
    ['an empty file', () => (writeFileSync(join(dir, 'empty.csv'), ''), join(dir, 'empty.csv')), /is empty/],
    ['a binary file', () => (writeFileSync(join(dir, 'x.xlsx'), Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 9, 9])), join(dir, 'x.xlsx')), /binary file/],
    ['inconsistent rows', () => (writeFileSync(join(dir, 'ragged.csv'), 'a,b\n1,2\n3\n4,5\n'), join(dir, 'ragged.csv')), /1 row has a different number of fields than the header's 2 \(line 3\)/],
  ])('fails on %s with one line and exit 1, keeping earlier data', (_name, path, message) => {
    const run = pilot(['datasets', 'import', path()], { dataDir });
    expect(run.code).toBe(1);
    const errorLines = run.stderr.split('\n').filter((line) => line.startsWith('pilot '));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack without --debug
    expect(JSON.parse(pilot(['datasets', 'list', '--json'], { dataDir }).stdout)).toHaveLength(1);
  });

  it('backs up the database to a file with the same rows', () => {
    const target = join(dir, 'backup.db');
    expect(pilot(['db', 'backup', target], { dataDir }).code).toBe(0);
    const copy = new Database(target, { readonly: true });
    expect(copy.prepare('SELECT sha256 FROM datasets').all()).toEqual([{ sha256: adultSha }]);
    copy.close();
  });

  it('refuses a database from a newer version with a clear message, and leaves it as it was', () => {
    const home = join(dir, 'future');
    expect(pilot(['datasets', 'list'], { dataDir: home }).code).toBe(0);
    const db = new Database(join(home, 'workbench.db'));
    db.pragma('user_version = 999');
    db.close();
    const run = pilot(['datasets', 'list'], { dataDir: home });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/written by a newer Pilot Workbench \(schema version 999.*Update Pilot Workbench/);
    const after = new Database(join(home, 'workbench.db'), { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(999);
    after.close();
  });

  it('uses PILOT_HOME when --data-dir is not given', async () => {
    const { spawnSync } = await import('node:child_process');
    const home = join(dir, 'via-env');
    const run = spawnSync(process.execPath, ['bin/pilot.js', 'datasets', 'import', fixture('iris.csv'), '--json'], { encoding: 'utf8', env: { ...process.env, PILOT_HOME: home } });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).rowCount).toBe(150);
    expect(readFileSync(join(home, 'workbench.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
  });
});
