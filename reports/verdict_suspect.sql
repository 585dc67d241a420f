-- suspect_src packets of the period per subclass (hop_count, flood): packets and distinct
-- sources. The WHERE repeats the partial index's clause so that SQLite reads these flows
-- from flows_report_spoof.
SELECT subclass, sum(packets) AS packets, count(DISTINCT src) AS sources
FROM flows
WHERE class = 'suspect_src'
  AND class NOT IN ('normal', 'loopback_flow')
  AND bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY subclass
ORDER BY subclass;
