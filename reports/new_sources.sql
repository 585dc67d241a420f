-- Spoofed sources of the period that no spoofed flow had in the 7 days before it
-- ([:hist_since, :since)); total_new counts them all, before the limit. Each source
-- is looked up in flows_report_spoof_src (schema/003_report_indexes.sql). A loopback_dst
-- packet forges its destination, not its source: its source is left out.
WITH cur AS (
	SELECT src, sum(packets) AS packets, sum(bytes) AS bytes, count(*) AS flows,
	       min(first_usec) AS first_usec, max(last_usec) AS last_usec,
	       group_concat(DISTINCT class) AS classes
	FROM flows
	WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND class NOT IN ('normal', 'loopback_flow')
	  AND class <> 'loopback_dst'
	  AND bucket >= :since AND bucket < :until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	GROUP BY src)
SELECT src AS addr, packets, bytes, flows, first_usec, last_usec, classes,
       count(*) OVER () AS total_new
FROM cur
WHERE NOT EXISTS (
	SELECT 1 FROM flows h
	WHERE h.src = cur.src AND h.bucket >= :hist_since AND h.bucket < :since
	  AND h.class NOT IN ('normal', 'loopback_flow')
	  AND h.class <> 'loopback_dst'
	  AND h.class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			  'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND (:ifaces = '' OR instr(:ifaces, ',' || h.iface || ',') > 0))
ORDER BY packets DESC, addr
LIMIT :limit;
