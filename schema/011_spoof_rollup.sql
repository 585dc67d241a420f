-- Migration 11: an hourly rollup of the spoofed flows, so that the report's spoofed top
-- lists, new sources and verdict read one narrow row per hour and source instead of every
-- spoofed flow through covering indexes over flows (issue 13).
--
-- spoof_hourly: per hour (bucket: its start, unix seconds, a multiple of 3600), source
--   (text, as flows.src), class, subclass, interface, protocol and destination port of
--   the flows of the spoofed classes (classify_is_spoof(): the seven the reports list),
--   the sums of the counted packets and bytes (coalesce(counted_packets, packets), as
--   flows_hourly), the number of flows rows, and the first and last packet's time. The
--   writer keeps it in step with every flush, in the same transaction as the flow rows
--   (src/store/store_spoof_rollup.c); prune deletes the hours it prunes and recomputes a
--   partial hour from flows. What NFLOG logged beyond the counted packets comes, as for
--   totals.sql, from the rare flows of flows_nflog_excess.
CREATE TABLE spoof_hourly (
	bucket		INTEGER NOT NULL,
	src		TEXT NOT NULL,
	class		TEXT NOT NULL,
	subclass	TEXT NOT NULL,
	iface		TEXT NOT NULL,
	proto		INTEGER NOT NULL,
	dport		INTEGER NOT NULL,
	packets		INTEGER NOT NULL,
	bytes		INTEGER NOT NULL,
	flows		INTEGER NOT NULL,
	first_usec	INTEGER NOT NULL,
	last_usec	INTEGER NOT NULL,
	PRIMARY KEY (bucket, src, class, subclass, iface, proto, dport)
) WITHOUT ROWID;

-- "Was this spoofed source seen in the 7 days before?" (new_sources.sql): one seek per
-- source; the primary key's columns (class, iface) come with it.
CREATE INDEX spoof_hourly_src ON spoof_hourly(src, bucket);

-- Old files: the rollup of the spoofed flows they hold.
INSERT INTO spoof_hourly(bucket, src, class, subclass, iface, proto, dport, packets, bytes,
			 flows, first_usec, last_usec)
SELECT bucket - (bucket % 3600 + 3600) % 3600 AS hour, src, class, subclass, iface, proto,
       dport, sum(coalesce(counted_packets, packets)), sum(coalesce(counted_bytes, bytes)),
       count(*), min(first_usec), max(last_usec)
FROM flows
WHERE class NOT IN ('normal', 'loopback_flow')
  AND class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
		'unexpected_src', 'rpf_fail', 'suspect_src')
GROUP BY hour, src, class, subclass, iface, proto, dport;

-- flows_hourly gains the first and last packet's time of its hour and key, so that the
-- span of a period's flows (verdict_span.sql) reads the rollup too; the writer keeps them
-- as it keeps the sums (min and max of every flush's).
ALTER TABLE flows_hourly ADD COLUMN first_usec INTEGER;
ALTER TABLE flows_hourly ADD COLUMN last_usec INTEGER;
UPDATE flows_hourly SET first_usec = s.f, last_usec = s.l
FROM (SELECT bucket - (bucket % 3600 + 3600) % 3600 AS hour, class, subclass, iface, dir,
	     family, min(first_usec) AS f, max(last_usec) AS l
      FROM flows
      GROUP BY hour, class, subclass, iface, dir, family) AS s
WHERE flows_hourly.bucket = s.hour AND flows_hourly.class = s.class
  AND flows_hourly.subclass = s.subclass AND flows_hourly.iface = s.iface
  AND flows_hourly.dir = s.dir AND flows_hourly.family = s.family;

-- new_sources.sql reads spoof_hourly_src now; this index was written with every spoofed
-- flow.
DROP INDEX flows_report_spoof_src;
