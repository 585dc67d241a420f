/* This file declares the collector engine: it takes frames from any source, decodes and
 * classifies them, aggregates them into the flow table, keeps evidence packets of
 * spoofed flows, and writes flows, evidence and per-source statistics to the store. The
 * event loop (loop.c) feeds it from the sources; the command owns options. */
#ifndef SPOOFAUDIT_COLLECTOR_H
#define SPOOFAUDIT_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>
#include "classify/classify.h"
#include "flows/flowtab.h"
#include "flows/answers.h"
#include "flows/backscatter.h"
#include "flows/flood.h"
#include "flows/hopcount.h"
#include "store/store.h"

#define COLLECTOR_MAX_IFACES 256
#define COLLECTOR_MAX_SOURCES 128
#define COLLECTOR_MAX_ROLES 64
#define COLLECTOR_MAX_PREFIXES 256	/* distinct NFLOG prefixes per run */
#define COLLECTOR_NFLOG_SLOTS 65536	/* pending (flow, rule) NFLOG counters; power of 2 */

struct collector_opts {
	unsigned bucket_seconds;	/* flow time bucket (default 3600) */
	size_t max_flows;		/* flow table cap */
	unsigned evidence_per_flow;	/* evidence packets kept per spoofed flow */
	size_t evidence_buf_bytes;	/* evidence held in memory before a flush */
	size_t flush_batch;		/* flows per transaction */
	struct bs_opts bs;		/* the backscatter class's memory and warm-up */
	struct hop_opts hop;		/* suspect_src/hop_count (flows/hopcount.h) */
	struct flood_opts flood;	/* suspect_src/flood (flows/flood.h) */
	int conntrack_fresh;		/* live capture began with no connection tracked
					 * (flows/answers.h: no cold start) */
};

/* A --role override: interface name, role and (internal) prefixes. */
struct collector_role {
	char name[IF_NAMESIZE];
	struct iface_info info;
};

/* One interface the collector has seen, with how its role was chosen. */
struct collector_iface {
	struct iface_info info;
	const char *role_origin;	/* "option", "kernel" or "file-default" */
};

/* What names the interface of a record that a source does not fix: a file's default name,
 * "lo", or "ifN" by an interface index (SLL2, NFLOG in/out device). An interface index
 * once resolved never changes for its name, so each source remembers the last few it
 * resolved and a packet costs no name building nor string comparison. */
#define COLLECTOR_IFACE_MEMO 8		/* a power of 2 */
struct collector_iface_memo {
	uint64_t key;			/* kind << 32 | number; 0: empty */
	int idx;			/* index into collector.ifaces */
};

/* Per-source bookkeeping. `cur` holds counters since the last stats row. */
struct collector_source {
	int64_t id;			/* sources.id */
	int fixed_iface;		/* index into ifaces, or -1: by the record (files, NFLOG) */
	uint8_t fixed_dir;		/* enum pkt_dir the handle captures, or DIR_UNKNOWN */
	uint8_t is_nflog;		/* an NFLOG group, not a pcap handle */
	char file_ifname[IF_NAMESIZE];	/* files: the default interface name */
	struct collector_iface_memo memo[COLLECTOR_IFACE_MEMO];	/* files and NFLOG */
	uint64_t interval_start_usec;
	struct store_capture_stats cur;
};

struct evidence_item {
	struct flow_entry *flow;
	uint64_t ts_usec;
	int linktype;
	uint32_t wirelen, caplen;
	size_t off;			/* into the evidence byte buffer */
};

/* NFLOG counts of one flow for one logging rule, waiting for the flow's row id. */
struct nflog_slot {
	struct flow_entry *flow;	/* NULL: free slot */
	uint16_t prefix;		/* index into collector.prefixes */
	uint16_t group;
	uint8_t hook;
	uint64_t packets, bytes;
	int64_t uid, gid, mark;		/* -1 when the kernel gave none */
};

/* Running totals for the status line and the end-of-run summary. */
struct collector_totals {
	/* packets: each packet once, a pcap frame or an NFLOG copy of a packet no pcap handle
	 * captured; decoded, not_ip, unsupported and malformed split the pcap frames (they add
	 * up to them), so packets - those = the packets only NFLOG saw */
	uint64_t packets, bytes, decoded, spoofed, loopback, malformed, unsupported, not_ip;
	uint64_t nflog_copies;		/* NFLOG messages: copies of packets rules logged */
	uint64_t nflog_dup;		/* of them, copies of packets pcap captured (and counted) */
	uint64_t drops;			/* kernel + interface drops of all sources */
	uint64_t lost_db;		/* packets that could not be accounted: DB failing, table full */
	uint64_t order_unmarked;	/* answers read late whose other direction's flow
					 * could not be marked unsure (collector.c) */
	uint64_t order_unplaced;	/* held packets placed before any answer whose row
					 * could not be reached to say so (placehold.c) */
	uint64_t evidence_dropped;	/* evidence packets not kept because the DB kept failing */
	uint64_t evidence_shed;		/* evidence packets a live capture did not keep because
					 * the writer had not yet written the evidence before
					 * (the capture never waits for it; their packets
					 * count): NOT RECORDED if writer_failed */
	int writer_failed;		/* the writer thread was seen failing during the run */
	/* where the time went with a writer thread (writer.h, struct writer_times) */
	uint64_t writer_cpu_usec, writer_write_usec, writer_batches, writer_wait_usec;
	uint64_t nflog_lost;		/* NFLOG rule counts not kept because the DB kept failing */
	uint64_t class_packets[CLS_COUNT];
};

/* Hooks of the live policy audit (audit.c); all NULL without --policy. Kept cheap on
 * the hot path: `packet` is called for a flow's first packet (created 1), for every
 * packet of a flow whose entry has FLOW_AUDIT_WATCH, and for ICMP/ICMPv6 error messages
 * (they quote the packet they answer); `nflog` for every packet an NFLOG rule logged
 * (prefix: index into collector.prefixes); `flush` at the end of every successful
 * collector_flush(), when every flow has its row id. */
struct collector_hooks {
	void (*packet)(void *arg, struct flow_entry *e, const struct pkt_record *r, int created,
		       int linktype, const uint8_t *data, uint32_t caplen);
	void (*nflog)(void *arg, struct flow_entry *e, const struct pkt_record *r, int prefix);
	int (*flush)(void *arg);
	/* with a writer thread, instead of flush: moves what waits for the flows' rows into
	 * the batch that hands over the last of them */
	void (*handoff)(void *arg, struct store_batch *b);
	void *arg;
};

struct collector {
	struct collector_opts opt;
	struct collector_hooks hooks;
	struct store *st;
	int64_t run_id;
	struct flowtab *ft;
	struct backscatter *bs;		/* the backscatter class (flows/backscatter.h) */
	struct answers *ans;		/* answer order per connection (flows/answers.h) */
	struct bs_hold *hold;		/* replies it holds back a moment (bshold.c) */
	struct place_hold *placing;	/* answer orders it holds back a moment (placehold.c) */
	int hold_places;		/* live capture on several handles: hold them */
	int never_wait;			/* live capture with a writer thread: a full evidence
					 * buffer sheds samples rather than wait for it */
	size_t ev_budget;		/* evidence bytes the writer's queue and the buffer
					 * share (writer_opts.ev_budget) */
	struct hoptab *hop;		/* hop counts learned per prefix (flows/hopcount.h) */
	struct flood *flood;		/* flood episodes (flows/flood.h) */
	uint64_t last_ts_usec;		/* the latest packet time seen (ends quiet episodes) */
	int ending;			/* the last flush: every running episode ends */
	struct classify_ctx cctx;
	unsigned n_ifaces;
	struct collector_iface ifaces[COLLECTOR_MAX_IFACES];
	const char *ifnames[COLLECTOR_MAX_IFACES];
	unsigned n_roles;
	struct collector_role roles[COLLECTOR_MAX_ROLES];
	/* The reverse-path check: each interface's mode (--rpf), the default for the others;
	 * cctx.routes holds the snapshot (owned by the command). */
	enum rpf_mode rpf_default;
	unsigned n_rpf;
	struct { char name[IF_NAMESIZE]; enum rpf_mode mode; } rpf[COLLECTOR_MAX_ROLES];
	unsigned n_sources;
	struct collector_source sources[COLLECTOR_MAX_SOURCES];
	/* evidence waiting for its flow to be written */
	struct evidence_item *ev;
	size_t n_ev, cap_ev;
	uint8_t *evbuf;
	size_t evbuf_used;
	/* NFLOG per-flow rule counters waiting for the flush */
	struct nflog_slot *nfl;
	size_t n_nfl;
	char prefixes[COLLECTOR_MAX_PREFIXES][PKT_NFLOG_PREFIX_MAX];
	unsigned n_prefixes;
	int last_prefix;
	struct collector_totals tot;
	uint64_t last_evictions, last_busy, last_failures;
	uint64_t flush_failed_usec;	/* monotonic time the last failed flush ended, 0 if the
					 * last flush worked */
	uint64_t flush_cost_usec;	/* how long that failed flush took */
	uint64_t flush_failures;	/* failed flushes since init */
	int writes_stopped;		/* set by the owner: write nothing more (the database
					 * reached its size limit); flushes fail at once */
	struct writer *writer;		/* set by the owner: flushes hand their rows to this
					 * writer thread (collect/writer.h); NULL: they write */
	size_t handoff_rows;		/* set with writer: flow rows per batch at most (the
					 * writer's queue budget), 0 for no bound */
	char err[512];			/* last store error */
};

/* Sets defaults into *o. */
void collector_opts_default(struct collector_opts *o);

/* Prepares c (flow table, buffers) writing into st under run run_id. Returns 0 or -1. */
int collector_init(struct collector *c, const struct collector_opts *o, struct store *st,
		   int64_t run_id);
void collector_free(struct collector *c);	/* NULL-safe; does not flush */

/* Adds an interface with a role and its origin, stores it, and returns its index, or -1.
 * A --role override for the same name takes precedence over `info`'s role. */
int collector_iface_add(struct collector *c, const struct iface_info *info, const char *origin);
/* Index of the interface named name, or -1. */
int collector_iface_find(const struct collector *c, const char *name);

/* Registers a source; fixed_iface is an interface index or -1 (file: per packet, with
 * file_ifname as the default name). Returns the source index, or -1. */
int collector_source_add(struct collector *c, const char *kind, const char *name,
			 int fixed_iface, const char *file_ifname, int linktype);

/* Processes one record a source delivered (sources/source.h): a decoded pcap frame
 * (data/caplen its link-layer bytes), or for an NFLOG source (is_nflog) the record of a
 * logged packet as collector_nflog_packet() takes it. Never fails: problems are counted. */
void collector_record(struct collector *c, unsigned src, const struct pkt_record *rec,
		      const uint8_t *data, uint32_t caplen);

/* Processes one packet an NFLOG rule logged (rec from nfl_parse). Where a pcap handle
 * captures the same interface and direction, the packet is counted by pcap and NFLOG
 * only adds its rule's count to the flow; otherwise NFLOG counts it. */
void collector_nflog_packet(struct collector *c, unsigned src, const struct pkt_record *rec,
			    const uint8_t *payload, uint32_t len);

/* Keeps a copy of a packet of flow e as evidence until the flow has a row id (the
 * collector keeps spoofed flows' packets itself; the audit keeps replies). Returns 0, or
 * -1 when it could not be kept (counted in evidence_dropped, or in evidence_shed when a
 * live capture would have had to wait for the writer thread). */
int collector_keep_evidence(struct collector *c, struct flow_entry *e, int linktype,
			    uint64_t ts_usec, const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* The key of the reverse direction of packet r (whose own key is k), with the ports
 * collapsed as the collector collapses them: what flowtab_find() needs to tell whether
 * the other side of a conversation was seen in the same bucket. cls is the class the
 * reverse would have (normal off loopback interfaces, loopback_flow on them). */
void collector_reverse_key(const struct collector *c, const struct flow_key *k,
			   const struct pkt_record *r, struct flow_key *rev);

/* Writes every dirty flow, pending evidence and (with stats != 0) one statistics row per
 * source. Returns 0, or -1 if the store failed (nothing is lost: flows stay dirty and are
 * retried at the next flush; c->err says why) or writes_stopped is set. The packet path's
 * own flushes (a full table or buffer) back off after a failure. */
int collector_flush(struct collector *c, int stats);

/* Accounts the received replies held back for the backscatter class (collect/bshold.c)
 * that are older than now_usec by the hold time, or all with UINT64_MAX (at the end:
 * then the next flush also ends every running flood episode). */
void collector_release(struct collector *c, uint64_t now_usec);

/* collector_flush() with a writer thread: copies every dirty flow, the pending evidence
 * and NFLOG counts and (with stats != 0) the statistics rows into one batch and queues
 * it (handoff.c). Returns 0, or -1 when writes_stopped is set or the writer's queue has
 * no room (nothing moved: the flows stay dirty in the table). Write errors come later,
 * from the writer's status. */
int collector_handoff(struct collector *c, int stats);

/* collector_handoff(c, 0) for a live capture's full evidence buffer: hands over only if
 * the writer's queue has room now, and never waits for the queued evidence to be
 * written (a file's reader still waits). Returns 0, or -1 (nothing moved). */
int collector_handoff_nowait(struct collector *c);

/* With a writer thread: remembers in the flow table the row ids of the flows the writer
 * wrote since the last call, so that a flow written again adds to its row (by id) rather
 * than make another row of its key (handoff.c; collector_handoff() calls it too). */
void collector_learn_ids(struct collector *c);

/* After the last flush failed for good: counts every packet of the flows still unwritten
 * into tot.lost_db, pending evidence into tot.evidence_dropped and pending NFLOG rule
 * counts into tot.nflog_lost, and forgets them. */
void collector_abandon(struct collector *c);

/* suspect.c: the changed learned hop counts (at most max) and the ended flood episodes
 * (at most FLOOD_PENDING) into the arrays given, for a flush; returns 0, or -1 when no
 * memory (nothing is taken). *hops and *floods are malloc'd (NULL when none). */
int collector_take_suspect(struct collector *c, struct hop_row **hops, size_t *n_hops,
			   struct flood_episode **floods, size_t *n_floods);

#endif
