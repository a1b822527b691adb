-- 002 hardware: machine profiles and benchmark results, this machine's and imported ones.

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
CREATE INDEX hardware_profiles_by_machine ON hardware_profiles (machine_id, created_at DESC);
