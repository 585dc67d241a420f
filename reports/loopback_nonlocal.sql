-- Loopback flows with an address outside 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104
-- (the host talking to its own other addresses, or something odd). The whole hours are
-- read from the hourly rollup loopback_hourly (schema/012_loopback_rollup.sql) with what
-- NFLOG logged beyond the counted packets, the parts of an hour at either end of the
-- period from flows.
WITH r AS (
	SELECT src, dst, src_bin, dst_bin, packets, bytes, flows
	FROM loopback_hourly
	WHERE bucket >= :hour_since AND bucket < :hour_until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT src, dst, src_bin, dst_bin, packets - counted_packets, bytes - counted_bytes, 0
	FROM flows
	WHERE (packets > counted_packets OR bytes > counted_bytes)
	  AND bucket >= :hour_since AND bucket < :hour_until
	  AND +class = 'loopback_flow'	-- through flows_nflog_excess, not every loopback flow
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT src, dst, src_bin, dst_bin, packets, bytes, 1
	FROM flows
	WHERE class = 'loopback_flow' AND bucket >= :since AND bucket < min(:until, :hour_since)
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT src, dst, src_bin, dst_bin, packets, bytes, 1
	FROM flows
	WHERE class = 'loopback_flow'
	  AND bucket >= max(:since, :hour_since, :hour_until) AND bucket < :until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0))
SELECT src, dst, sum(packets) AS packets, sum(bytes) AS bytes, sum(flows) AS flows
FROM r
WHERE NOT (src_bin BETWEEN x'00000000000000000000ffff7f000000'
		       AND x'00000000000000000000ffff7fffffff'
	   AND dst_bin BETWEEN x'00000000000000000000ffff7f000000'
			   AND x'00000000000000000000ffff7fffffff')
  AND NOT (src_bin = x'00000000000000000000000000000001'
	   AND dst_bin = x'00000000000000000000000000000001')
GROUP BY src, dst
ORDER BY packets DESC, src, dst
LIMIT :limit;
