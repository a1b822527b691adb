-- 011 prod: the rows each version was asked to predict in serve mode, kept as a bounded sample
-- (the latest rows, a few per request) so a drift check can use them as the current data.

CREATE TABLE serving_samples (
  version_id  INTEGER NOT NULL,              -- the version that answered; no foreign key: logs outlive versions
  slot        INTEGER NOT NULL,              -- place in the version's ring of sampled rows (0 … capacity − 1)
  at          INTEGER NOT NULL,              -- epoch ms, when the request arrived
  cells       TEXT NOT NULL,                 -- JSON object: model feature column → the cell as sent (text)
  PRIMARY KEY (version_id, slot)
) STRICT, WITHOUT ROWID;

CREATE TABLE serving_sample_counts (
  version_id  INTEGER PRIMARY KEY,
  offered     INTEGER NOT NULL               -- rows sampled so far; the next goes to slot offered % capacity
) STRICT;
