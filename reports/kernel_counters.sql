-- The kernel's drop counters over the period's live runs (schema/005_kernel_counters.sql):
-- per counter, how much it grew while those runs captured, summed over the runs that
-- ended, and how many runs left no usable end value (killed, or the counter was reset).
-- The counters are the whole host's: every interface, not only the captured ones.
WITH sel AS (SELECT r.id FROM runs r
	WHERE r.started_usec < :until_us AND
	      coalesce(r.ended_usec, (SELECT max(c.end_usec) FROM sources s
				      JOIN capture_stats c ON c.source_id = s.id
				      WHERE s.run_id = r.id), r.started_usec) >= :since_us)
SELECT k.name,
       coalesce(sum(k.at_end - k.at_start) FILTER (WHERE k.at_end >= k.at_start), 0) AS delta,
       count(*) FILTER (WHERE k.at_end IS NULL OR k.at_end < k.at_start) AS open_runs
FROM kernel_counters k WHERE k.run_id IN sel
GROUP BY k.name ORDER BY k.name;
