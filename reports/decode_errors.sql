-- Decode problems of the period by reason.
SELECT d.reason, sum(d.count) AS count
FROM decode_errors d JOIN sources s ON s.id = d.source_id
WHERE ((d.end_usec > :since_us AND d.start_usec < :until_us) OR
       (:file_mode AND s.kind = 'pcap-file'))
GROUP BY d.reason ORDER BY count DESC;
