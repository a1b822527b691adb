-- 005 registry and drift: aliases, the append-only history of every registry change, offline
-- evaluations on new data, cached reference profiles and drift reports.

CREATE TABLE model_aliases (
  project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  alias      TEXT NOT NULL,                 -- free name: champion, challenger…
  version_id INTEGER NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, alias)
) STRICT;

-- Who did what, when and why. Never updated, never deleted (triggers below): auditors ask
-- "what was in production on date X", and the answer must not change afterwards.
CREATE TABLE model_events (
  id         INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL,              -- no foreign key: history outlives what it describes
  version_id INTEGER,
  version    INTEGER,                       -- the version number, for reading without joins
  action     TEXT NOT NULL CHECK (action IN ('register', 'promote', 'demote', 'archive', 'rollback', 'alias-set', 'alias-removed', 'import')),
  from_stage TEXT,
  to_stage   TEXT,
  alias      TEXT,
  actor      TEXT NOT NULL,                 -- user name, or 'pilot cli' / 'app'
  reason     TEXT NOT NULL DEFAULT '',
  at         INTEGER NOT NULL
) STRICT;
CREATE INDEX model_events_by_project ON model_events (project_id, at);
-- "What was in production on date X" reads only the events that moved a version into or out of production.
CREATE INDEX model_events_production ON model_events (project_id, at, id) WHERE to_stage = 'production' OR from_stage = 'production';
CREATE TRIGGER model_events_no_update BEFORE UPDATE ON model_events
BEGIN SELECT RAISE(ABORT, 'model_events is append-only: history is never rewritten'); END;
CREATE TRIGGER model_events_no_delete BEFORE DELETE ON model_events
BEGIN SELECT RAISE(ABORT, 'model_events is append-only: history is never rewritten'); END;

CREATE TABLE evaluations (
  id             INTEGER PRIMARY KEY,
  version_id     INTEGER NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
  dataset_id     INTEGER REFERENCES datasets (id) ON DELETE SET NULL,
  dataset_sha256 TEXT NOT NULL,
  metrics        TEXT NOT NULL,             -- JSON: same metrics as at training time
  report         TEXT NOT NULL,             -- JSON: differences with intervals, fairness, schema issues
  job_id         INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX evaluations_by_version ON evaluations (version_id, created_at);

-- Reference statistics of a version's training data, computed once (drift then reads only the new batch).
CREATE TABLE reference_profiles (
  version_id     INTEGER PRIMARY KEY REFERENCES model_versions (id) ON DELETE CASCADE,
  dataset_sha256 TEXT NOT NULL,
  profile        TEXT NOT NULL,             -- JSON
  created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE drift_reports (
  id               INTEGER PRIMARY KEY,
  version_id       INTEGER REFERENCES model_versions (id) ON DELETE CASCADE,  -- null when two files were compared
  reference_sha256 TEXT NOT NULL,
  current_path     TEXT NOT NULL,
  current_sha256   TEXT NOT NULL,
  drift_share      REAL NOT NULL CHECK (drift_share >= 0 AND drift_share <= 1),
  dataset_drift    INTEGER NOT NULL CHECK (dataset_drift IN (0, 1)),
  report           TEXT NOT NULL,           -- JSON (README's documented shape)
  job_id           INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX drift_reports_by_version ON drift_reports (version_id, created_at);
