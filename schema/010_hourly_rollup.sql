-- Migration 10: an hourly rollup of the flows, so that the report's totals read a few
-- hundred rows per day instead of every flow of it (issue 13).
--
-- flows_hourly: per hour (bucket: its start, unix seconds, a multiple of 3600) and
--   interface, direction, family, class and subclass, the sums of flows.packets and
--   flows.bytes and the number of flows rows. The writer keeps it in step with every
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
       sum(packets), sum(bytes), count(*)
FROM flows
GROUP BY hour, class, subclass, iface, dir, family;

-- The writer adds what the flush counted (coalesce(counted_packets, packets) grows by
-- exactly that, migration 6); flows.packets = max(counted, nflog) grows less while
-- NFLOG logged more than the counting source, and grows when an NFLOG row raises it.
-- This trigger adds the difference, so the rollup sums flows.packets and flows.bytes
-- exactly; it fires only on such rows.
CREATE TRIGGER flows_hourly_excess AFTER UPDATE OF packets, bytes ON flows
WHEN new.packets - old.packets <>
	coalesce(new.counted_packets, new.packets) - coalesce(old.counted_packets, old.packets)
  OR new.bytes - old.bytes <>
	coalesce(new.counted_bytes, new.bytes) - coalesce(old.counted_bytes, old.bytes)
BEGIN
	INSERT INTO flows_hourly(bucket, class, subclass, iface, dir, family, packets, bytes,
				 flows)
	VALUES (new.bucket - (new.bucket % 3600 + 3600) % 3600, new.class, new.subclass,
		new.iface, new.dir, new.family,
		new.packets - old.packets - (coalesce(new.counted_packets, new.packets) -
					     coalesce(old.counted_packets, old.packets)),
		new.bytes - old.bytes - (coalesce(new.counted_bytes, new.bytes) -
					 coalesce(old.counted_bytes, old.bytes)), 0)
	ON CONFLICT (bucket, class, subclass, iface, dir, family) DO UPDATE SET
		packets = packets + excluded.packets, bytes = bytes + excluded.bytes;
END;

-- totals.sql reads flows_hourly now; this index was rewritten on every flow update.
DROP INDEX flows_report_totals;
