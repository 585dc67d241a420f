-- The loopback inventory: services reached over loopback interfaces. The service port is
-- the one port the collector did not collapse to 0 (the client's ephemeral port is), or
-- the lower of two; ICMP's "port" is type << 8 | code. Servers are the addresses on the
-- service's side, peers those on the other.
WITH lf AS (
	SELECT proto, src, dst, packets, bytes, first_usec, last_usec,
	       CASE WHEN sport = 0 THEN dport WHEN dport = 0 THEN sport
		    WHEN sport < dport THEN sport ELSE dport END AS port,
	       CASE WHEN proto IN (1, 58) THEN 1 WHEN dport = 0 THEN 0 WHEN sport = 0 THEN 1
		    ELSE dport <= sport END AS to_service
	FROM flows
	WHERE class = 'loopback_flow' AND bucket >= :since AND bucket < :until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0))
SELECT proto, port, sum(packets) AS packets, sum(bytes) AS bytes, count(*) AS flows,
       group_concat(DISTINCT CASE WHEN to_service THEN dst ELSE src END) AS servers,
       count(DISTINCT CASE WHEN to_service THEN src ELSE dst END) AS npeers,
       group_concat(DISTINCT CASE WHEN to_service THEN src ELSE dst END) AS peers,
       min(first_usec) AS first_usec, max(last_usec) AS last_usec
FROM lf
GROUP BY proto, port
ORDER BY packets DESC, proto, port
LIMIT :limit;
