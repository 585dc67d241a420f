-- Evidence packets of [:since_us, :until_us) in capture order, with the flow they belong
-- to. :classes is ',bogon_src,loopback_dst,' or '' for every class; :src_lo/:src_hi bound
-- the source as 16-byte addresses (IPv4 as ::ffff:a.b.c.d) and :src_family (4, 6, or 0 for
-- either) keeps an IPv4 prefix from matching IPv4-mapped IPv6 sources. The bucket bounds only let
-- SQLite use the flows index: a packet lies in its flow's bucket (at most a day long).
SELECT e.id, e.ts_usec, e.linktype, e.wirelen, e.caplen, e.data, f.iface, f.class,
       f.id AS flow_id
FROM flows f JOIN evidence e ON e.flow_id = f.id
WHERE f.bucket >= :since - 86400 AND f.bucket < :until
  AND e.ts_usec >= :since_us AND e.ts_usec < :until_us
  AND (:classes = '' OR instr(:classes, ',' || f.class || ',') > 0)
  AND (:ifaces = '' OR instr(:ifaces, ',' || f.iface || ',') > 0)
  AND f.src_bin BETWEEN :src_lo AND :src_hi AND (:src_family = 0 OR f.family = :src_family)
  AND (:violation = 0 OR e.id IN (SELECT evidence_id FROM violation_packets
                                  WHERE violation_id = :violation))
ORDER BY e.ts_usec, e.id;
