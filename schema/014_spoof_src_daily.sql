-- Migration 14: a per-day set of the spoofed sources, so that new_sources.sql ("was this
-- source seen in the 7 days before?") seeks at most 8 rows per source, and the writer no
-- longer keeps spoof_hourly_src, whose (src, bucket) order took every spoofed source's
-- insert to a random page of a B-tree that grows with the file (issue 13).
--
-- spoof_src_daily: per UTC day (day: its start, unix seconds, a multiple of 86400), source
--   (text, as flows.src) and interface, of the flows of the six classes that forge their
--   source (classify_is_spoof() less loopback_dst, whose source is not forged), the UTC
--   hours of that day that spoof_hourly has rows of (hours: bit h set when the hour
--   day + h * 3600 has one; bits 0 to 23). The key begins with the day, so a collector
--   writes into one day's part of the tree. The writer keeps it in step with spoof_hourly
--   at every flush, in the same transaction (src/store/store_spoof_rollup.c); prune
--   deletes the days it prunes and recomputes the day it splits from spoof_hourly.
CREATE TABLE spoof_src_daily (
	day		INTEGER NOT NULL,
	src		TEXT NOT NULL,
	iface		TEXT NOT NULL,
	hours		INTEGER NOT NULL,
	PRIMARY KEY (day, src, iface)
) WITHOUT ROWID;

-- Old files: the sources their spoof_hourly holds (the sum of the distinct powers of two
-- is their bitwise or).
INSERT INTO spoof_src_daily(day, src, iface, hours)
SELECT bucket - (bucket % 86400 + 86400) % 86400 AS d, src, iface,
       sum(DISTINCT 1 << ((bucket % 86400 + 86400) % 86400 / 3600))
FROM spoof_hourly
WHERE class IN ('spoof_loopback_src', 'own_addr_src', 'bogon_src', 'unexpected_src',
		'rpf_fail', 'suspect_src')
GROUP BY d, src, iface;

-- new_sources.sql reads spoof_src_daily now.
DROP INDEX spoof_hourly_src;
