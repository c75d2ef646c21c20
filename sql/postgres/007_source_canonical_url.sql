-- kolwatch schema, version 7 (PostgreSQL): a source's URL in canonical form
-- (kw_url_canonical: scheme and host lower-cased, default port, fragment
-- and tracking parameters dropped, query sorted), kept beside the URL as
-- written. Two sources of a kind may not fetch the same canonical URL, and
-- `source add`, `source edit` and `campaign deliverable set` used to find
-- one by reading every source of the kind; the index makes it one lookup.
-- kolwatch fills the column for the sources already stored right after
-- this file runs (canonical form is computed in C); a source whose URL has
-- no canonical form keeps NULL and is compared as before.
ALTER TABLE sources ADD COLUMN canonical_url TEXT;
CREATE INDEX sources_canonical ON sources (kind, canonical_url);
