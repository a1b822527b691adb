-- 011 procs: jobs shared by several processes (desktop app, pilot serve, CLI commands) on one data folder.

-- Who owns a job, beyond its PID: the owner's process start identity ("linux:<boot id>:<start
-- ticks>", "ps:<start time>"), so that a PID reused by another process after a restart or reboot
-- is not taken for the owner. Null for rows written before this migration (PID only).
ALTER TABLE jobs ADD COLUMN owner_start TEXT;

-- Set (epoch ms) when another process asked to cancel the job: the owning supervisor polls for
-- it while it has jobs and cancels its own worker.
ALTER TABLE jobs ADD COLUMN cancel_requested_at INTEGER;

-- What a job computes, for jobs that several processes might start at once on the same input
-- (a quality report of one file's content with one set of options): at most one such job is
-- queued or running; the others wait for it and reuse its result.
ALTER TABLE jobs ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX jobs_one_active_per_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running');
