-- Migration 9: a flows table built for its writes (issue 13).
--
-- The UNIQUE index flows_key (eleven columns, two 16-byte blobs and four texts) was
-- checked and maintained for every flow the collector wrote: most of an ingest's time.
-- A flow is now found by khash, a 64-bit hash of its key columns (store_khash.c), under
-- flows_bucket_khash; every lookup compares the full key as well, so two flows whose
-- hashes collide are never merged. Nothing keeps a key to one row any more: the
-- collector remembers the row it wrote a flow to and adds to it by row id; a flow seen
-- again by a later run (or written again before its row id was known) may get a second
-- row of the same key and bucket, and every reader sums them (as it sums the rows of a
-- flow's buckets). Leading with bucket, the new index also serves "flows of a time
-- range" as flows_key did. Rows written before keep their ids and counts; their khash
-- is computed here (spoofaudit_flow_khash() is the C function, registered by the
-- store on its connections).
--
-- flows_class_bucket (class, bucket) cost every write a descent by text (about a sixth
-- of an ingest's CPU) for the few queries that ask for one class: the spoofed classes
-- have flows_report_spoof, and the loopback reports now the partial flows_loopback,
-- which the collector maintains for loopback flows only.
ALTER TABLE flows ADD COLUMN khash INTEGER NOT NULL DEFAULT 0;
UPDATE flows SET khash = spoofaudit_flow_khash(bucket, iface, dir, family, src_bin, dst_bin,
					       proto, sport, dport, class, subclass);
DROP INDEX flows_key;
CREATE INDEX flows_bucket_khash ON flows(bucket, khash);
DROP INDEX flows_class_bucket;
CREATE INDEX flows_loopback ON flows(bucket) WHERE class = 'loopback_flow';
