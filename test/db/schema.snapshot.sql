CREATE TABLE datasets (
  id          INTEGER PRIMARY KEY,
  path        TEXT NOT NULL,              -- absolute path at import time
  name        TEXT NOT NULL,              -- file name shown to the user
  size_bytes  INTEGER NOT NULL CHECK (size_bytes > 0),
  mtime_ms    INTEGER NOT NULL,           -- modification time at import, for a cheap "changed?" check
  sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
  delimiter   TEXT NOT NULL,
  encoding    TEXT NOT NULL CHECK (encoding IN ('utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'latin1')),
  has_header  INTEGER NOT NULL CHECK (has_header IN (0, 1)),
  columns     TEXT NOT NULL,              -- JSON array of column names
  row_count   INTEGER NOT NULL CHECK (row_count >= 0),  -- data rows, header excluded
  warnings    TEXT NOT NULL DEFAULT '[]', -- JSON array of strings said at import
  job_id      INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  imported_at INTEGER NOT NULL,
  UNIQUE (path, sha256)
) STRICT;

CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,              -- workers/protocol.ts JobKind
  title       TEXT NOT NULL,              -- what the user sees: 'Import adult.csv'
  resource    TEXT NOT NULL CHECK (resource IN ('cpu', 'gpu')),
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
  input       TEXT NOT NULL,              -- JSON, validated before the job was queued
  result      TEXT,                       -- JSON, when succeeded
  error       TEXT,                       -- JSON { name, message, kind, stack?, lastStderr? }, when failed/interrupted
  progress    REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
  stage       TEXT NOT NULL DEFAULT '',   -- latest progress phrase
  eta_seconds REAL,                       -- latest estimate of the time left
  owner_pid   INTEGER NOT NULL,           -- the process (app, serve, CLI) whose supervisor runs it
  worker_pid  INTEGER,                    -- the worker process, while running
  created_at  INTEGER NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER
) STRICT;

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,            -- dotted name, e.g. 'jobs.cpuSlots'
  value      TEXT NOT NULL,               -- JSON value
  updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX datasets_by_sha256 ON datasets (sha256);

CREATE INDEX jobs_by_created ON jobs (created_at DESC);

CREATE INDEX jobs_by_status ON jobs (status);
