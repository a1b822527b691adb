CREATE TRIGGER model_events_no_delete BEFORE DELETE ON model_events
BEGIN SELECT RAISE(ABORT, 'model_events is append-only: history is never rewritten'); END;

CREATE TRIGGER model_events_no_update BEFORE UPDATE ON model_events
BEGIN SELECT RAISE(ABORT, 'model_events is append-only: history is never rewritten'); END;

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
  imported_at INTEGER NOT NULL, number_formats TEXT NOT NULL DEFAULT '[]',
  UNIQUE (path, sha256)
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

CREATE TABLE hardware_profiles (
  id             INTEGER PRIMARY KEY,
  machine_id     TEXT NOT NULL,             -- stable identifier of the machine (profiler's machineId)
  hostname       TEXT NOT NULL,
  source         TEXT NOT NULL CHECK (source IN ('local', 'imported')),
  mode           TEXT NOT NULL CHECK (mode IN ('none', 'quick', 'full')),  -- which benchmarks ran
  schema_version INTEGER NOT NULL,          -- of the profile JSON
  profile        TEXT NOT NULL,             -- JSON: the whole report (README's documented shape)
  imported_from  TEXT,                      -- file path, for imported profiles
  job_id         INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  created_at     INTEGER NOT NULL           -- when the profile was taken (not imported)
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
, owner_start TEXT, cancel_requested_at INTEGER, dedupe_key TEXT) STRICT;

CREATE TABLE latest_metrics (
  run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key       TEXT NOT NULL,
  step      INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value     REAL NOT NULL,
  PRIMARY KEY (run_id, key)
) STRICT;

CREATE TABLE metrics (
  run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key       TEXT NOT NULL,
  step      INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value     REAL NOT NULL,
  PRIMARY KEY (run_id, key, step)
) STRICT;

CREATE TABLE model_aliases (
  project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  alias      TEXT NOT NULL,                 -- free name: champion, challenger…
  version_id INTEGER NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, alias)
) STRICT;

CREATE TABLE "model_events" (
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

CREATE TABLE "model_versions" (
  id                  INTEGER PRIMARY KEY,
  kind                TEXT NOT NULL DEFAULT 'tabular' CHECK (kind IN ('tabular', 'image', 'text', 'anomaly', 'forecast')),  -- which kind of pilot: the wizard's branch, the engine, the predictor
  project_id          INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  version             INTEGER NOT NULL CHECK (version >= 1),   -- 1, 2, 3… per project
  run_id              INTEGER NOT NULL UNIQUE REFERENCES runs (id),
  dataset_id          INTEGER REFERENCES datasets (id) ON DELETE SET NULL,
  dataset_sha256      TEXT NOT NULL,                           -- lineage survives the dataset row
  quality_report_id   INTEGER REFERENCES quality_reports (id) ON DELETE SET NULL,
  hardware_profile_id INTEGER REFERENCES hardware_profiles (id) ON DELETE SET NULL,
  backend             TEXT NOT NULL,
  task                TEXT NOT NULL CHECK (task IN ('binary', 'multiclass', 'regression', 'anomaly', 'forecast')),
  target              TEXT NOT NULL,
  hyperparameters     TEXT NOT NULL,                           -- JSON
  test_metrics        TEXT NOT NULL,                           -- JSON: the network's metrics on the test split
  baselines           TEXT NOT NULL DEFAULT '{}',              -- JSON: majority and linear baselines' test metrics
  artifact_dir        TEXT NOT NULL,
  artifact_sha256     TEXT NOT NULL,                           -- SHA-256 of the artifact's checksum list
  stage               TEXT NOT NULL DEFAULT 'candidate' CHECK (stage IN ('candidate', 'staging', 'production', 'archived')),
  description         TEXT NOT NULL DEFAULT '',
  created_at          INTEGER NOT NULL, threshold REAL CHECK (threshold IS NULL OR (threshold > 0 AND threshold < 1)),
  UNIQUE (project_id, version)
) STRICT;

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

CREATE TABLE "projects" (
  id                INTEGER PRIMARY KEY,
  kind              TEXT NOT NULL DEFAULT 'tabular' CHECK (kind IN ('tabular', 'image', 'text', 'anomaly', 'forecast')),  -- which kind of pilot: the wizard's branch, the engine, the predictor
  name              TEXT NOT NULL UNIQUE,
  question          TEXT NOT NULL DEFAULT '',   -- the business question, in the user's words
  success_metric    TEXT,                       -- e.g. 'recall', 'accuracy', 'r2'
  success_threshold REAL,                       -- e.g. 0.80
  success_class     TEXT,                       -- the class the metric is about, e.g. 'fraud'
  baseline          TEXT,                       -- JSON: today's figures (volume per month, cost of an error, error rate, hours), recorded before training
  dataset_id        INTEGER REFERENCES datasets (id) ON DELETE SET NULL,
  target            TEXT,
  task              TEXT CHECK (task IN ('binary', 'multiclass', 'regression', 'anomaly', 'forecast')),
  wizard            TEXT NOT NULL DEFAULT '{}', -- JSON: wizard step and choices, so a user can leave and come back
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  archived_at       INTEGER
) STRICT;

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

CREATE TABLE quality_reports (
  id             INTEGER PRIMARY KEY,
  dataset_id     INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  dataset_sha256 TEXT NOT NULL,             -- the content scored; a re-run on the same SHA-256 offers this report
  options_key    TEXT NOT NULL,             -- canonical JSON of the options (target, protected, prediction, NA markers…)
  options        TEXT NOT NULL,             -- JSON
  score          REAL NOT NULL CHECK (score >= 0 AND score <= 100),
  report         TEXT NOT NULL,             -- JSON: the whole report (README's documented shape)
  job_id         INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE reference_profiles (
  version_id     INTEGER PRIMARY KEY REFERENCES model_versions (id) ON DELETE CASCADE,
  dataset_sha256 TEXT NOT NULL,
  profile        TEXT NOT NULL,             -- JSON
  created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE roi_actuals (
  project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  month         INTEGER NOT NULL CHECK (month >= 0),   -- months since the case's month 0
  cost_minor    INTEGER NOT NULL,
  benefit_minor INTEGER NOT NULL,
  note          TEXT NOT NULL DEFAULT '',
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (project_id, month)
) STRICT;

CREATE TABLE roi_cases (
  id         INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  input      TEXT NOT NULL,                 -- JSON: the assumptions (main/roi roiInputSchema)
  measured   TEXT NOT NULL,                 -- JSON: what the workbench measured and used (error rate, training time…)
  result     TEXT NOT NULL,                 -- JSON: the computed case (README's documented shape)
  note       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE run_params (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,                       -- JSON value
  PRIMARY KEY (run_id, key)
) STRICT;

CREATE TABLE "runs" (
  id             INTEGER PRIMARY KEY,
  kind           TEXT NOT NULL DEFAULT 'tabular' CHECK (kind IN ('tabular', 'image', 'text', 'anomaly', 'forecast')),  -- which kind of pilot: the wizard's branch, the engine, the predictor
  project_id     INTEGER REFERENCES projects (id) ON DELETE SET NULL,
  job_id         INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  dataset_id     INTEGER REFERENCES datasets (id) ON DELETE SET NULL,
  dataset_sha256 TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
  backend        TEXT,                        -- tensorflow | wasm | cpu
  backend_reason TEXT,                        -- why a better backend was not used
  task           TEXT CHECK (task IN ('binary', 'multiclass', 'regression', 'anomaly', 'forecast')),
  result         TEXT,                        -- JSON: the trainer's whole result (metrics, baselines, importance…)
  artifact_dir   TEXT,                        -- model directory, when succeeded
  checkpoint_dir TEXT,                        -- where an interrupted run resumes from
  started_at     INTEGER NOT NULL,
  finished_at    INTEGER
) STRICT;

CREATE TABLE serving_sample_counts (
  version_id  INTEGER PRIMARY KEY,
  offered     INTEGER NOT NULL               -- rows sampled so far; the next goes to slot offered % capacity
) STRICT;

CREATE TABLE serving_samples (
  version_id  INTEGER NOT NULL,              -- the version that answered; no foreign key: logs outlive versions
  slot        INTEGER NOT NULL,              -- place in the version's ring of sampled rows (0 … capacity − 1)
  at          INTEGER NOT NULL,              -- epoch ms, when the request arrived
  cells       TEXT NOT NULL,                 -- JSON object: model feature column → the cell as sent (text)
  PRIMARY KEY (version_id, slot)
) STRICT, WITHOUT ROWID;

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,            -- dotted name, e.g. 'jobs.cpuSlots'
  value      TEXT NOT NULL,               -- JSON value
  updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX datasets_by_sha256 ON datasets (sha256);

CREATE INDEX drift_reports_by_version ON drift_reports (version_id, created_at);

CREATE INDEX evaluations_by_version ON evaluations (version_id, created_at);

CREATE INDEX hardware_profiles_by_machine ON hardware_profiles (machine_id, created_at DESC);

CREATE INDEX jobs_by_created ON jobs (created_at DESC);

CREATE INDEX jobs_by_status ON jobs (status);

CREATE UNIQUE INDEX jobs_one_active_per_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running');

CREATE INDEX model_events_by_project ON model_events (project_id, at);

CREATE INDEX model_events_production ON model_events (project_id, at, id) WHERE to_stage = 'production' OR from_stage = 'production';

CREATE UNIQUE INDEX model_versions_one_production ON model_versions (project_id) WHERE stage = 'production';

CREATE INDEX prediction_requests_by_version ON prediction_requests (version_id, at);

CREATE INDEX publications_by_project ON publications (project_id, created_at);

CREATE INDEX quality_reports_by_content ON quality_reports (dataset_sha256, options_key, created_at DESC);

CREATE INDEX quality_reports_by_dataset ON quality_reports (dataset_id, created_at DESC);

CREATE INDEX roi_cases_by_project ON roi_cases (project_id, created_at DESC);

CREATE INDEX runs_by_job ON runs (job_id);

CREATE INDEX runs_by_project ON runs (project_id, started_at DESC);
