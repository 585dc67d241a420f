-- The destination ports (ICMP: type << 8 | code) spoofed packets of the period went to.
SELECT proto, dport, sum(packets) AS packets, sum(bytes) AS bytes, count(*) AS flows,
       count(DISTINCT src) AS sources, group_concat(DISTINCT class) AS classes
FROM flows
WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
		'unexpected_src', 'rpf_fail', 'suspect_src')
  AND class NOT IN ('normal', 'loopback_flow')
  AND bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY proto, dport
ORDER BY packets DESC, proto, dport
LIMIT :limit;
