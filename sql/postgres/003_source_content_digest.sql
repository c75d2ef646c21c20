-- kolwatch schema, version 3 (PostgreSQL): what a source's page said last time.
-- A 128-bit digest of the last page the crawler read in full, taken with
-- what it was read for (the brands' queries, the source's kind, rules,
-- platform and zone). A page fetched again with the same digest is not
-- parsed again: most sites send no ETag, and a feed re-read on schedule is
-- usually the same bytes. NULL until a page has been read.
ALTER TABLE sources ADD COLUMN content_digest TEXT;
