-- Spoofed packets per class and hour of the period (hour 0 starts at :since). When the
-- period starts on the hour, each hour of the hourly rollup flows_hourly is one hour of
-- the timeline: its whole hours come from there, plus what NFLOG logged beyond the
-- counted packets (flows_nflog_excess), and only a part of an hour at its end from the
-- flows. A period that starts inside an hour is read from the flows (flows_report_spoof).
SELECT class, hour, sum(packets) AS packets
FROM (
	SELECT class, (bucket - :since) / 3600 AS hour, packets
	FROM flows_hourly
	WHERE :since % 3600 = 0 AND bucket >= :hour_since AND bucket < :hour_until
	  AND class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT class, (bucket - :since) / 3600, packets - counted_packets
	FROM flows
	WHERE (packets > counted_packets OR bytes > counted_bytes)
	  AND :since % 3600 = 0 AND bucket >= :hour_since AND bucket < :hour_until
	  AND class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT class, (bucket - :since) / 3600, packets
	FROM flows
	WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
			'unexpected_src', 'rpf_fail', 'suspect_src')
	  AND class NOT IN ('normal', 'loopback_flow')
	  AND bucket >= CASE WHEN :since % 3600 = 0 THEN max(:since, :hour_until) ELSE :since END
	  AND bucket < :until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0))
GROUP BY class, hour;
