-- 003 quality: data quality and bias reports of a dataset.

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
CREATE INDEX quality_reports_by_content ON quality_reports (dataset_sha256, options_key, created_at DESC);
CREATE INDEX quality_reports_by_dataset ON quality_reports (dataset_id, created_at DESC);
