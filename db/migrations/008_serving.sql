-- 008 serving: publications of a project's stage, alias or version behind their own API keys
-- (which can only predict), and one row per prediction request for the Models page's figures.

CREATE TABLE publications (
  id          INTEGER PRIMARY KEY,
  project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  selector    TEXT NOT NULL,                 -- what the key may call: production | staging | latest | an alias | a version number
  key_sha256  TEXT NOT NULL UNIQUE,          -- SHA-256 (hex) of the key; the key itself is printed once and never stored
  key_prefix  TEXT NOT NULL,                 -- the key's first characters, to tell keys apart in lists
  created_by  TEXT NOT NULL,                 -- user and surface, as in model_events
  created_at  INTEGER NOT NULL,              -- epoch ms
  revoked_at  INTEGER                        -- epoch ms; null while the key works
) STRICT;
CREATE INDEX publications_by_project ON publications (project_id, created_at);

CREATE TABLE prediction_requests (
  id             INTEGER PRIMARY KEY,
  publication_id INTEGER REFERENCES publications (id) ON DELETE SET NULL,
  version_id     INTEGER,                    -- the version that answered (null when none was resolved); no foreign key: logs outlive versions
  at             INTEGER NOT NULL,           -- epoch ms, when the request arrived
  status         INTEGER NOT NULL,           -- the HTTP status answered
  rows           INTEGER NOT NULL,           -- rows predicted (0 for a refused request)
  unseen_rows    INTEGER NOT NULL,           -- rows with at least one category the model never learned
  duration_ms    REAL NOT NULL,              -- from the request's arrival to the answer
  error_code     TEXT                        -- the JSON error's code, null on success
) STRICT;
CREATE INDEX prediction_requests_by_version ON prediction_requests (version_id, at);
