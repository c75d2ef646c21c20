-- kolwatch schema, version 4 (PostgreSQL): near copies looked up by pairs of
-- MinHash values. A mention counts as a copy of an older one when three of
-- their four values agree, and then the first two or the last two agree
-- both: two indexes on pairs find every such candidate, where four on
-- single values found it among many more (and cost two more index writes
-- for every new mention).
DROP INDEX mentions_sim_b0;
DROP INDEX mentions_sim_b1;
DROP INDEX mentions_sim_b2;
DROP INDEX mentions_sim_b3;
CREATE INDEX mentions_sim_b01 ON mentions (sim_b0, sim_b1) WHERE sim_b0 IS NOT NULL;
CREATE INDEX mentions_sim_b23 ON mentions (sim_b2, sim_b3) WHERE sim_b2 IS NOT NULL;
