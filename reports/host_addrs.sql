-- The host's own addresses during the period's runs.
WITH sel AS (SELECT r.id FROM runs r
	WHERE (r.started_usec < :until_us AND
	       coalesce(r.ended_usec, (SELECT max(c.end_usec) FROM sources s
				       JOIN capture_stats c ON c.source_id = s.id
				       WHERE s.run_id = r.id), r.started_usec) >= :since_us)
	   OR (:file_mode AND EXISTS (SELECT 1 FROM sources s
				      WHERE s.run_id = r.id AND s.kind = 'pcap-file')))
SELECT DISTINCT h.addr, h.family, coalesce(h.iface, '') AS iface
FROM host_addrs h WHERE h.run_id IN sel
ORDER BY h.family, h.addr;
