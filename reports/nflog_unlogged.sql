-- Spoofed packets pcap saw in the period on flows that no NFLOG rule logged.
SELECT f.class, f.iface, sum(f.packets) AS packets, count(*) AS flows
FROM flows f
WHERE f.class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
		  'unexpected_src', 'rpf_fail', 'suspect_src')
  AND f.class NOT IN ('normal', 'loopback_flow')
  AND f.bucket >= :since AND f.bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || f.iface || ',') > 0)
  AND (f.seen_by & 1) != 0
  AND NOT EXISTS (SELECT 1 FROM flow_nflog n WHERE n.flow_id = f.id)
GROUP BY f.class, f.iface
ORDER BY packets DESC;
