-- This file adds the kernel's own drop counters, read by a live run when it starts and
-- when it ends, so that a report can say how many packets the kernel counted as dropped
-- while the capture ran: the proof behind "the kernel dropped them".
-- store_open applies it inside a transaction and then sets PRAGMA user_version = 5.

-- One row per counter and run. The counters are the host's (its network namespace's),
-- summed over CPUs and interfaces: in_martian_src and in_martian_dst
-- (/proc/net/stat/rt_cache), Ip6InHdrErrors and Ip6InAddrErrors (/proc/net/snmp6),
-- IPReversePathFilter (/proc/net/netstat, TcpExt). at_end stays NULL for a run that did
-- not end (killed): its delta is unknown.
CREATE TABLE kernel_counters (
	run_id		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	at_start	INTEGER NOT NULL,
	at_end		INTEGER,
	PRIMARY KEY (run_id, name)
);
