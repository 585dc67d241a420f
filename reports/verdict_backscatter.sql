-- Backscatter of the period: replies that arrived for what the host never sent (class
-- backscatter: SYN-ACKs, RSTs, ICMP errors), per subclass and host address: packets, and
-- how many distinct remote hosts sent them (each one a host that someone contacted with
-- this address as the source). The WHERE repeats the partial index's clause so that
-- SQLite reads these flows from flows_report_spoof.
SELECT subclass, dst, sum(packets) AS packets, count(DISTINCT src) AS peers
FROM flows
WHERE class = 'backscatter'
  AND class NOT IN ('normal', 'loopback_flow')
  AND bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY subclass, dst
ORDER BY packets DESC, subclass, dst;
