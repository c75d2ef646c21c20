-- kolwatch schema, version 4 (SQLite): near-copy signatures are now four
-- bands, each a hash of two MinHash values over runs of two and three
-- tokens (single characters made unrelated Chinese posts look alike), and a
-- candidate sharing a band is compared with the new text in full before it
-- counts as the original. Signatures of the old kind compare with nothing,
-- so they go; copies of older mentions are still found by their exact text
-- (content_hash). The four indexes on sim_b0..3 stay as they are.
UPDATE mentions SET sim_b0 = NULL, sim_b1 = NULL, sim_b2 = NULL, sim_b3 = NULL
WHERE sim_b0 IS NOT NULL OR sim_b1 IS NOT NULL OR sim_b2 IS NOT NULL OR sim_b3 IS NOT NULL;
