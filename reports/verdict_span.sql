-- The time the period's flows span, first packet to last, in microseconds: how much of
-- the period capture files (which carry their own times) cover. The whole hours of the
-- period come from the hourly rollup flows_hourly (its first and last packet per hour and
-- key, schema/011_spoof_rollup.sql), the rest of a period that does not start or end on
-- the hour from the flows, by the bucket range of flows_bucket_khash.
SELECT min(f), max(l)
FROM (
	SELECT min(first_usec) AS f, max(last_usec) AS l
	FROM flows_hourly
	WHERE bucket >= :hour_since AND bucket < :hour_until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT min(first_usec), max(last_usec)
	FROM flows
	WHERE bucket >= :since AND bucket < min(:until, :hour_since)
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0)
	UNION ALL
	SELECT min(first_usec), max(last_usec)
	FROM flows
	WHERE bucket >= max(:since, :hour_since, :hour_until) AND bucket < :until
	  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0));
