-- Spoofed sources of the period that no spoofed flow had in the 7 days before it
-- ([:hist_since, :since)); total_new counts them all, before the limit. A loopback_dst
-- packet forges its destination, not its source: its source is left out.
-- The period's sources (with the figures the top sources list gives them) are read from
-- the whole hours of the hourly rollup spoof_hourly (schema/011_spoof_rollup.sql) with what NFLOG logged beyond
-- the counted packets, the rest from flows_report_spoof. The history's whole hours,
-- [hist_hour_since, since_hour), are looked up per source in spoof_src_daily
-- (schema/014_spoof_src_daily.sql): one seek per UTC day they touch (at most 8), each
-- day's row telling by its bits which of its hours saw the source; a part of an hour at
-- either end of it (a period that does not start on the hour) is read from
-- flows_report_spoof.
WITH f AS (
	SELECT src, class, bucket, iface, packets, bytes, flows, first_usec, last_usec
	FROM spoof_hourly
	WHERE bucket >= :hour_since AND bucket < :hour_until
	  AND class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND class <> 'loopback_dst'
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT src, class, bucket, iface, packets - counted_packets, bytes - counted_bytes, 0,
	       NULL, NULL
	FROM flows
	WHERE (packets > counted_packets OR bytes > counted_bytes)
	  AND bucket >= :hour_since AND bucket < :hour_until
	  AND class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND class <> 'loopback_dst'
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT src, class, bucket, iface, packets, bytes, 1, first_usec, last_usec
	FROM flows
	WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND class NOT IN ('normal', 'loopback_flow')
	  AND class <> 'loopback_dst'
	  AND bucket >= :since AND bucket < min(:until, :hour_since)
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT src, class, bucket, iface, packets, bytes, 1, first_usec, last_usec
	FROM flows
	WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND class NOT IN ('normal', 'loopback_flow')
	  AND class <> 'loopback_dst'
	  AND bucket >= max(:since, :hour_since, :hour_until) AND bucket < :until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)),
cur AS (	-- classes in their sort order, without sorting the rows by class first
	SELECT src, sum(packets) AS packets, sum(bytes) AS bytes, sum(flows) AS flows,
	       min(first_usec) AS first_usec, max(last_usec) AS last_usec,
	       substr(iif(max(class = 'bogon_src'), ',bogon_src', '') ||
		      iif(max(class = 'own_addr_src'), ',own_addr_src', '') ||
		      iif(max(class = 'rpf_fail'), ',rpf_fail', '') ||
		      iif(max(class = 'spoof_loopback_src'), ',spoof_loopback_src', '') ||
		      iif(max(class = 'suspect_src'), ',suspect_src', '') ||
		      iif(max(class = 'unexpected_src'), ',unexpected_src', ''), 2) AS classes
	FROM f
	GROUP BY src),
b AS (SELECT :hist_since + (3600 - (:hist_since % 3600 + 3600) % 3600) % 3600 AS hist_hour_since,
	     :since - (:since % 3600 + 3600) % 3600 AS since_hour),
days(day) AS (	-- the UTC days of the history's whole hours
	SELECT hist_hour_since - (hist_hour_since % 86400 + 86400) % 86400 FROM b
	WHERE hist_hour_since < since_hour
	UNION ALL
	SELECT day + 86400 FROM days, b WHERE day + 86400 < since_hour),
dm AS (		-- each day's hours in [hist_hour_since, since_hour) as bits
	SELECT day, (1 << min(24, (since_hour - day) / 3600)) -
		    (1 << max(0, (hist_hour_since - day) / 3600)) AS mask
	FROM days, b),
edge AS (	-- the sources of the history's parts of an hour
	SELECT h.src FROM flows h, b
	WHERE h.class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			  'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND h.class NOT IN ('normal', 'loopback_flow')
	  AND h.class <> 'loopback_dst'
	  AND h.bucket >= :hist_since AND h.bucket < min(:since, b.hist_hour_since)
	  AND (:ifaces = '' OR instr(:ifaces, ',' || h.iface || ',') > 0)
	UNION
	SELECT h.src FROM flows h, b
	WHERE h.class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			  'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND h.class NOT IN ('normal', 'loopback_flow')
	  AND h.class <> 'loopback_dst'
	  AND h.bucket >= max(:hist_since, b.since_hour) AND h.bucket < :since
	  AND (:ifaces = '' OR instr(:ifaces, ',' || h.iface || ',') > 0))
SELECT src AS addr, packets, bytes, flows, first_usec, last_usec, classes,
       count(*) OVER () AS total_new
FROM cur
WHERE NOT EXISTS (
	SELECT 1 FROM dm CROSS JOIN spoof_src_daily h
	WHERE h.day = dm.day AND h.src = cur.src AND (h.hours & dm.mask) <> 0
	  AND (:ifaces = '' OR instr(:ifaces, ',' || h.iface || ',') > 0))
  AND src NOT IN edge
ORDER BY packets DESC, addr
LIMIT :limit;
