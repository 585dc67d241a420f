-- The spoofed sources of the period with the most packets. A loopback_dst packet forges
-- its destination, not its source: its source is left out (it may be the sender's own).
SELECT src AS addr, sum(packets) AS packets, sum(bytes) AS bytes, count(*) AS flows,
       min(first_usec) AS first_usec, max(last_usec) AS last_usec,
       group_concat(DISTINCT class) AS classes, group_concat(DISTINCT iface) AS ifaces
FROM flows
WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
		'unexpected_src', 'rpf_fail', 'suspect_src')
  AND class NOT IN ('normal', 'loopback_flow')
  AND class <> 'loopback_dst'
  AND bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY src
ORDER BY packets DESC, addr
LIMIT :limit;
