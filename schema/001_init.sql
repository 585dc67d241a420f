-- This file creates the initial spoofaudit schema: runs and their context, aggregated
-- flows, evidence packets, capture statistics, and the views people query by hand.
-- store.c applies it inside a transaction and then sets PRAGMA user_version = 1.
-- Times are integers: *_usec are microseconds and flows.bucket is seconds since the epoch
-- (UTC); the *_readable views and the ISO columns of the views show them as text.

-- Marks the file as spoofaudit's; store_open() refuses a non-empty database without it.
CREATE TABLE meta (
	key	TEXT PRIMARY KEY,
	value	TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta(key, value) VALUES ('application', 'spoofaudit');
INSERT INTO meta(key, value) VALUES ('created', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
PRAGMA application_id = 1397772102;	-- 0x53504F46, "SPOF"

-- One row per migration store.c applied to this file (versions applied by hand have none).
CREATE TABLE migrations (
	version		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	applied_usec	INTEGER NOT NULL
);

-- One row per `spoofaudit collect` run.
CREATE TABLE runs (
	id		INTEGER PRIMARY KEY,
	host		TEXT NOT NULL,
	version		TEXT NOT NULL,		-- spoofaudit version that collected
	cmdline		TEXT,
	started_usec	INTEGER NOT NULL,
	ended_usec	INTEGER,		-- NULL while running or after a crash
	bucket_seconds	INTEGER NOT NULL CHECK (bucket_seconds > 0)
);

-- The capture sources of a run.
CREATE TABLE sources (
	id		INTEGER PRIMARY KEY,
	run_id		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	kind		TEXT NOT NULL CHECK (kind IN ('pcap-live', 'pcap-file', 'nflog')),
	name		TEXT NOT NULL,		-- device, file path or "nflog:GROUP"
	iface		TEXT,			-- interface the source captures on, if one
	linktype	INTEGER			-- DLT_* value
);
CREATE INDEX sources_run ON sources(run_id);

-- The interface table of a run, with the role the classifier used and where it came from.
CREATE TABLE ifaces (
	run_id		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	ifindex		INTEGER NOT NULL,	-- 0 when unknown (files)
	role		TEXT NOT NULL,		-- 'loopback', 'external', 'internal'
	role_origin	TEXT NOT NULL,		-- 'kernel', 'option', 'file-default'
	prefixes	TEXT NOT NULL DEFAULT '',	-- comma-separated CIDR (internal role)
	PRIMARY KEY (run_id, name)
) WITHOUT ROWID;

-- Kernel settings that decide what the stack drops (rp_filter, route_localnet, ...).
CREATE TABLE kernel_ctx (
	run_id		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	scope		TEXT NOT NULL,		-- 'all', 'default' or an interface name
	key		TEXT NOT NULL,
	value		TEXT NOT NULL
);
CREATE INDEX kernel_ctx_run ON kernel_ctx(run_id, scope, key);

-- The host's own addresses during a run.
CREATE TABLE host_addrs (
	run_id		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	iface		TEXT,
	addr		TEXT NOT NULL,
	plen		INTEGER NOT NULL,
	family		INTEGER NOT NULL CHECK (family IN (4, 6))
);
CREATE INDEX host_addrs_run ON host_addrs(run_id);

-- Aggregated flows: one row per key and time bucket, across runs. src_bin/dst_bin hold
-- 16 bytes (IPv4 as ::ffff:a.b.c.d) so that a prefix is a BLOB range:
--   WHERE src_bin BETWEEN x'00000000000000000000ffff7f000000'
--                     AND x'00000000000000000000ffff7fffffff'
-- class and subclass are the stable names of classify_class_name() and
-- addrclass_subclass_name(); dir is 'in', 'out' or 'unknown'.
CREATE TABLE flows (
	id		INTEGER PRIMARY KEY,
	bucket		INTEGER NOT NULL,	-- start of the time bucket, unix seconds
	iface		TEXT NOT NULL,
	dir		TEXT NOT NULL CHECK (dir IN ('in', 'out', 'unknown')),
	family		INTEGER NOT NULL CHECK (family IN (4, 6)),
	src		TEXT NOT NULL,
	dst		TEXT NOT NULL,
	src_bin		BLOB NOT NULL CHECK (length(src_bin) = 16),
	dst_bin		BLOB NOT NULL CHECK (length(dst_bin) = 16),
	proto		INTEGER NOT NULL,
	sport		INTEGER NOT NULL,	-- 0 for ICMP
	dport		INTEGER NOT NULL,	-- ICMP: type << 8 | code
	class		TEXT NOT NULL,
	subclass	TEXT NOT NULL,
	packets		INTEGER NOT NULL,
	bytes		INTEGER NOT NULL,
	first_usec	INTEGER NOT NULL,
	last_usec	INTEGER NOT NULL,
	ttl_min		INTEGER NOT NULL,
	ttl_max		INTEGER NOT NULL,
	tcp_flags	INTEGER NOT NULL,	-- OR of every TCP flag byte seen
	seen_by		INTEGER NOT NULL	-- 1 pcap, 2 nflog (bit mask)
);
-- The upsert key. family is part of it so that an IPv6 packet carrying an IPv4-mapped
-- address never merges with an IPv4 one. Leading with bucket, it also serves "flows of
-- a time range" (no separate index on bucket is needed).
CREATE UNIQUE INDEX flows_key ON flows(bucket, iface, dir, family, src_bin, dst_bin,
				       proto, sport, dport, class, subclass);
CREATE INDEX flows_class_bucket ON flows(class, bucket);

-- Packets kept as evidence of a flow (raw captured bytes as the source delivered them).
CREATE TABLE evidence (
	id		INTEGER PRIMARY KEY,
	flow_id		INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
	ts_usec		INTEGER NOT NULL,
	linktype	INTEGER NOT NULL,
	wirelen		INTEGER NOT NULL,
	caplen		INTEGER NOT NULL,
	data		BLOB NOT NULL
);
CREATE INDEX evidence_flow ON evidence(flow_id);

-- Counters of one source over [start_usec, end_usec): what was seen and what was lost.
CREATE TABLE capture_stats (
	id			INTEGER PRIMARY KEY,
	source_id		INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	start_usec		INTEGER NOT NULL,
	end_usec		INTEGER NOT NULL,
	received		INTEGER NOT NULL DEFAULT 0,
	kernel_drops		INTEGER NOT NULL DEFAULT 0,
	iface_drops		INTEGER NOT NULL DEFAULT 0,
	decoded_ip		INTEGER NOT NULL DEFAULT 0,
	not_ip			INTEGER NOT NULL DEFAULT 0,
	unsupported		INTEGER NOT NULL DEFAULT 0,
	malformed		INTEGER NOT NULL DEFAULT 0,
	nflog_received		INTEGER NOT NULL DEFAULT 0,
	nflog_enobufs		INTEGER NOT NULL DEFAULT 0,
	nflog_seq_gaps		INTEGER NOT NULL DEFAULT 0,
	flow_evictions		INTEGER NOT NULL DEFAULT 0,
	db_busy_retries		INTEGER NOT NULL DEFAULT 0,
	db_write_failures	INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX capture_stats_source ON capture_stats(source_id, start_usec);

-- Decode errors of one source over an interval, per reason (decode_error_name(); only
-- reasons with a non-zero count have a row).
CREATE TABLE decode_errors (
	source_id	INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	start_usec	INTEGER NOT NULL,
	end_usec	INTEGER NOT NULL,
	reason		TEXT NOT NULL,
	count		INTEGER NOT NULL
);
CREATE INDEX decode_errors_source ON decode_errors(source_id, start_usec);

-- Views ------------------------------------------------------------------------------

CREATE VIEW runs_readable AS
SELECT id, host, version, cmdline,
       strftime('%Y-%m-%dT%H:%M:%SZ', started_usec / 1000000, 'unixepoch') AS started,
       strftime('%Y-%m-%dT%H:%M:%SZ', ended_usec / 1000000, 'unixepoch') AS ended,
       bucket_seconds
FROM runs;

CREATE VIEW flows_readable AS
SELECT id,
       strftime('%Y-%m-%dT%H:%M:%SZ', bucket, 'unixepoch') AS bucket_start,
       iface, dir, family,
       CASE proto WHEN 1 THEN 'icmp' WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp'
		  WHEN 58 THEN 'icmpv6' WHEN 132 THEN 'sctp' WHEN 33 THEN 'dccp'
		  WHEN 136 THEN 'udplite' ELSE CAST(proto AS TEXT) END AS proto,
       src, sport, dst, dport, class, subclass, packets, bytes,
       strftime('%Y-%m-%dT%H:%M:%fZ', first_usec / 1000000.0, 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%fZ', last_usec / 1000000.0, 'unixepoch') AS last_seen,
       ttl_min, ttl_max, tcp_flags,
       CASE seen_by WHEN 1 THEN 'pcap' WHEN 2 THEN 'nflog' WHEN 3 THEN 'pcap+nflog'
		    ELSE CAST(seen_by AS TEXT) END AS seen_by
FROM flows;

-- Spoofed traffic per day: every class but 'normal' and 'loopback_flow' counts as
-- spoofed (classify_is_spoof()).
CREATE VIEW spoofed_per_day AS
SELECT date(bucket, 'unixepoch') AS day, class, subclass, iface,
       sum(packets) AS packets, sum(bytes) AS bytes, count(*) AS flows
FROM flows
WHERE class NOT IN ('normal', 'loopback_flow')
GROUP BY day, class, subclass, iface;

-- What talks over loopback, flow by flow.
CREATE VIEW loopback_flows AS
SELECT * FROM flows_readable WHERE class = 'loopback_flow';

-- The loopback inventory: local services (protocol, destination, port) and their use.
CREATE VIEW loopback_services AS
SELECT proto, dst, dport, count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM loopback_flows
GROUP BY proto, dst, dport;

-- How complete the capture was, per source and day. complete_pct is the share of the
-- packets the kernel reported that the source delivered; NFLOG overruns (ENOBUFS) lose an
-- unknown number, so any nflog_enobufs > 0 means the day is incomplete whatever the ratio.
CREATE VIEW capture_completeness AS
SELECT s.id AS source_id, s.run_id, s.kind, s.name, s.iface,
       date(c.start_usec / 1000000, 'unixepoch') AS day,
       count(*) AS intervals,
       sum(c.end_usec - c.start_usec) / 1000000 AS seconds,
       sum(c.received) AS received,
       sum(c.kernel_drops) AS kernel_drops,
       sum(c.iface_drops) AS iface_drops,
       sum(c.decoded_ip) AS decoded_ip,
       sum(c.not_ip) AS not_ip,
       sum(c.unsupported) AS unsupported,
       sum(c.malformed) AS malformed,
       sum(c.nflog_received) AS nflog_received,
       sum(c.nflog_enobufs) AS nflog_enobufs,
       sum(c.nflog_seq_gaps) AS nflog_seq_gaps,
       sum(c.flow_evictions) AS flow_evictions,
       sum(c.db_busy_retries) AS db_busy_retries,
       sum(c.db_write_failures) AS db_write_failures,
       round(100.0 * (sum(c.received) + sum(c.nflog_received)) /
	     nullif(sum(c.received) + sum(c.kernel_drops) + sum(c.iface_drops) +
		    sum(c.nflog_received) + sum(c.nflog_seq_gaps), 0), 3) AS complete_pct
FROM capture_stats AS c JOIN sources AS s ON s.id = c.source_id
GROUP BY s.id, day;

-- Decode errors per source, day and reason.
CREATE VIEW decode_errors_per_day AS
SELECT source_id, date(start_usec / 1000000, 'unixepoch') AS day, reason,
       sum(count) AS count
FROM decode_errors
GROUP BY source_id, day, reason;
