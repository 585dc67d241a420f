-- Interfaces of the period's runs with the role the classifier used.
WITH sel AS (SELECT r.id FROM runs r
	WHERE (r.started_usec < :until_us AND
	       coalesce(r.ended_usec, (SELECT max(c.end_usec) FROM sources s
				       JOIN capture_stats c ON c.source_id = s.id
				       WHERE s.run_id = r.id), r.started_usec) >= :since_us)
	   OR (:file_mode AND EXISTS (SELECT 1 FROM sources s
				      WHERE s.run_id = r.id AND s.kind = 'pcap-file')))
SELECT DISTINCT i.name, i.role, i.role_origin, i.prefixes
FROM ifaces i WHERE i.run_id IN sel
ORDER BY i.name, i.role;
