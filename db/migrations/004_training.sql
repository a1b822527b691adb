-- 004 training: pilot projects, training runs (MLflow's shape: params as rows, metrics per step
-- with a latest-value table), and the model versions runs produce.

CREATE TABLE projects (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  question          TEXT NOT NULL DEFAULT '',   -- the business question, in the user's words
  success_metric    TEXT,                       -- e.g. 'recall', 'accuracy', 'r2'
  success_threshold REAL,                       -- e.g. 0.80
  success_class     TEXT,                       -- the class the metric is about, e.g. 'fraud'
  baseline          TEXT,                       -- JSON: today's figures (volume per month, cost of an error, error rate, hours), recorded before training
  dataset_id        INTEGER REFERENCES datasets (id) ON DELETE SET NULL,
  target            TEXT,
  task              TEXT CHECK (task IN ('binary', 'multiclass', 'regression')),
  wizard            TEXT NOT NULL DEFAULT '{}', -- JSON: wizard step and choices, so a user can leave and come back
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  archived_at       INTEGER
) STRICT;

CREATE TABLE runs (
  id             INTEGER PRIMARY KEY,
  project_id     INTEGER REFERENCES projects (id) ON DELETE SET NULL,
  job_id         INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  dataset_id     INTEGER REFERENCES datasets (id) ON DELETE SET NULL,
  dataset_sha256 TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
  backend        TEXT,                        -- tensorflow | wasm | cpu
  backend_reason TEXT,                        -- why a better backend was not used
  task           TEXT CHECK (task IN ('binary', 'multiclass', 'regression')),
  result         TEXT,                        -- JSON: the trainer's whole result (metrics, baselines, importance…)
  artifact_dir   TEXT,                        -- model directory, when succeeded
  checkpoint_dir TEXT,                        -- where an interrupted run resumes from
  started_at     INTEGER NOT NULL,
  finished_at    INTEGER
) STRICT;
CREATE INDEX runs_by_project ON runs (project_id, started_at DESC);
-- The supervisor reports a job's end by job id: find its run without a scan.
CREATE INDEX runs_by_job ON runs (job_id);

-- Hyperparameters and settings of a run, one row each.
CREATE TABLE run_params (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,                       -- JSON value
  PRIMARY KEY (run_id, key)
) STRICT;

-- Every epoch's metrics: loss, val_loss, accuracy… (step = epoch).
CREATE TABLE metrics (
  run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key       TEXT NOT NULL,
  step      INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value     REAL NOT NULL,
  PRIMARY KEY (run_id, key, step)
) STRICT;

-- The last value of each metric of a run, for lists that must not scan every epoch.
CREATE TABLE latest_metrics (
  run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key       TEXT NOT NULL,
  step      INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value     REAL NOT NULL,
  PRIMARY KEY (run_id, key)
) STRICT;

CREATE TABLE model_versions (
  id                  INTEGER PRIMARY KEY,
  project_id          INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  version             INTEGER NOT NULL CHECK (version >= 1),   -- 1, 2, 3… per project
  run_id              INTEGER NOT NULL UNIQUE REFERENCES runs (id),
  dataset_id          INTEGER REFERENCES datasets (id) ON DELETE SET NULL,
  dataset_sha256      TEXT NOT NULL,                           -- lineage survives the dataset row
  quality_report_id   INTEGER REFERENCES quality_reports (id) ON DELETE SET NULL,
  hardware_profile_id INTEGER REFERENCES hardware_profiles (id) ON DELETE SET NULL,
  backend             TEXT NOT NULL,
  task                TEXT NOT NULL CHECK (task IN ('binary', 'multiclass', 'regression')),
  target              TEXT NOT NULL,
  hyperparameters     TEXT NOT NULL,                           -- JSON
  test_metrics        TEXT NOT NULL,                           -- JSON: the network's metrics on the test split
  baselines           TEXT NOT NULL DEFAULT '{}',              -- JSON: majority and linear baselines' test metrics
  artifact_dir        TEXT NOT NULL,
  artifact_sha256     TEXT NOT NULL,                           -- SHA-256 of the artifact's checksum list
  stage               TEXT NOT NULL DEFAULT 'candidate' CHECK (stage IN ('candidate', 'staging', 'production', 'archived')),
  description         TEXT NOT NULL DEFAULT '',
  created_at          INTEGER NOT NULL,
  UNIQUE (project_id, version)
) STRICT;
-- One production version per project at a time.
CREATE UNIQUE INDEX model_versions_one_production ON model_versions (project_id) WHERE stage = 'production';
