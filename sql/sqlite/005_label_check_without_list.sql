-- kolwatch schema, version 5 (SQLite): the same rule for a mention's label,
-- written so that SQLite checks it without building a table.
-- SQLite checks `label IN ('positive', 'negative', 'neutral')` by building a
-- temporary table of the three values for every row inserted, which cost
-- about as much as the rest of the insert's own work. Written with OR, the
-- rule accepts exactly the same values (and NULL), so no stored row changes:
-- only the table's text in the schema does, in place, which SQLite's
-- documentation allows for a change that leaves the stored content as it is.
-- A connection still holding the old text checks the same rule.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (label IN (''positive'', ''negative'', ''neutral''))',
                  'CHECK (label = ''positive'' OR label = ''negative'' OR label = ''neutral'')')
WHERE type = 'table' AND name = 'mentions';
PRAGMA writable_schema = RESET;
