-- The data a database holds: first and last flow bucket, runs, and the newest host name.
SELECT (SELECT min(bucket) FROM flows) AS first_bucket,
       (SELECT max(bucket) FROM flows) AS last_bucket,
       (SELECT count(*) FROM runs) AS runs,
       (SELECT host FROM runs ORDER BY started_usec DESC LIMIT 1) AS host,
       (SELECT count(*) FROM runs WHERE started_usec < :until_us AND
	       coalesce(ended_usec, (SELECT max(c.end_usec) FROM sources s
				     JOIN capture_stats c ON c.source_id = s.id
				     WHERE s.run_id = runs.id), started_usec) >= :since_us)
	   AS live_runs,
       EXISTS (SELECT 1 FROM flows WHERE bucket >= :since AND bucket < :until) AS has_flows;
