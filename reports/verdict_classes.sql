-- Spoofed packets of the period per class, subclass, address family and interface: the
-- verdict decides per interface what the kernel did with them (the recorded sysctls of
-- that interface and of "all"). The family comes from the source's text (a ':' is IPv6)
-- so that SQLite reads the covering index flows_report_spoof alone. A 0.0.0.0 source is
-- subclass this_network_zero: the kernel drops it on every version, the rest of 0/8 only
-- before Linux 5.3.
SELECT class,
       CASE WHEN subclass = 'this_network' AND src = '0.0.0.0' THEN 'this_network_zero'
	    ELSE subclass END AS sub,
       CASE WHEN instr(src, ':') > 0 THEN 6 ELSE 4 END AS family, iface,
       sum(packets) AS packets
FROM flows
WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
		'unexpected_src', 'rpf_fail', 'suspect_src')
  AND class NOT IN ('normal', 'loopback_flow')
  AND bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY class, sub, family, iface
ORDER BY class, sub, family, iface;
