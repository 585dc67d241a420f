-- The live policy audit's violations of the period per spoofed class and kind, with
-- their ids (ascending), occurrences, and whether any has strong evidence: the verdict
-- names them beside the class they concern.
SELECT class, kind, group_concat(id, ', ') AS ids, sum(count) AS count,
       max(strength = 'strong') AS strong
FROM (SELECT v.id, v.class, v.kind, v.count, v.strength FROM violations v
      WHERE v.last_usec >= :since_us AND v.first_usec < :until_us
	AND (:ifaces = '' OR v.iface = '' OR instr(:ifaces, ',' || v.iface || ',') > 0)
      ORDER BY v.id)
GROUP BY class, kind
ORDER BY class, kind;
