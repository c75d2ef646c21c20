-- kolwatch schema, version 2 (PostgreSQL): a source's zone. Dates on its
-- pages written without a zone ("2026-11-20 10:30", common on Chinese
-- sites) are local times this many seconds east of UTC (28800 for +08:00);
-- 0 is UTC, which is how such dates were read before.
ALTER TABLE sources ADD COLUMN utc_offset BIGINT NOT NULL DEFAULT 0;
