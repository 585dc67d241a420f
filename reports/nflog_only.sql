-- Packets only NFLOG saw in the period (migration 6): where pcap covers a flow's
-- interface but dropped some of its packets (a full ring), the flow counts what its
-- busiest logging rule logged. Returns the packets pcap counted in those flows, the ones
-- counted from NFLOG alone, and the flows.
SELECT coalesce(sum(counted_packets), 0) AS pcap_packets,
       coalesce(sum(packets - counted_packets), 0) AS nflog_only,
       count(*) AS flows
FROM flows
WHERE counted_packets IS NOT NULL AND packets > counted_packets
  AND bucket >= :since AND bucket < :until
  AND (:ifaces = '' OR instr(:ifaces, ',' || iface || ',') > 0);
