-- The loopback inventory: services reached over loopback interfaces. The service port is
-- the one port the collector did not collapse to 0 (the client's ephemeral port is), or
-- the lower of two; ICMP's "port" is type << 8 | code. Servers are the addresses on the
-- service's side, peers those on the other.
-- The whole hours are read from the hourly rollup loopback_hourly
-- (schema/012_loopback_rollup.sql) with what NFLOG logged beyond the counted packets, the
-- parts of an hour at either end of the period from flows.
WITH r AS (
	SELECT proto, sport, dport, src, dst, packets, bytes, flows, first_usec, last_usec
	FROM loopback_hourly
	WHERE bucket >= :hour_since AND bucket < :hour_until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT proto, sport, dport, src, dst, packets - counted_packets, bytes - counted_bytes,
	       0, NULL, NULL
	FROM flows
	WHERE (packets > counted_packets OR bytes > counted_bytes)
	  AND bucket >= :hour_since AND bucket < :hour_until
	  AND +class = 'loopback_flow'	-- through flows_nflog_excess, not every loopback flow
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT proto, sport, dport, src, dst, packets, bytes, 1, first_usec, last_usec
	FROM flows
	WHERE class = 'loopback_flow' AND bucket >= :since AND bucket < min(:until, :hour_since)
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT proto, sport, dport, src, dst, packets, bytes, 1, first_usec, last_usec
	FROM flows
	WHERE class = 'loopback_flow'
	  AND bucket >= max(:since, :hour_since, :hour_until) AND bucket < :until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)),
lf AS (
	SELECT proto, src, dst, packets, bytes, flows, first_usec, last_usec,
	       CASE WHEN sport = 0 THEN dport WHEN dport = 0 THEN sport
		    WHEN sport < dport THEN sport ELSE dport END AS port,
	       CASE WHEN proto IN (1, 58) THEN 1 WHEN dport = 0 THEN 0 WHEN sport = 0 THEN 1
		    ELSE dport <= sport END AS to_service
	FROM r)
SELECT proto, port, sum(packets) AS packets, sum(bytes) AS bytes, sum(flows) AS flows,
       group_concat(DISTINCT CASE WHEN to_service THEN dst ELSE src END) AS servers,
       count(DISTINCT CASE WHEN to_service THEN src ELSE dst END) AS npeers,
       group_concat(DISTINCT CASE WHEN to_service THEN src ELSE dst END) AS peers,
       min(first_usec) AS first_usec, max(last_usec) AS last_usec
FROM lf
GROUP BY proto, port
ORDER BY packets DESC, proto, port
LIMIT :limit;
