-- The live policy audit's violations (collect --policy) whose occurrences overlap the
-- period, one row per violation (a signature within a run): kind, strength, occurrences
-- and how many were emitted as lines, when, the first flow, what the intended policy and
-- the live kernel do with it, the evidence, and how many evidence packets
-- `spoofaudit export --violation ID` writes. Strong evidence first, then by occurrences.
SELECT v.id, v.kind, v.strength, v.count, v.lines, v.first_usec, v.last_usec, v.iface, v.flow,
       v.intended, v.live, v.evidence,
       (SELECT count(*) FROM violation_packets p WHERE p.violation_id = v.id) AS evidence_packets
FROM violations v
WHERE v.last_usec >= :since_us AND v.first_usec < :until_us
  AND (:ifaces = '' OR v.iface = '' OR instr(:ifaces, ',' || v.iface || ',') > 0)
ORDER BY CASE v.strength WHEN 'strong' THEN 0 ELSE 1 END, v.count DESC, v.id
LIMIT :limit;
