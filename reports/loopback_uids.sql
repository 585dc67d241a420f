-- The socket owners NFLOG reported for loopback services (same service port rule as
-- loopback_services.sql).
SELECT f.proto,
       CASE WHEN f.sport = 0 THEN f.dport WHEN f.dport = 0 THEN f.sport
	    WHEN f.sport < f.dport THEN f.sport ELSE f.dport END AS port,
       group_concat(DISTINCT n.uid) AS uids
FROM flow_nflog n JOIN flows f ON f.id = n.flow_id
WHERE f.class = 'loopback_flow' AND f.bucket >= :since AND f.bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || f.iface || ',') > 0)
  AND n.uid IS NOT NULL
GROUP BY 1, 2;
