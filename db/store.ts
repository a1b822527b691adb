/**
 * Opens the workbench's one SQLite file. The main process is its only writer (DESIGN.md): it holds
 * a `WritableDB`; code that only reads takes a `ReadableDB`, a separate read-only connection, so a
 * read path cannot write even by mistake (Signal-Desktop's branded handles).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

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
  close(): void;
}

/** The store refused to open; the message says what to do. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** Queries slower than this are logged, with their SQL, to find what needs an index. */
const SLOW_QUERY_MS = 200;

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
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const write = connect(path, false, options.nativeBinding) as WritableDB;
  try {
    checkIntegrity(write, path);
    migrate(write, migrations, path);
  } catch (error) {
    write.close();
    throw error;
  }
  const read = (path === ':memory:' ? write : connect(path, true, options.nativeBinding)) as ReadableDB;
  if (options.log) logSlowQueries([write, read], options.log);
  return {
    path,
    write,
    read,
    close() {
      if (read !== write) read.close();
      write.close();
    },
  };
}

function connect(path: string, readonly: boolean, nativeBinding?: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly, ...(nativeBinding ? { nativeBinding } : {}) });
  } catch (error) {
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
    throw unreadable(path, error);
  }
  return db;
}

function unreadable(path: string, error: unknown): StoreError {
  return new StoreError(`The database ${path} cannot be read (${(error as Error).message}). It may be damaged or not a Pilot Workbench database: move it aside and restore your latest backup (pilot db backup makes one).`);
}

function checkIntegrity(db: Database.Database, path: string): void {
  let result: string;
  try {
    result = db.pragma('quick_check', { simple: true }) as string;
  } catch (error) {
    throw unreadable(path, error);
  }
  if (result !== 'ok') {
    throw new StoreError(`The database ${path} failed its integrity check (${result}). Take a copy of the file, then restore your latest backup or move it aside to start afresh.`);
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
      db.transaction(() => {
        db.exec(migration.sql);
        if (migration.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new StoreError(`Migration ${migration.version} (${migration.name}) would leave ${broken.length} broken reference(s) in ${path}; nothing was changed.`);
        }
        db.pragma(`user_version = ${migration.version}`);
      })();
    } finally {
      if (migration.rebuildsTables && foreignKeys) db.pragma('foreign_keys = ON');
    }
  }
  return latest - current;
}

function logSlowQueries(connections: Database.Database[], log: (line: string) => void): void {
  for (const db of connections) {
    const prepare = db.prepare.bind(db);
    db.prepare = ((source: string) => {
      const statement = prepare(source);
      for (const method of ['run', 'get', 'all'] as const) {
        const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
        (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          const start = performance.now();
          try {
            return original(...args);
          } finally {
            const ms = performance.now() - start;
            if (ms > SLOW_QUERY_MS) log(`slow query (${ms.toFixed(0)} ms): ${source.replace(/\s+/g, ' ').trim()}`);
          }
        };
      }
      return statement;
    }) as typeof db.prepare;
  }
}

/** Copies the live database to `target` with SQLite's online backup (safe while the app runs). */
export async function backupStore(store: Store, target: string): Promise<{ pages: number }> {
  mkdirSync(dirname(target), { recursive: true });
  const { totalPages } = await store.write.backup(target);
  return { pages: totalPages };
}
