-- 007 pilot kinds: which kind of pilot (tabular, image, text, anomaly, forecast) each project,
-- run and model version is, and the tasks of the new kinds. SQLite cannot change a CHECK in place,
-- so the three tables are rebuilt the documented way (new table, copy, drop, rename) with foreign
-- keys off for this migration (the runner turns them off and checks them before committing).

CREATE TABLE projects_new (
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
INSERT INTO projects_new (id, name, question, success_metric, success_threshold, success_class, baseline, dataset_id, target, task, wizard, created_at, updated_at, archived_at, kind)
  SELECT id, name, question, success_metric, success_threshold, success_class, baseline, dataset_id, target, task, wizard, created_at, updated_at, archived_at, 'tabular' FROM projects;
DROP TABLE projects;
ALTER TABLE projects_new RENAME TO projects;

CREATE TABLE runs_new (
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
INSERT INTO runs_new (id, project_id, job_id, dataset_id, dataset_sha256, status, backend, backend_reason, task, result, artifact_dir, checkpoint_dir, started_at, finished_at, kind)
  SELECT id, project_id, job_id, dataset_id, dataset_sha256, status, backend, backend_reason, task, result, artifact_dir, checkpoint_dir, started_at, finished_at, 'tabular' FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;

CREATE TABLE model_versions_new (
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
  created_at          INTEGER NOT NULL,
  UNIQUE (project_id, version)
) STRICT;
INSERT INTO model_versions_new (id, project_id, version, run_id, dataset_id, dataset_sha256, quality_report_id, hardware_profile_id, backend, task, target, hyperparameters, test_metrics, baselines, artifact_dir, artifact_sha256, stage, description, created_at, kind)
  SELECT id, project_id, version, run_id, dataset_id, dataset_sha256, quality_report_id, hardware_profile_id, backend, task, target, hyperparameters, test_metrics, baselines, artifact_dir, artifact_sha256, stage, description, created_at, 'tabular' FROM model_versions;
DROP TABLE model_versions;
ALTER TABLE model_versions_new RENAME TO model_versions;

CREATE INDEX runs_by_project ON runs (project_id, started_at DESC);
-- The supervisor reports a job's end by job id: find its run without a scan.
CREATE INDEX runs_by_job ON runs (job_id);
-- One production version per project at a time.
CREATE UNIQUE INDEX model_versions_one_production ON model_versions (project_id) WHERE stage = 'production';
