-- Every spoofed flow of the period, read once: report_spoofed.c sums these rows into the
-- top sources (without loopback_dst, whose source is the sender's own), the top
-- destinations, the top destination ports (ICMP: type << 8 | code) and the TTL / hop
-- limit ranges per class. One pass over the covering index flows_report_spoof replaces
-- the four GROUP BY queries that each read the same rows (issue 13: a day's report
-- <= 1 s). The WHERE clause repeats the partial index's condition so that SQLite reads
-- the rows from that index alone.
-- Parameters: :since, :until (bucket seconds), :ifaces (",eth0,lo," or '').
SELECT src, dst, proto, dport, class, ttl_min, ttl_max, packets, bytes, first_usec,
       last_usec, iface
FROM flows
WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',
		'unexpected_src', 'rpf_fail', 'suspect_src')
  AND class NOT IN ('normal', 'loopback_flow')
  AND bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0);
