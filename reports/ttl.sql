-- TTL / hop limit of spoofed flows per class: packets per (min, max) range. A flow
-- whose TTL never varied has ttl_min = ttl_max.
SELECT class, ttl_min, ttl_max, sum(packets) AS packets, count(*) AS flows
FROM flows
WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
		'unexpected_src', 'rpf_fail', 'suspect_src')
  AND class NOT IN ('normal', 'loopback_flow')
  AND bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY class, ttl_min, ttl_max
ORDER BY class, packets DESC, ttl_min, ttl_max;
