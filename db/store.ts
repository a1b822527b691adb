/**
 * Opens the workbench's one SQLite file. The main process is its only writer: it holds
 * a `WritableDB`; code that only reads takes a `ReadableDB`, a separate read-only connection, so a
 * read path cannot write even by mistake (Signal-Desktop's branded handles).
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import { classifyStorageError, diskFull, heldWithoutWal, StorageFault, StoreError, walDeleted } from './faults.js';

export { StorageFault, StoreError } from './faults.js';

declare const readable: unique symbol;
declare const writable: unique symbol;
/** A connection that may only read. */
export type ReadableDB = Database.Database & { readonly [readable]: true };
/** The one connection that writes. It can read too. */
export type WritableDB = ReadableDB & { readonly [writable]: true };

export interface Store {
  readonly path: string;
  readonly write: WritableDB;
  readonly read: ReadableDB;
  /**
   * Set when the folder cannot be written (read-only, or a disk too full to open the database
   * for writing): the store is then a read-only snapshot, every read works, and every write
   * throws this fault's message.
   */
  readonly readOnly: StorageFault | null;
  close(): void;
}

/** Queries slower than this are logged, with their SQL, to find what needs an index. */
const SLOW_QUERY_MS = 200;
const RETURNING = /\bRETURNING\b/i;

export interface StoreOptions {
  migrations?: readonly Migration[];
  log?: (line: string) => void;
  /**
   * better-sqlite3's compiled module to load. The desktop app passes its Electron-ABI build (kept
   * apart from node_modules' Node build, which the CLI and tests use).
   */
  nativeBinding?: string;
}

export function openStore(path: string, options: StoreOptions = {}): Store {
  const migrations = options.migrations ?? allMigrations;
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw classifyStorageError(error, path) ?? error;
    }
  }
  // Taken before opening: opening recreates the -wal, which would hide that it had been deleted.
  const walMissing = path !== ':memory:' && walDeleted(path);
  let write: WritableDB;
  try {
    write = connect(path, false, options.nativeBinding, walMissing) as WritableDB;
  } catch (error) {
    if (error instanceof StorageFault && error.kind !== 'wal-deleted') return openSnapshot(path, error, migrations, options);
    throw error;
  }
  try {
    checkIntegrity(write, path, walMissing);
    migrate(write, migrations, path);
  } catch (error) {
    write.close();
    if (error instanceof StorageFault && error.kind !== 'wal-deleted') return openSnapshot(path, error, migrations, options);
    throw error;
  }
  const read = (path === ':memory:' ? write : connect(path, true, options.nativeBinding)) as ReadableDB;
  instrument(write, path, options.log);
  if (read !== write) instrument(read, path, options.log, false);
  return {
    path,
    write,
    read,
    readOnly: null,
    close() {
      if (read !== write) read.close();
      write.close();
    },
  };
}

/**
 * A read-only view of a database whose folder cannot be written. SQLite cannot open a WAL-mode
 * file there at all (it must create the shared-memory index beside it), so the view is an
 * in-memory copy of the file, marked as a rollback-journal database. That copy is complete only
 * when no write-ahead log holds committed pages; otherwise the fault is reported as it is.
 */
function openSnapshot(path: string, fault: StorageFault, migrations: readonly Migration[], options: StoreOptions): Store {
  const wal = `${path}-wal`;
  if (!existsSync(path) || (existsSync(wal) && statSync(wal).size > 0)) throw fault;
  let snapshot: Database.Database;
  try {
    const bytes = readFileSync(path);
    // Bytes 18 and 19 of the header are the read and write format versions: 2 is WAL, 1 legacy.
    if (bytes.length >= 20) bytes[18] = bytes[19] = 1;
    snapshot = new Database(bytes, { readonly: true, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) });
    snapshot.pragma('foreign_keys = ON');
  } catch {
    throw fault;
  }
  try {
    checkIntegrity(snapshot, path);
    const current = snapshot.pragma('user_version', { simple: true }) as number;
    if (current < migrations.length) throw new StorageFault(fault.kind, `${fault.message} (The database also needs upgrading to this version, which needs writing.)`);
    if (current > migrations.length) migrate(snapshot, migrations, path); // throws the newer-version message
  } catch (error) {
    snapshot.close();
    throw error;
  }
  const db = snapshot as WritableDB;
  instrument(db, path, options.log, true, fault);
  return { path, write: db, read: db, readOnly: fault, close: () => db.close() };
}

function connect(path: string, readonly: boolean, nativeBinding?: string, walMissing = false): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly, ...(nativeBinding ? { nativeBinding } : {}) });
  } catch (error) {
    const fault = classifyStorageError(error, path);
    if (fault) throw fault;
    throw new StoreError(`Cannot open the database ${path}: ${(error as Error).message}. Check the folder's permissions and free space, or choose another data directory with --data-dir.`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
  } catch (error) {
    db.close();
    throw unreadable(path, error, walMissing);
  }
  return db;
}

function unreadable(path: string, error: unknown, walMissing = false): StoreError {
  if (walMissing) return heldWithoutWal(path);
  const fault = classifyStorageError(error, path);
  if (fault) return fault;
  return new StoreError(`The database ${path} cannot be read (${(error as Error).message}). It may be damaged or not a Pilot Workbench database: move it aside and restore your latest backup (pilot db backup makes one).`);
}

function checkIntegrity(db: Database.Database, path: string, walMissing = false): void {
  let result: string;
  try {
    // All rows, not just the first: a damaged file can list many problems, which the message counts.
    result = (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check).join('\n');
  } catch (error) {
    throw unreadable(path, error, walMissing);
  }
  if (result !== 'ok') {
    if (walMissing) throw heldWithoutWal(path);
    // One line, as every CLI error is: the first problem SQLite names, and how many more there are.
    const problems = result.split('\n').map((line) => line.trim()).filter(Boolean);
    const first = problems[0]!.length > 160 ? `${problems[0]!.slice(0, 157)}…` : problems[0]!;
    const more = problems.length > 1 ? ` and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'}` : '';
    throw new StoreError(`The database ${path} failed its integrity check (${first}${more}). Take a copy of the file, then restore your latest backup or move it aside to start afresh.`);
  }
}

/** Runs every migration newer than `PRAGMA user_version`, each in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[], path = 'the database'): number {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migrations must be numbered 1, 2, 3… without gaps: found ${migration.version} (${migration.name}) at position ${index + 1}.`);
    }
  });
  const latest = migrations.length;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new StoreError(`The database ${path} was written by a newer Pilot Workbench (schema version ${current}; this version knows up to ${latest}). Update Pilot Workbench, or use another data directory with --data-dir or PILOT_HOME.`);
  }
  for (const migration of migrations.slice(current)) {
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
    // Foreign keys can only be switched outside a transaction.
    if (migration.rebuildsTables && foreignKeys) db.pragma('foreign_keys = OFF');
    try {
      // Immediate, and the version read again inside: processes opening a new data folder at
      // once (six `pilot` commands) take turns, and each step runs only once.
      db.transaction(() => {
        if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) return;
        db.exec(migration.sql);
        if (migration.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new StoreError(`Migration ${migration.version} (${migration.name}) would leave ${broken.length} broken reference(s) in ${path}; nothing was changed.`);
        }
        db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    } finally {
      if (migration.rebuildsTables && foreignKeys) db.pragma('foreign_keys = ON');
    }
  }
  return latest - current;
}

/**
 * Wraps a connection so that every statement, `exec`, `pragma` and transaction maps storage
 * faults to their one message (a write path need not know about full disks) and, with `log`,
 * reports queries slower than SLOW_QUERY_MS. `fault` is the reason a read-only snapshot gives
 * for any write.
 */
function instrument(db: Database.Database, path: string, log: ((line: string) => void) | undefined, mapFaults = true, fault?: StorageFault): void {
  const map = (error: unknown): unknown => {
    if (!mapFaults) return error;
    if (fault && /^SQLITE_READONLY/.test((error as { code?: string }).code ?? '')) return fault;
    return classifyStorageError(error, path) ?? error;
  };
  const guard =
    <A extends unknown[], R>(call: (...args: A) => R, source?: string) =>
    (...args: A): R => {
      const start = performance.now();
      try {
        return call(...args);
      } catch (error) {
        throw map(error);
      } finally {
        const ms = performance.now() - start;
        if (log && source !== undefined && ms > SLOW_QUERY_MS) log(`slow query (${ms.toFixed(0)} ms): ${source.replace(/\s+/g, ' ').trim()}`);
      }
    };
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    let statement: Database.Statement;
    try {
      statement = prepare(source);
    } catch (error) {
      throw map(error);
    }
    for (const method of ['run', 'get', 'all'] as const) {
      let original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      if (method === 'get' && RETURNING.test(source)) {
        // `get` stops after the first row and resets the statement, and SQLite reports a failed
        // autocommit (a full disk) only at the end: that error was lost and the insert silently
        // vanished. Running a writing statement to completion surfaces it.
        const all = statement.all.bind(statement) as (...args: unknown[]) => unknown[];
        original = (...args: unknown[]) => all(...args)[0];
      }
      (statement as unknown as Record<string, unknown>)[method] = guard(original, source);
    }
    return statement;
  }) as typeof db.prepare;
  db.exec = guard(db.exec.bind(db)) as typeof db.exec;
  db.pragma = guard(db.pragma.bind(db)) as typeof db.pragma;
  const transaction = db.transaction.bind(db);
  db.transaction = (<F extends (...args: never[]) => unknown>(fn: F) => {
    const wrapped = transaction(fn);
    return Object.assign(guard(wrapped), { deferred: wrapped.deferred, immediate: wrapped.immediate, exclusive: wrapped.exclusive, default: wrapped.default });
  }) as typeof db.transaction;
}

/** Copies the live database to `target` with SQLite's online backup (safe while the app runs). */
export async function backupStore(store: Store, target: string): Promise<{ pages: number }> {
  try {
    mkdirSync(dirname(target), { recursive: true });
    const { totalPages } = await store.write.backup(target);
    return { pages: totalPages };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_FULL' || code === 'ENOSPC') throw diskFull(dirname(resolve(target)));
    throw classifyStorageError(error, target) ?? error;
  }
}
