/**
 * Storage faults made real: a 2 MB tmpfs filled to the last byte, a read-only bind mount, and a
 * write-ahead log deleted while another process holds the database. Mounting needs root (and
 * CAP_SYS_ADMIN); where the machine cannot, those cases are skipped with the reason.
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDatasets, upsertDataset } from '../../db/datasets.js';
import { StorageFault } from '../../db/faults.js';
import { finishJob, getJob, insertJob, interruptOrphans, markRunning } from '../../db/jobs.js';
import { backupStore, openStore } from '../../db/store.js';
import { ensureFreeSpace } from '../../workers/disk.js';
import { root, tempDir } from '../helpers.js';

const sample = {
  path: '/data/a.csv',
  name: 'a.csv',
  sizeBytes: 10,
  mtimeMs: 1,
  sha256: 'a'.repeat(64),
  delimiter: ',',
  encoding: 'utf-8' as const,
  hasHeader: true,
  columns: ['x'],
  rowCount: 2,
  warnings: [],
  jobId: null,
};

const { dir: base, cleanup } = tempDir('pilot-faults-');
const mounted: string[] = [];
function mount(args: string[], target: string): boolean {
  mkdirSync(target, { recursive: true });
  const ok = spawnSync('mount', [...args, target], { stdio: 'ignore' }).status === 0;
  if (ok) mounted.push(target);
  return ok;
}
const canMount = process.getuid?.() === 0 && mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs'], join(base, 'probe'));
const reason = 'needs root to mount a tmpfs and a read-only bind';

afterAll(() => {
  for (const target of mounted.reverse()) spawnSync('umount', ['-l', target]);
  cleanup();
});

/** Writes filler until the file system refuses (ENOSPC); returns the filler's path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    closeSync(fd);
  }
  return path;
}

describe.skipIf(!canMount)(`a full disk (${reason})`, () => {
  const disk = join(base, 'full');
  beforeAll(() => {
    expect(mount(['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs'], disk)).toBe(true);
  });

  it('names the full disk with its free space, fails the job with that reason, and keeps what was committed', () => {
    const path = join(disk, 'workbench.db');
    const store = openStore(path);
    upsertDataset(store.write, sample, 1);
    const job = insertJob(store.write, { kind: 'test.sleep', title: 'big result', resource: 'cpu', input: {}, ownerPid: process.pid, now: 1 });
    markRunning(store.write, job.id, null, 2);
    const filler = fill(disk);
    try {
      let caught: unknown;
      try {
        upsertDataset(store.write, { ...sample, path: '/data/b.csv', columns: Array.from({ length: 200_000 }, (_, i) => `column ${i}`) }, 2);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(StorageFault);
      expect((caught as Error).message).toMatch(new RegExp(`^The disk holding ${disk} is full: \\d+(\\.\\d)? MB free\\. Free some space and retry`));
      // Before: an uncaught SqliteError from finishJob left the job running. After: failed, with the reason.
      unlinkSync(filler);
      writeFileUpTo(disk, 96 * 1024); // room for a short error row, not for a 400 kB result
      expect(finishJob(store.write, job.id, { status: 'succeeded', result: { blob: 'x'.repeat(400_000) }, now: 3 })).toBe(true);
      const finished = getJob(store.read, job.id)!;
      expect(finished.status).toBe('failed');
      expect(finished.error?.message).toMatch(/is full: .* MB free/);
    } finally {
      rmSync(join(disk, 'filler'), { force: true });
      rmSync(join(disk, 'filler-2'), { force: true });
    }
    expect(listDatasets(store.read).map((d) => d.path)).toEqual(['/data/a.csv']);
    store.close();
  });

  it('refuses a large write up front, with the space it needs and the space left', () => {
    expect(() => ensureFreeSpace(join(disk, 'model', 'weights.bin'), 10_000_000, 'the model files')).toThrow(
      new RegExp(`^The disk holding ${disk}/model is full for the model files: it needs about 10 MB, \\d+(\\.\\d)? MB free\\.`),
    );
    expect(() => ensureFreeSpace(join(disk, 'small.csv'), 1000, 'a small file')).not.toThrow();
  });

  it('starts on a full disk without crashing, and reads what is there', () => {
    const path = join(disk, 'start.db');
    const first = openStore(path);
    upsertDataset(first.write, sample, 1);
    insertJob(first.write, { kind: 'test.sleep', title: 'orphan', resource: 'cpu', input: {}, ownerPid: 999_999_999, now: 1 });
    first.close();
    const filler = fill(disk);
    try {
      const store = openStore(path);
      expect(() => interruptOrphans(store.write, () => false, 5)).not.toThrow();
      expect(listDatasets(store.read)).toHaveLength(1);
      store.close();
    } finally {
      rmSync(filler);
    }
  });
});

/** Fills `dir` until about `leave` bytes are free. */
function writeFileUpTo(dir: string, leave: number): void {
  const free = spawnSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).stdout.trim().split('\n')[1];
  const bytes = Math.max(0, Number(free) - leave);
  const fd = openSync(join(dir, 'filler-2'), 'w');
  try {
    writeSync(fd, Buffer.alloc(bytes));
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!canMount)(`a read-only folder (${reason})`, () => {
  const folder = join(base, 'ro');
  const path = join(folder, 'workbench.db');
  beforeAll(() => {
    mkdirSync(folder, { recursive: true });
    const store = openStore(path);
    upsertDataset(store.write, sample, 1);
    insertJob(store.write, { kind: 'test.sleep', title: 'orphan', resource: 'cpu', input: {}, ownerPid: 999_999_999, now: 1 });
    store.close();
    expect(mount(['--bind', folder], folder) && spawnSync('mount', ['-o', 'remount,bind,ro', folder]).status === 0).toBe(true);
  });

  it('opens read-only: reads and backups work, writes say the folder is read-only (not damaged)', async () => {
    const store = openStore(path);
    try {
      expect(store.readOnly?.kind).toBe('read-only');
      expect(listDatasets(store.read).map((d) => d.path)).toEqual(['/data/a.csv']);
      expect(interruptOrphans(store.write, () => false, 5)).toEqual([]);
      let caught: unknown;
      try {
        upsertDataset(store.write, { ...sample, path: '/data/b.csv' }, 2);
      } catch (error) {
        caught = error;
      }
      expect((caught as Error).message).toMatch(new RegExp(`^The data folder ${folder} is read-only`));
      expect((caught as Error).message).not.toMatch(/damaged|restore/);
      const target = join(base, 'backup', 'copy.db');
      await backupStore(store, target);
      const copy = new Database(target, { readonly: true });
      expect(copy.prepare('SELECT path FROM datasets').all()).toEqual([{ path: '/data/a.csv' }]);
      copy.close();
    } finally {
      store.close();
    }
  });
});

describe('a write-ahead log deleted while another process holds the database', () => {
  it('says another process holds it, not that it is damaged', async () => {
    const { dir, cleanup: done } = tempDir();
    const path = join(dir, 'workbench.db');
    openStore(path).close();
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)}); db.pragma('journal_mode = WAL'); db.pragma('wal_autocheckpoint = 0');
         db.exec('CREATE TABLE held (x)'); for (let i = 0; i < 50; i++) db.prepare('INSERT INTO held VALUES (?)').run(i);
         console.log('ready'); setInterval(() => {}, 1000);`,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((ready) => holder.stdout.once('data', () => ready()));
      unlinkSync(`${path}-wal`);
      let caught: unknown;
      try {
        openStore(path).close();
      } catch (error) {
        caught = error;
      }
      const message = (caught as Error).message;
      expect(caught, message).toBeInstanceOf(StorageFault);
      expect(message).toMatch(/is open in another process/);
      if (process.platform === 'linux') expect(message).toContain(`PID ${holder.pid}`);
      expect(message).not.toMatch(/integrity check|may be damaged|move it aside|restore/);
    } finally {
      holder.kill();
      done();
    }
  });
});

describe('a damaged database', () => {
  it('is reported in one line, however many problems the check lists', () => {
    const { dir, cleanup: done } = tempDir();
    try {
      const path = join(dir, 'workbench.db');
      const db = new Database(path);
      db.exec('CREATE TABLE t (x TEXT); CREATE INDEX t_x ON t (x);');
      const insert = db.prepare('INSERT INTO t VALUES (?)');
      db.transaction(() => {
        for (let i = 0; i < 5000; i++) insert.run(`row ${i} `.repeat(8));
      })();
      db.close();
      // Garbage over a run of pages in the middle: the table and its index disagree in many places.
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(16 * 4096, 0x5a), 0, 16 * 4096, 40 * 4096);
      closeSync(fd);
      let message = '';
      try {
        openStore(path).close();
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/integrity check|cannot be read/);
      expect(message).not.toContain('\n');
      expect(message.length).toBeLessThan(400);
    } finally {
      done();
    }
  });
});
