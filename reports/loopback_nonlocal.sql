-- Loopback flows with an address outside 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104
-- (the host talking to its own other addresses, or something odd).
SELECT src, dst, sum(packets) AS packets, sum(bytes) AS bytes, count(*) AS flows
FROM flows
WHERE class = 'loopback_flow' AND bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
  AND NOT (src_bin BETWEEN x'00000000000000000000ffff7f000000'
		       AND x'00000000000000000000ffff7fffffff'
	   AND dst_bin BETWEEN x'00000000000000000000ffff7f000000'
			   AND x'00000000000000000000ffff7fffffff')
  AND NOT (src_bin = x'00000000000000000000000000000001'
	   AND dst_bin = x'00000000000000000000000000000001')
GROUP BY src, dst
ORDER BY packets DESC, src, dst
LIMIT :limit;
