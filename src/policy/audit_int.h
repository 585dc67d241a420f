/* This file declares what the live policy audit's files (audit.c: setup, host context and
 * reload; audit_flow.c: per-new-flow checks; audit_evidence.c: the joins that find live
 * evidence; audit_live.c: the live ruleset and describing outcomes; audit_vio.c:
 * violations, signatures, rate limit and rows) share. Private to src/policy/audit*.c.
 *
 * Memory is bounded whatever the traffic: every table below has a fixed size and
 * overwrites (replies, dropped requests) or forgets its oldest entry (signatures) when
 * full; pending rows are written at every collector flush and force one when full. */
#ifndef SPOOFAUDIT_AUDIT_INT_H
#define SPOOFAUDIT_AUDIT_INT_H

#include "policy/audit.h"
#include "policy/check.h"
#include "policy/policy.h"

#define DROPPED_SLOTS 8192	/* incoming flows the intended policy blocks (power of 2) */
#define REPLY_SLOTS 2048	/* recent outgoing/loopback first packets (power of 2) */
#define REPLY_SNAP 256		/* bytes of such a packet kept, for evidence */
#define SIG_SLOTS 4096		/* distinct violations rate-limited at once (power of 2) */
#define SIG_PROBE 16
#define PEND_MAX 1024		/* violations waiting for the next flush */
#define PEND_EV STORE_VIO_EV	/* evidence packets linked per pending violation */
#define NOREPLY_SLOTS 1024	/* attempts waiting for a reply (power of 2) */
#define SERVICE_SLOTS 1024	/* (proto, port) that answered on loopback (power of 2) */

/* e->audit: the intended verdict of the flow's first packet, once evaluated. */
#define E_EVALUATED 0x04
#define E_VERDICT(x) ((x) & 0x03)

/* A packet's addresses, protocol and real (uncollapsed) ports; ICMP: dport type << 8. */
struct tuple {
	uint8_t family, proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

/* Requests and replies are joined on the remote address and port, protocol and local
 * port only: a UDP service bound to 0.0.0.0 answers a 127/8 source from 127.0.0.1 (the
 * source address of the route over lo), not from the address the request was sent to. */
struct dropped {
	struct tuple jk;	/* join key: the request's tuple with its destination zeroed */
	struct tuple t;
	struct flow_key key;	/* the request's flow */
	uint64_t ts;
	struct check_res ri;
	uint8_t used;
};

struct reply {
	struct tuple jk;	/* join key of the request it would answer */
	struct tuple t;		/* the reply as a reply: reverse of the request it answers */
	struct flow_key key;	/* its flow */
	uint64_t ts;
	int linktype;
	uint32_t caplen, wirelen;
	uint8_t data[REPLY_SNAP];
	uint8_t used, icmp;
};

struct sigent {
	uint64_t h;
	uint64_t last_line, last_seen;
	uint64_t total, since_line;
	int pend;		/* index into pend[] when pend_gen matches */
	uint32_t pend_gen;
	uint8_t used;
	char text[240];		/* the line, for repeat summaries */
	const char *kind, *strength;
};

struct pend {
	uint64_t h;
	char *sig, *flow, *iface, *intended, *live, *evidence, *message;
	const char *kind, *strength, *cls;
	struct flow_entry *e, *ee;
	int64_t flow_id, ee_id;	/* when no entry: a recorded flow's id */
	uint64_t first, last, count, packets, lines;
	int family, proto, dport;
	struct { struct flow_entry *e; uint64_t ts; } ev[PEND_EV];
	unsigned nev;
};

struct noreply {
	struct tuple t;		/* client -> host:port, client port 0 */
	struct flow_key key, rkey;	/* the attempts' flow and its reverse */
	uint64_t first;
	uint32_t attempts;
	struct check_res ri;
	uint8_t used;
};

struct service {
	uint8_t proto, used;
	uint16_t port;
};

/* One ruleset side, both families. */
struct evalset {
	struct policy pol;	/* the parsed and compiled rulesets (iptables or nftables) */
	struct policy_eval *ev[2];
	uint8_t *match[2];	/* per rule: the other side has it too (after a diff) */
};

struct audit {
	struct audit_opts o;
	struct collector *c;
	struct store *st;
	int64_t run_id;
	struct check_host h;
	uint64_t host_hash;
	struct evalset in, lv;
	int live_known[2], live_same[2];
	uint64_t live_hash[2];
	char live_note[2][256];
	uint8_t pfx_state[COLLECTOR_MAX_PREFIXES];	/* 0 unknown, 1 drop, 2 not */
	char (*pfx_why)[200];
	struct dropped *dropped;
	struct reply *replies;
	struct sigent *sigs;
	struct pend *pend;
	size_t npend;
	uint32_t pend_gen;
	struct noreply *noreply;
	struct service *services;
	double tokens;
	uint64_t tokens_usec, last_scan_usec;
	int flushing;
	struct audit_stats s;
};

/* A violation as found. */
struct vio {
	enum audit_kind kind;
	int weak;
	const char *sig;
	struct flow_entry *e;		/* the violating flow (may be NULL) */
	int64_t flow_id;		/* or its row id (recorded flows) */
	const char *flow, *iface, *cls;
	int family, proto, dport;
	const char *intended, *live, *evidence;
	struct flow_entry *ee;		/* the evidence flow (may be NULL) */
	uint64_t ev_ts[2];		/* evidence packets: (ee, ev_ts[0]) and (e, ev_ts[1]) */
	uint64_t count, packets;
	int force;			/* emit the line even within the repeat window */
};

struct diffctx {
	struct audit *a;
	int fam;
	int n;
	int info;		/* 1: a reload (info lines, not violations) */
	const char *what_i, *what_l;
};

/* ---- audit.c ---- */
/* Takes family slot f of p into s (see there). Returns 0, or -1 (ENOMEM). */
int audit_evalset_set(struct audit *a, struct evalset *s, int f, struct policy *p);

/* ---- audit_vio.c ---- */
uint64_t audit_hash(const void *p, size_t n, uint64_t h);
/* The signature of a violation: its kind's name, then "|" and fmt's fields. */
void audit_sig(char *buf, size_t len, enum audit_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void audit_violation(struct audit *a, const struct vio *v);
int audit_on_flush(void *arg);
void audit_on_handoff(void *arg, struct store_batch *b);
void audit_pend_free(struct pend *p);
void audit_tick_repeats(struct audit *a, uint64_t now);

/* ---- audit_live.c ---- */
void audit_res_desc(const struct audit *a, int live, int fam, const struct check_res *r,
		    char *buf, size_t len);
void audit_flow_text(const struct check_flow *f, const char *ifname, char *buf, size_t len);
void audit_path_diff(struct audit *a, int fam, const struct check_flow *f, const char *ifname,
		     char *buf, size_t len);
void audit_on_rdiff(void *arg, const struct audit_rdiff *d);
void audit_compare_live(struct audit *a, int fam);
void audit_info(struct audit *a, const char *msg);

/* ---- audit_flow.c ---- */
void audit_make_flow(const struct flow_entry *e, const struct pkt_record *r, struct check_flow *f);
int audit_eval(struct evalset *s, int fam, const struct check_flow *f, const char *ifname,
	       struct check_res *out);
void audit_on_packet(void *arg, struct flow_entry *e, const struct pkt_record *r, int created,
		     int linktype, const uint8_t *data, uint32_t caplen);

/* ---- audit_evidence.c ---- */
void audit_join_key(const struct tuple *request, struct tuple *jk);
uint64_t audit_tuple_hash(const struct tuple *t);
void audit_tuple_reverse(const struct tuple *t, struct tuple *r);
void audit_tuple_of(const struct pkt_record *r, struct tuple *t);
const char *audit_proto_name(unsigned p, char *buf, size_t len);
struct dropped *audit_dropped_find(struct audit *a, const struct tuple *t);
struct reply *audit_reply_find(struct audit *a, const struct tuple *t);
void audit_reply_add(struct audit *a, const struct tuple *t, const struct flow_key *key,
		     const struct pkt_record *r, int linktype, const uint8_t *data,
		     uint32_t caplen, int icmp);
void audit_report_reply(struct audit *a, const struct dropped *d, struct flow_entry *ee,
			const struct flow_key *rkey, const struct tuple *rt, int icmp, uint64_t rts);
struct service *audit_service_slot(struct audit *a, unsigned proto, unsigned port);
struct noreply *audit_noreply_find(struct audit *a, const struct tuple *t, int create);
void audit_noreply_tuple(int fam, unsigned proto, const uint8_t *client, const uint8_t *host,
			 unsigned port, struct tuple *t);
void audit_on_nflog(void *arg, struct flow_entry *e, const struct pkt_record *r, int prefix);
void audit_tick_noreply(struct audit *a, uint64_t now);

#endif
