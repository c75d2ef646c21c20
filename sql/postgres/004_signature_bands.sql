-- kolwatch schema, version 4 (PostgreSQL): near-copy signatures are now four
-- bands, each a hash of two MinHash values over runs of two and three
-- tokens (single characters made unrelated Chinese posts look alike), and a
-- candidate sharing a band is compared with the new text in full before it
-- counts as the original. Signatures of the old kind compare with nothing,
-- so they go; copies of older mentions are still found by their exact text
-- (content_hash). A band is read oldest first, a few rows at most: its
-- index carries the id, so that PostgreSQL stops early (SQLite's indexes
-- end with the rowid already).
UPDATE mentions SET sim_b0 = NULL, sim_b1 = NULL, sim_b2 = NULL, sim_b3 = NULL
WHERE sim_b0 IS NOT NULL OR sim_b1 IS NOT NULL OR sim_b2 IS NOT NULL OR sim_b3 IS NOT NULL;
DROP INDEX mentions_sim_b0;
DROP INDEX mentions_sim_b1;
DROP INDEX mentions_sim_b2;
DROP INDEX mentions_sim_b3;
CREATE INDEX mentions_sim_b0 ON mentions (sim_b0, id) WHERE sim_b0 IS NOT NULL;
CREATE INDEX mentions_sim_b1 ON mentions (sim_b1, id) WHERE sim_b1 IS NOT NULL;
CREATE INDEX mentions_sim_b2 ON mentions (sim_b2, id) WHERE sim_b2 IS NOT NULL;
CREATE INDEX mentions_sim_b3 ON mentions (sim_b3, id) WHERE sim_b3 IS NOT NULL;
