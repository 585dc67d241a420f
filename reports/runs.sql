-- The collector runs of the period: those that overlapped it, or, when none did
-- (:file_mode), those that read capture files. A run without ended_usec is still running
-- or crashed; its last statistics say until when it was seen.
WITH sel AS (SELECT r.id FROM runs r
	WHERE (r.started_usec < :until_us AND
	       coalesce(r.ended_usec, (SELECT max(c.end_usec) FROM sources s
				       JOIN capture_stats c ON c.source_id = s.id
				       WHERE s.run_id = r.id), r.started_usec) >= :since_us)
	   OR (:file_mode AND EXISTS (SELECT 1 FROM sources s
				      WHERE s.run_id = r.id AND s.kind = 'pcap-file')))
SELECT r.id, r.host, r.version, coalesce(r.cmdline, '') AS cmdline, r.started_usec,
       r.ended_usec,
       (SELECT max(c.end_usec) FROM sources s JOIN capture_stats c ON c.source_id = s.id
	WHERE s.run_id = r.id) AS last_stats_usec,
       r.bucket_seconds
FROM runs r WHERE r.id IN sel
ORDER BY r.started_usec
LIMIT 200;
