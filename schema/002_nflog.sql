-- Migration 2: what NFLOG rules logged, per flow and log prefix.
--
-- A packet can be seen twice: by pcap before netfilter, and by an NFLOG rule at that
-- rule's hook. flows.packets counts each packet once (the pcap count where a pcap source
-- covers the flow's interface, else the NFLOG count); this table records, per flow, which
-- rules (prefixes) logged how many of them, so a report can say "the kernel received N
-- packets from 127.0.0.1 on eth0; rule `spoof:' logged M of them".
CREATE TABLE flow_nflog (
	flow_id		INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
	prefix		TEXT NOT NULL,		-- the rule's --nflog-prefix ('' if none)
	grp		INTEGER NOT NULL,	-- NFLOG group
	hook		INTEGER NOT NULL,	-- NF_INET_*: 0 PRE_ROUTING 1 LOCAL_IN 2 FORWARD 3 LOCAL_OUT 4 POST_ROUTING
	packets		INTEGER NOT NULL,
	bytes		INTEGER NOT NULL,
	uid		INTEGER,		-- socket owner where the kernel supplied it (last seen)
	gid		INTEGER,
	mark		INTEGER,
	PRIMARY KEY (flow_id, prefix, grp, hook)
) WITHOUT ROWID;

CREATE VIEW nflog_per_day AS
SELECT date(f.bucket, 'unixepoch') AS day, n.prefix, n.grp, n.hook, f.iface, f.class,
       sum(n.packets) AS logged_packets, sum(f.packets) AS flow_packets, count(*) AS flows
FROM flow_nflog n JOIN flows f ON f.id = n.flow_id
GROUP BY day, n.prefix, n.grp, n.hook, f.iface, f.class;
