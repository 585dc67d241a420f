-- Packets, bytes and flows per class, subclass and interface of [:since, :until).
-- The report runs it for the period and for the previous one of equal length, and adds
-- the rows up. The whole hours of the period, [:hour_since, :hour_until), come from the
-- hourly rollup flows_hourly (schema/010_hourly_rollup.sql), grouped in its key's order,
-- so nothing is sorted, plus what NFLOG logged beyond the counted packets of those hours
-- (the rare flows of the partial index flows_nflog_excess); the rest of a period that
-- does not start or end on the hour comes from the flows themselves, by the bucket
-- range of flows_bucket_khash.
SELECT class, subclass, iface, sum(packets) AS packets, sum(bytes) AS bytes,
       sum(flows) AS flows
FROM flows_hourly
WHERE bucket >= :hour_since AND bucket < :hour_until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY bucket, class, subclass, iface
UNION ALL
SELECT class, subclass, iface, sum(packets - counted_packets), sum(bytes - counted_bytes), 0
FROM flows
WHERE (packets > counted_packets OR bytes > counted_bytes)
  AND bucket >= :hour_since AND bucket < :hour_until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY class, subclass, iface
UNION ALL
SELECT class, subclass, iface, sum(packets), sum(bytes), count(*)
FROM flows
WHERE bucket >= :since AND bucket < min(:until, :hour_since)
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY class, subclass, iface
UNION ALL
SELECT class, subclass, iface, sum(packets), sum(bytes), count(*)
FROM flows
WHERE bucket >= max(:since, :hour_since, :hour_until) AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
GROUP BY class, subclass, iface;
