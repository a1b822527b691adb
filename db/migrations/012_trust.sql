-- 012 trust: the operating threshold a binary version decides at (rows whose probability of the
-- positive class is at or above it are called positive). NULL: the training default, 0.5.
ALTER TABLE model_versions ADD COLUMN threshold REAL CHECK (threshold IS NULL OR (threshold > 0 AND threshold < 1));

-- A threshold change alters what a version answers, so it goes in the append-only history like a
-- promotion: model_events is rebuilt to accept the 'threshold' action (its rows are copied as they
-- are; DROP TABLE's implicit delete does not fire the append-only triggers, which are recreated).
CREATE TABLE model_events_new (
  id         INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL,              -- no foreign key: history outlives what it describes
  version_id INTEGER,
  version    INTEGER,                       -- the version number, for reading without joins
  action     TEXT NOT NULL CHECK (action IN ('register', 'promote', 'demote', 'archive', 'rollback', 'alias-set', 'alias-removed', 'import', 'threshold')),
  from_stage TEXT,
  to_stage   TEXT,
  alias      TEXT,
  actor      TEXT NOT NULL,                 -- user name, or 'pilot cli' / 'app'
  reason     TEXT NOT NULL DEFAULT '',      -- for 'threshold': "0.50 → 0.35", then the user's reason
  at         INTEGER NOT NULL
) STRICT;
INSERT INTO model_events_new (id, project_id, version_id, version, action, from_stage, to_stage, alias, actor, reason, at)
  SELECT id, project_id, version_id, version, action, from_stage, to_stage, alias, actor, reason, at FROM model_events;
DROP TABLE model_events;
ALTER TABLE model_events_new RENAME TO model_events;
CREATE INDEX model_events_by_project ON model_events (project_id, at);
CREATE INDEX model_events_production ON model_events (project_id, at, id) WHERE to_stage = 'production' OR from_stage = 'production';
CREATE TRIGGER model_events_no_update BEFORE UPDATE ON model_events
BEGIN SELECT RAISE(ABORT, 'model_events is append-only: history is never rewritten'); END;
CREATE TRIGGER model_events_no_delete BEFORE DELETE ON model_events
BEGIN SELECT RAISE(ABORT, 'model_events is append-only: history is never rewritten'); END;
