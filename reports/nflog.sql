-- What each NFLOG rule (prefix, group, hook) logged in the period, per class.
SELECT n.prefix, n.grp, n.hook, f.class, sum(n.packets) AS packets, sum(n.bytes) AS bytes,
       count(DISTINCT f.id) AS flows
FROM flow_nflog n CROSS JOIN flows f ON f.id = n.flow_id	-- NFLOG rows are the fewer
WHERE f.bucket >= :since AND f.bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || f.iface || ',') > 0)
GROUP BY n.prefix, n.grp, n.hook, f.class
ORDER BY n.prefix, n.grp, n.hook, packets DESC;
