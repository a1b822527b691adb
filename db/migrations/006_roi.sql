-- 006 ROI: each saved ROI case of a project (a new row per save: the history of assumptions), and
-- actual monthly figures entered after deployment. Money is integer minor units (cents).

CREATE TABLE roi_cases (
  id         INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  input      TEXT NOT NULL,                 -- JSON: the assumptions (main/roi roiInputSchema)
  measured   TEXT NOT NULL,                 -- JSON: what the workbench measured and used (error rate, training time…)
  result     TEXT NOT NULL,                 -- JSON: the computed case (README's documented shape)
  note       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX roi_cases_by_project ON roi_cases (project_id, created_at DESC);

CREATE TABLE roi_actuals (
  project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  month         INTEGER NOT NULL CHECK (month >= 0),   -- months since the case's month 0
  cost_minor    INTEGER NOT NULL,
  benefit_minor INTEGER NOT NULL,
  note          TEXT NOT NULL DEFAULT '',
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (project_id, month)
) STRICT;
