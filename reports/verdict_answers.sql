-- What the host sent back to forged sources in the period: flows it sent (dir 'out',
-- not themselves spoofed) whose destination is the source of a spoofed flow of the
-- period and whose source is that flow's destination. An ICMP error (v4 types 3, 4, 5,
-- 11, 12; v6 types 1-4) about any packet counts; any other flow counts as a reply when
-- it answers the spoofed flow's protocol and ports (ICMP: an echo reply to an echo
-- request). Per class of the spoofed flow: packets, and distinct forged sources.
WITH o AS MATERIALIZED (	-- the class lookup runs once per flow
	SELECT f.packets, f.dst,
	       (f.proto = 1 AND (f.dport >> 8) IN (3, 4, 5, 11, 12)) OR
	       (f.proto = 58 AND (f.dport >> 8) BETWEEN 1 AND 4) AS is_error,
	       (SELECT min(sp.class) FROM flows sp
		WHERE sp.src = f.dst AND sp.dst = f.src
		  AND sp.class NOT IN ('normal', 'loopback_flow')
		  AND sp.class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src',
				   'bogon_src', 'unexpected_src', 'rpf_fail', 'suspect_src')
		  AND sp.bucket >= :since AND sp.bucket < :until
		  AND (:ifaces = '' OR instr(:ifaces, ',' || sp.iface || ',') > 0)
		  AND ((f.proto = 1 AND (f.dport >> 8) IN (3, 4, 5, 11, 12)) OR
		       (f.proto = 58 AND (f.dport >> 8) BETWEEN 1 AND 4) OR
		       (sp.proto = f.proto AND sp.proto IN (6, 17, 132, 33, 136) AND
			sp.sport = f.dport AND sp.dport = f.sport) OR
		       (sp.proto = 1 AND f.proto = 1 AND (sp.dport >> 8) = 8 AND (f.dport >> 8) = 0) OR
		       (sp.proto = 58 AND f.proto = 58 AND (sp.dport >> 8) = 128 AND
			(f.dport >> 8) = 129))) AS class
	FROM flows f
	WHERE f.bucket >= :since AND f.bucket < :until AND f.dir = 'out'
	  AND f.dst IN (SELECT s.src FROM flows s	-- the forged sources, once
			WHERE s.class NOT IN ('normal', 'loopback_flow')
			  AND s.class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src',
					  'bogon_src', 'unexpected_src', 'rpf_fail', 'suspect_src')
			  AND s.bucket >= :since AND s.bucket < :until)
	  AND f.class NOT IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src',
			      'bogon_src', 'unexpected_src', 'rpf_fail', 'suspect_src'))
SELECT class, is_error, sum(packets) AS packets, count(DISTINCT dst) AS sources
FROM o
WHERE class IS NOT NULL
GROUP BY class, is_error
ORDER BY class, is_error;
