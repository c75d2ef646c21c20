-- kolwatch schema, version 6 (PostgreSQL): nothing to change. On SQLite
-- this version drops the index sources_due, which SQLite could not use to
-- choose the due sources; PostgreSQL's planner can (a bitmap scan of the
-- due range when few sources are due), so it keeps it. The version is kept
-- in step with SQLite's.
SELECT 1;
