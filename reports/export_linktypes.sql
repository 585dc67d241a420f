-- The link types (and interfaces) export_evidence.sql would return, with packet counts.
SELECT e.linktype, f.iface, count(*) AS packets
FROM flows f JOIN evidence e ON e.flow_id = f.id
WHERE f.bucket >= :since - 86400 AND f.bucket < :until
  AND e.ts_usec >= :since_us AND e.ts_usec < :until_us
  AND (:classes = '' OR instr(:classes, ',' || f.class || ',') > 0)
  AND (:ifaces = '' OR instr(:ifaces, ',' || f.iface || ',') > 0)
  AND f.src_bin BETWEEN :src_lo AND :src_hi AND (:src_family = 0 OR f.family = :src_family)
  AND (:violation = 0 OR e.id IN (SELECT evidence_id FROM violation_packets
                                  WHERE violation_id = :violation))
GROUP BY e.linktype, f.iface ORDER BY e.linktype, f.iface;
