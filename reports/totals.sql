-- Packets, bytes and flows per class, subclass and interface of [:since, :until).
-- The report runs it for the period and for the previous one of equal length, and adds
-- the hours up: grouping by bucket first follows flows_report_totals, so nothing is sorted.
SELECT class, subclass, iface, sum(packets) AS packets, sum(bytes) AS bytes,
       count(*) AS flows
FROM flows
WHERE bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY bucket, class, subclass, iface;
