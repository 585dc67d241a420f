-- Spoofed packets of the period per class, subclass, address family and interface: the
-- verdict decides per interface what the kernel did with them (the recorded sysctls of
-- that interface and of "all"). A 0.0.0.0 source is subclass this_network_zero: the
-- kernel drops it on every version, the rest of 0/8 only before Linux 5.3.
-- The whole hours of the period come from the hourly rollup flows_hourly (its family is
-- the source's), plus what NFLOG logged beyond the counted packets (flows_nflog_excess),
-- with the 0.0.0.0 sources' packets and flows moved to this_network_zero (from
-- spoof_hourly by its source index; a group is listed while it holds a flow); the rest of a period that does not start or end on the hour from the
-- covering index flows_report_spoof, the family from the source's text (a ':' is IPv6).
WITH f AS (
	SELECT class, subclass AS sub, family, iface, packets, flows
	FROM flows_hourly
	WHERE bucket >= :hour_since AND bucket < :hour_until
	  AND class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT class, CASE WHEN subclass = 'this_network' AND src = '0.0.0.0'
			   THEN 'this_network_zero' ELSE subclass END,
	       family, iface, packets - counted_packets, 0
	FROM flows
	WHERE (packets > counted_packets OR bytes > counted_bytes)
	  AND bucket >= :hour_since AND bucket < :hour_until
	  AND class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT class, z.sub, 4, iface, z.sign * packets, z.sign * flows
	FROM spoof_hourly CROSS JOIN (SELECT 'this_network' AS sub, -1 AS sign
				      UNION ALL SELECT 'this_network_zero', 1) AS z
	WHERE src = '0.0.0.0' AND subclass = 'this_network'
	  AND bucket >= :hour_since AND bucket < :hour_until
	  AND class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT class, CASE WHEN subclass = 'this_network' AND src = '0.0.0.0'
			   THEN 'this_network_zero' ELSE subclass END,
	       CASE WHEN instr(src, ':') > 0 THEN 6 ELSE 4 END, iface, packets, 1
	FROM flows
	WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND class NOT IN ('normal', 'loopback_flow')
	  AND bucket >= :since AND bucket < min(:until, :hour_since)
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT class, CASE WHEN subclass = 'this_network' AND src = '0.0.0.0'
			   THEN 'this_network_zero' ELSE subclass END,
	       CASE WHEN instr(src, ':') > 0 THEN 6 ELSE 4 END, iface, packets, 1
	FROM flows
	WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND class NOT IN ('normal', 'loopback_flow')
	  AND bucket >= max(:since, :hour_since, :hour_until) AND bucket < :until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0))
SELECT class, sub, family, iface, sum(packets) AS packets
FROM f
GROUP BY class, sub, family, iface
HAVING sum(flows) > 0
ORDER BY class, sub, family, iface;
