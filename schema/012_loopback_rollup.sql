-- Migration 12: an hourly rollup of the loopback flows, so that the report's loopback
-- inventory (loopback_services.sql, loopback_nonlocal.sql) reads one narrow row per hour
-- and service instead of fetching every loopback flow's row through flows_loopback
-- (issue 13).
--
-- loopback_hourly: per hour (bucket: its start, unix seconds, a multiple of 3600),
--   interface, protocol, ports, source and destination (text, as flows.src and dst; their
--   16-byte forms as flows.src_bin and dst_bin) of the flows of class loopback_flow, the
--   sums of the counted packets and bytes (coalesce(counted_packets, packets), as
--   flows_hourly), the number of flows rows, and the first and last packet's time. The
--   writer keeps it in step with every flush, in the same transaction as the flow rows
--   (src/store/store_spoof_rollup.c); prune deletes the hours it prunes and recomputes a
--   partial hour from flows. What NFLOG logged beyond the counted packets comes, as for
--   totals.sql, from the rare flows of flows_nflog_excess. With the collector's client
--   ports collapsed to 0, an hour holds one row per service and peer.
CREATE TABLE loopback_hourly (
	bucket		INTEGER NOT NULL,
	iface		TEXT NOT NULL,
	proto		INTEGER NOT NULL,
	sport		INTEGER NOT NULL,
	dport		INTEGER NOT NULL,
	src		TEXT NOT NULL,
	dst		TEXT NOT NULL,
	src_bin		BLOB NOT NULL,
	dst_bin		BLOB NOT NULL,
	packets		INTEGER NOT NULL,
	bytes		INTEGER NOT NULL,
	flows		INTEGER NOT NULL,
	first_usec	INTEGER NOT NULL,
	last_usec	INTEGER NOT NULL,
	PRIMARY KEY (bucket, iface, proto, sport, dport, src, dst)
) WITHOUT ROWID;

-- Old files: the rollup of the loopback flows they hold.
INSERT INTO loopback_hourly(bucket, iface, proto, sport, dport, src, dst, src_bin, dst_bin,
			    packets, bytes, flows, first_usec, last_usec)
SELECT bucket - (bucket % 3600 + 3600) % 3600 AS hour, iface, proto, sport, dport, src, dst,
       min(src_bin), min(dst_bin), sum(coalesce(counted_packets, packets)),
       sum(coalesce(counted_bytes, bytes)), count(*), min(first_usec), max(last_usec)
FROM flows
WHERE class = 'loopback_flow'
GROUP BY hour, iface, proto, sport, dport, src, dst;
