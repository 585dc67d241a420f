-- Migration 6: a packet that any source delivered is counted once (issue 13).
--
-- Where a pcap source covers a flow's interface, flows.packets counted pcap's copies
-- only, and NFLOG's copies of the same packets were merely noted; so when pcap dropped
-- (a full ring) the packets NFLOG still logged were lost from the count. Now:
--   counted_packets, counted_bytes: what the counting source (pcap where it covers the
--     interface, else NFLOG) counted; NULL while equal to packets, bytes (every row
--     before this migration, and every row NFLOG never logged);
--   nflog_packets, nflog_bytes: the most any one logging rule (prefix, group, hook) of
--     flow_nflog logged of the flow;
--   packets = max(counted_packets, nflog_packets), bytes likewise: a packet either
--     source saw is counted once, and packets - counted_packets are the ones only NFLOG
--     saw (pcap missed them). Without sequence numbers the exact union is unknown, so
--     this is its lower bound.
ALTER TABLE flows ADD COLUMN counted_packets INTEGER;
ALTER TABLE flows ADD COLUMN counted_bytes INTEGER;
ALTER TABLE flows ADD COLUMN nflog_packets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flows ADD COLUMN nflog_bytes INTEGER NOT NULL DEFAULT 0;
