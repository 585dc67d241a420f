-- Flood episodes (suspect_src/flood, migration 7) that overlap the period: when, where
-- to, how many openings and distinct sources, the TTL band and the TTL histogram (JSON
-- [[ttl, openings], ...]). Longest first.
SELECT start_usec, end_usec, dst, proto, dport, packets, flagged, sources, ttl_lo, ttl_hi,
       ttl_hist
FROM flood_episodes
WHERE end_usec >= :since_us AND start_usec < :until_us
ORDER BY packets DESC, start_usec
LIMIT :limit;
