-- Capture sources of the period with their statistics. Intervals are clipped to the
-- period; in :file_mode a file source's whole statistics count (a file's packets carry
-- their own times, its statistics the time it was read).
WITH sel AS (SELECT r.id FROM runs r
	WHERE (r.started_usec < :until_us AND
	       coalesce(r.ended_usec, (SELECT max(c.end_usec) FROM sources s
				       JOIN capture_stats c ON c.source_id = s.id
				       WHERE s.run_id = r.id), r.started_usec) >= :since_us)
	   OR (:file_mode AND EXISTS (SELECT 1 FROM sources s
				      WHERE s.run_id = r.id AND s.kind = 'pcap-file')))
SELECT s.run_id, s.kind, s.name, coalesce(s.iface, '') AS iface,
       count(c.id) AS intervals,
       coalesce(sum(CASE WHEN s.kind = 'pcap-file' AND :file_mode
			 THEN c.end_usec - c.start_usec
			 ELSE max(0, min(c.end_usec, :until_us) - max(c.start_usec, :since_us))
		    END), 0) / 1000000 AS seconds,
       coalesce(sum(c.received), 0) AS received,
       coalesce(sum(c.kernel_drops), 0) AS kernel_drops,
       coalesce(sum(c.iface_drops), 0) AS iface_drops,
       coalesce(sum(c.nflog_received), 0) AS nflog_received,
       coalesce(sum(c.nflog_enobufs), 0) AS nflog_enobufs,
       coalesce(sum(c.nflog_seq_gaps), 0) AS nflog_seq_gaps,
       coalesce(sum(c.flow_evictions), 0) AS flow_evictions,
       coalesce(sum(c.db_write_failures), 0) AS db_write_failures,
       coalesce(sum(c.decoded_ip), 0) AS decoded_ip,
       coalesce(sum(c.not_ip), 0) AS not_ip,
       coalesce(sum(c.unsupported), 0) AS unsupported,
       coalesce(sum(c.malformed), 0) AS malformed
FROM sources s
LEFT JOIN capture_stats c ON c.source_id = s.id AND
	((c.end_usec > :since_us AND c.start_usec < :until_us) OR
	 (:file_mode AND s.kind = 'pcap-file'))
WHERE s.run_id IN sel
  AND (:ifaces = '' OR s.iface IS NULL OR instr(:ifaces, ',' || s.iface || ',') > 0)
GROUP BY s.id
ORDER BY s.run_id, s.kind, s.name;
