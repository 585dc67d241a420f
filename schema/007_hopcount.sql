-- Migration 7: the suspect_src class (issue 11 items 2 and 3).
--
-- hopcount: per source prefix (/24 for IPv4, /48 for IPv6) the hop counts its sources
--   showed when they proved real (a packet on a tuple the host had sent on: the client's
--   ACK of a handshake, a reply to the host). hops = the nearest initial TTL at or above
--   the TTL (32, 64, 128, 255) less the TTL. The collector loads it at start and merges
--   what it learns (the range widens, proofs add up), so it grows over days. prune
--   keeps it (one row per prefix: at most the prefixes that ever proved real).
CREATE TABLE hopcount (
	prefix		TEXT PRIMARY KEY,	-- "198.51.100.0/24", "2001:db8:1::/48"
	family		INTEGER NOT NULL CHECK (family IN (4, 6)),
	prefix_bin	BLOB NOT NULL CHECK (length(prefix_bin) = 16),
	hops_lo		INTEGER NOT NULL CHECK (hops_lo BETWEEN 0 AND 255),
	hops_hi		INTEGER NOT NULL CHECK (hops_hi BETWEEN hops_lo AND 255),
	proofs		INTEGER NOT NULL CHECK (proofs > 0),
	first_seen	INTEGER NOT NULL,	-- unix seconds of the first proof
	last_seen	INTEGER NOT NULL	-- and of the last
) WITHOUT ROWID;

-- flood_episodes: a spoofed-flood signature: in a window, many distinct sources opening
--   connections (TCP SYNs, UDP) to one destination and port with a TTL distribution far
--   narrower than random sources give. Its openings in the TTL band are stored as
--   class suspect_src, subclass flood.
CREATE TABLE flood_episodes (
	id		INTEGER PRIMARY KEY,
	run_id		INTEGER REFERENCES runs(id) ON DELETE SET NULL,
	family		INTEGER NOT NULL CHECK (family IN (4, 6)),
	dst		TEXT NOT NULL,
	proto		INTEGER NOT NULL,
	dport		INTEGER NOT NULL,
	start_usec	INTEGER NOT NULL,	-- first opening of the window that showed it
	end_usec	INTEGER NOT NULL,	-- last opening of the episode
	packets		INTEGER NOT NULL,	-- openings counted (those before detection too)
	flagged		INTEGER NOT NULL,	-- of them, stored as suspect_src/flood
	sources		INTEGER NOT NULL,	-- distinct sources (linear-counting estimate)
	ttl_lo		INTEGER NOT NULL,	-- the TTL band found
	ttl_hi		INTEGER NOT NULL,
	ttl_hist	TEXT NOT NULL		-- JSON [[ttl, openings], ...], TTL ascending
);
CREATE INDEX flood_episodes_start ON flood_episodes(start_usec);
