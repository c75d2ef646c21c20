-- kolwatch schema, version 5 (SQLite): the same rule for a mention's label,
-- written so that SQLite checks it without building a table.
-- SQLite checks `label IN ('positive', 'negative', 'neutral')` by building a
-- temporary table of the three values for every row inserted, which cost
-- about 28,000 instructions a row. Written with OR, the rule accepts exactly
-- the same values (and NULL), so no stored row changes: only the table's
-- text in the schema does, in place, as SQLite's documentation allows for a
-- change that leaves the stored content as it is.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (label IN (''positive'', ''negative'', ''neutral''))',
                  'CHECK (label = ''positive'' OR label = ''negative'' OR label = ''neutral'')')
WHERE type = 'table' AND name = 'mentions';
PRAGMA writable_schema = RESET;
-- Editing the schema's text does not count up the schema cookie; creating
-- a table does. Every connection open on the database reads the new text
-- before its next statement (one still holding the old text could write a
-- later ALTER TABLE into the wrong place of the new one).
CREATE TABLE kw_schema_changed (x INTEGER);
DROP TABLE kw_schema_changed;
