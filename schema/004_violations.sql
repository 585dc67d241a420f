-- This file adds the live policy audit (`collect --policy`): what the collector found
-- where real traffic, the live kernel ruleset and the intended policy disagree.
-- store.c applies it inside a transaction and then sets PRAGMA user_version = 4.

-- One row per distinct violation of a run. Occurrences with the same signature (`sig`:
-- kind, interface, protocol, destination, service and the rules on each side; the source
-- is left out, so a flood from random sources is one violation) add to `count`; `lines`
-- says how many of them were emitted as a line (the rest were rate-limited).
CREATE TABLE violations (
	id		INTEGER PRIMARY KEY,
	run_id		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	sig		TEXT NOT NULL,
	kind		TEXT NOT NULL,		-- spoof_accepted, loopback_blocked, live_reply,
						-- live_nflog_drop, live_no_reply, live_differs,
						-- ruleset_differs
	strength	TEXT NOT NULL CHECK (strength IN ('strong', 'weak')),
	first_usec	INTEGER NOT NULL,
	last_usec	INTEGER NOT NULL,
	count		INTEGER NOT NULL,	-- occurrences (flows; rules for ruleset_differs)
	packets		INTEGER NOT NULL DEFAULT 0,	-- packets of those flows when first seen
	lines		INTEGER NOT NULL,	-- occurrences emitted as a line
	flow_id		INTEGER,		-- flows.id of the first occurrence (NULL: none or pruned)
	flow		TEXT NOT NULL DEFAULT '',	-- that flow, described
	iface		TEXT NOT NULL DEFAULT '',
	class		TEXT NOT NULL DEFAULT '',
	family		INTEGER NOT NULL DEFAULT 0,
	proto		INTEGER NOT NULL DEFAULT 0,
	dport		INTEGER NOT NULL DEFAULT 0,
	intended	TEXT NOT NULL DEFAULT '',	-- the intended policy's verdict and rule
	live		TEXT NOT NULL DEFAULT '',	-- what the live kernel did or would do, and why
	evidence	TEXT NOT NULL DEFAULT '',	-- the evidence, described
	evidence_flow_id INTEGER,		-- flows.id of the evidence (a reply, an NFLOG-logged flow)
	message		TEXT NOT NULL		-- the first line emitted
);
CREATE UNIQUE INDEX violations_sig ON violations(run_id, sig);
CREATE INDEX violations_time ON violations(first_usec);

-- Evidence packets of a violation, by flow and capture time; join `evidence` on both to
-- get the packets (`spoofaudit export --violation ID` does).
CREATE TABLE violation_evidence (
	violation_id	INTEGER NOT NULL REFERENCES violations(id) ON DELETE CASCADE,
	flow_id		INTEGER NOT NULL,
	ts_usec		INTEGER NOT NULL,
	PRIMARY KEY (violation_id, flow_id, ts_usec)
) WITHOUT ROWID;

CREATE VIEW violation_packets AS
	SELECT ve.violation_id, e.id AS evidence_id, e.flow_id, e.ts_usec, e.linktype,
	       e.wirelen, e.caplen
	FROM violation_evidence ve JOIN evidence e ON e.flow_id = ve.flow_id AND e.ts_usec = ve.ts_usec;

CREATE VIEW violations_readable AS
	SELECT id, run_id, kind, strength,
	       strftime('%Y-%m-%dT%H:%M:%fZ', first_usec / 1e6, 'unixepoch') AS first_seen,
	       strftime('%Y-%m-%dT%H:%M:%fZ', last_usec / 1e6, 'unixepoch') AS last_seen,
	       count, lines, flow, intended, live, evidence
	FROM violations;
