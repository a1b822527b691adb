-- 011 data: how each column of a dataset writes its numbers (decimal comma, thousands separators),
-- decided once at import from every cell (or named by the user) and used by every reader.
-- JSON array of { column, decimal, thousands, source, ambiguous, note }; empty for plain dot-decimal files.
ALTER TABLE datasets ADD COLUMN number_formats TEXT NOT NULL DEFAULT '[]';
