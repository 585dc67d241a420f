-- Migration 10: an hourly rollup of the flows, so that the report's totals read a few
-- hundred rows per day instead of every flow of it (issue 13).
--
-- flows_hourly: per hour (bucket: its start, unix seconds, a multiple of 3600) and
--   interface, direction, family, class and subclass, the sums of the counted packets
--   and bytes (below) and the number of flows rows. The writer keeps it in step with every
--   flush in the same transaction as the flow rows (src/store/store_rollup.c): it adds
--   each flush's counted deltas, aggregated per hour and key; a row it inserts counts as
--   a flow. prune deletes the hours it prunes (and recomputes a partial hour from flows).
--   A flow's hour is the hour its bucket starts in, so with buckets of an hour or less it
--   is the flow's hour, and a period of whole hours is exactly a set of rollup rows.
CREATE TABLE flows_hourly (
	bucket		INTEGER NOT NULL,
	class		TEXT NOT NULL,
	subclass	TEXT NOT NULL,
	iface		TEXT NOT NULL,
	dir		TEXT NOT NULL,
	family		INTEGER NOT NULL,
	packets		INTEGER NOT NULL,
	bytes		INTEGER NOT NULL,
	flows		INTEGER NOT NULL,
	PRIMARY KEY (bucket, class, subclass, iface, dir, family)
) WITHOUT ROWID;

-- Old files: the rollup of the flows they hold.
INSERT INTO flows_hourly(bucket, class, subclass, iface, dir, family, packets, bytes, flows)
SELECT bucket - (bucket % 3600 + 3600) % 3600 AS hour, class, subclass, iface, dir, family,
       sum(coalesce(counted_packets, packets)), sum(coalesce(counted_bytes, bytes)), count(*)
FROM flows
GROUP BY hour, class, subclass, iface, dir, family;

-- The rollup sums what the counting source counted, coalesce(counted_packets, packets)
-- (migration 6): each flush adds exactly its deltas to it. flows.packets is more than
-- that only while NFLOG logged more than the counting source (pcap dropped); those rare
-- rows are in this partial index, and totals.sql adds their excess from it. (A trigger
-- keeping the rollup at flows.packets made every flow upsert 40 % slower.)
CREATE INDEX flows_nflog_excess ON flows(bucket, class, subclass, iface, packets,
					  counted_packets, bytes, counted_bytes)
	WHERE packets > counted_packets OR bytes > counted_bytes;

-- totals.sql reads flows_hourly now; this index was rewritten on every flow update.
DROP INDEX flows_report_totals;
