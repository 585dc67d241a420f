-- The time the period's flows span, first packet to last, in microseconds: how much of
-- the period capture files (which carry their own times) cover.
SELECT min(first_usec), max(last_usec)
FROM flows
WHERE bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0);
