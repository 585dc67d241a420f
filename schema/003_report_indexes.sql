-- Migration 3: indexes that let `spoofaudit report` read a day of a million flows in well
-- under a second (tests/bench/report), without touching a table row.
--
-- flows_report_totals covers totals.sql (packets, bytes and flows per class, subclass and
-- interface): it leads with bucket, so a day is one range, and the query groups by
-- (bucket, class, subclass, iface) in index order, with no sort.
CREATE INDEX flows_report_totals ON flows(bucket, class, subclass, iface, packets, bytes);

-- flows_report_spoof covers the queries over spoofed flows (timeline, top lists, new
-- sources, TTL, NFLOG gaps). It is partial, so the collector pays for it only on spoofed
-- flows; a query uses it when its WHERE clause repeats this one literally.
CREATE INDEX flows_report_spoof ON flows(class, bucket, src, dst, proto, dport, ttl_min,
					 ttl_max, packets, bytes, first_usec, last_usec,
					 iface, seen_by)
	WHERE class NOT IN ('normal', 'loopback_flow');

-- flows_report_spoof_src answers "was this spoofed source seen in the 7 days before?"
-- (new_sources.sql) with one seek per source instead of a scan of the week.
CREATE INDEX flows_report_spoof_src ON flows(src, bucket)
	WHERE class NOT IN ('normal', 'loopback_flow');
