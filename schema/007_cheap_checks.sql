-- Migration 7: the flows table's CHECKs on dir and family cost nothing per row (issue 13).
--
-- Written as `dir IN ('in', 'out', 'unknown')` and `family IN (4, 6)`, each made SQLite
-- build an ephemeral lookup table for every row it wrote or updated (OpenEphemeral in
-- EXPLAIN of the flow upsert): about a fifth of a typical ingest's time. The same
-- constraints written with OR are plain comparisons. SQLite cannot change a CHECK in
-- place, and rebuilding flows would take minutes on a large database (and cascade into
-- evidence under foreign keys); a CHECK is not part of the stored format, so the table's
-- definition is rewritten in sqlite_schema, the procedure SQLite documents for such
-- changes (lang_altertable.html, "Making Other Kinds Of Table Schema Changes"); the store
-- then increments schema_version, which makes every connection read the new definition.
-- Rows already stored satisfy both forms alike.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(replace(sql,
	'CHECK (dir IN (''in'', ''out'', ''unknown''))',
	'CHECK (dir = ''in'' OR dir = ''out'' OR dir = ''unknown'')'),
	'CHECK (family IN (4, 6))', 'CHECK (family = 4 OR family = 6)')
 WHERE type = 'table' AND name = 'flows';
PRAGMA writable_schema = OFF;
