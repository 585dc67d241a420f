-- Spoofed packets per class and hour of the period (hour 0 starts at :since).
SELECT class, (bucket - :since) / 3600 AS hour, sum(packets) AS packets
FROM flows
WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
		'unexpected_src', 'rpf_fail', 'suspect_src')
  AND class NOT IN ('normal', 'loopback_flow')
  AND bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY class, hour;
