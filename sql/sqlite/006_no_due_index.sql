-- kolwatch schema, version 6 (SQLite): no index on when sources are due.
-- SQLite used sources_due (enabled, next_attempt_at) only to find the
-- enabled sources: the due rule (next_attempt_at IS NULL OR <= now) and its
-- order (COALESCE(next_attempt_at, created_at)) cannot use it, so choosing
-- the due sources scanned and sorted all the same. Yet every fetch moves
-- next_attempt_at, and moving the source's entry in the index was half the
-- cost of recording the fetch (about 10,000 instructions a page crawled).
-- The due sources are now found by scanning the table, as before in effect.
DROP INDEX IF EXISTS sources_due;
