-- kolwatch schema, version 5 (PostgreSQL): nothing to change. On SQLite this
-- version rewrites the CHECK on mentions.label without an IN list, which
-- SQLite evaluated by building a temporary table for every insert;
-- PostgreSQL evaluates the IN list as it is. The version is kept in step
-- with SQLite's.
SELECT 1;
