/* This file declares the classifier: it reads a decoded packet record and the table of
 * interfaces (with their roles) and host addresses, and names the packet's spoof class. It
 * never touches packet bytes. */
#ifndef SPOOFAUDIT_CLASSIFY_H
#define SPOOFAUDIT_CLASSIFY_H

#include <stdint.h>
#include <net/if.h>
#include "sources/pktrec.h"
#include "classify/addrclass.h"
#include "classify/routes.h"
#include "common/prefix.h"

/* Spoof classes. Names from classify_class_name() are stable and stored in the database;
 * README.md documents each with the RFC and kernel behaviour behind it. */
enum spoof_class {
	CLS_NORMAL = 0,			/* "normal" */
	CLS_LOOPBACK_FLOW,		/* "loopback_flow": traffic on a loopback interface */
	CLS_SPOOF_LOOPBACK_SRC,		/* "spoof_loopback_src": loopback source, non-loopback iface */
	CLS_LOOPBACK_DST,		/* "loopback_dst": loopback destination, non-loopback iface */
	CLS_OWN_ADDR_SRC,		/* "own_addr_src": the host's own address as source, from outside */
	CLS_BOGON_SRC,			/* "bogon_src": special-purpose source the role forbids */
	CLS_UNEXPECTED_SRC,		/* "unexpected_src": outside an internal iface's prefixes */
	CLS_RPF_FAIL,			/* "rpf_fail": no route back by the arrival iface */
	CLS_BACKSCATTER,		/* "backscatter": replies to what the host never sent */
	CLS_SUSPECT_SRC,		/* "suspect_src": a routable source whose packets do not
					 * fit it (hop count, flood: flows/hopcount.h, flood.h) */
	CLS_COUNT
};

enum iface_role {
	ROLE_LOOPBACK = 0,
	ROLE_EXTERNAL,
	ROLE_INTERNAL,
};

#define CLASSIFY_MAX_PREFIXES 32

/* How the reverse-path check (CLS_RPF_FAIL) treats an interface: as rp_filter=1 (strict,
 * the default), rp_filter=2 (loose: only no route back at all fails), or not at all. */
enum rpf_mode {
	RPF_MODE_STRICT = 0,
	RPF_MODE_LOOSE,
	RPF_MODE_OFF,
};

/* One capture interface as the classifier sees it. */
struct iface_info {
	char name[IF_NAMESIZE];
	int ifindex;			/* 0 when unknown (files) */
	enum iface_role role;
	enum rpf_mode rpf;		/* the reverse-path check on this interface */
	unsigned n_prefixes;		/* internal role: the source prefixes it may receive */
	struct prefix prefixes[CLASSIFY_MAX_PREFIXES];
};

#define CLASSIFY_MAX_HOSTADDRS 256

/* What the classifier knows of the host. */
struct classify_ctx {
	unsigned n_hostaddrs;		/* the host's own addresses (full-length prefixes) */
	struct prefix hostaddrs[CLASSIFY_MAX_HOSTADDRS];
	/* The route snapshot for the reverse-path check; NULL: not checked (no packet is
	 * CLS_RPF_FAIL). Not owned. */
	const struct rtsnap *routes;
};

struct classification {
	enum spoof_class cls;
	enum addr_subclass subclass;	/* ASUB_NONE where the class has no subclass */
};

/* Classifies rec as received on ifc. Packets with rec->dir == DIR_OUT on a non-loopback
 * interface are CLS_NORMAL (spoof classes are about what arrives). A packet no address
 * rule flags, received on a non-loopback interface whose rpf mode is not off, is
 * CLS_RPF_FAIL when ctx->routes says rp_filter would drop it (rtsnap_rpf): subclass
 * ASUB_RPF_STRICT (the route back leaves by another interface) or ASUB_RPF_NO_ROUTE. Packets without a
 * network header (status != DEC_OK) are CLS_NORMAL with ASUB_NONE; the caller counts them
 * apart. */
void classify_packet(const struct classify_ctx *ctx, const struct iface_info *ifc,
		     const struct pkt_record *rec, struct classification *out);

/* True when addr is one of ctx's host addresses. */
int classify_is_hostaddr(const struct classify_ctx *ctx, int family, const uint8_t addr[16]);

/* For a packet whose link type gives no direction (DIR_UNKNOWN, e.g. plain Ethernet read
 * from a file), infers it from the host's addresses: a destination the host holds means
 * received (DIR_IN); otherwise a source the host holds means sent (DIR_OUT), the host's
 * own traffic rather than a forged own_addr_src; else it stays DIR_UNKNOWN, which the
 * classifier treats as received. */
void classify_infer_dir(const struct classify_ctx *ctx, struct pkt_record *rec);

/* True for the classes that count as spoofed (evidence is kept for them), suspect_src
 * included: its evidence is statistical, the report says how strong. */
int classify_is_spoof(enum spoof_class c);

/* True for the classes whose packets are kept as evidence: the spoofed ones, and
 * backscatter (real replies, not forged, but proof that others forge this host). */
int classify_keeps_evidence(enum spoof_class c);

const char *classify_class_name(enum spoof_class c);

/* The hop count a TTL / hop limit gives: the nearest initial TTL at or above it (32, 64,
 * 128 or 255, the values operating systems start from) less ttl. */
unsigned classify_hops(uint8_t ttl);
/* "strict", "loose" or "off"; classify_rpf_parse returns -1 on anything else. */
const char *classify_rpf_mode_name(enum rpf_mode m);
int classify_rpf_parse(const char *s, enum rpf_mode *out);
const char *classify_role_name(enum iface_role r);

/* Parses "loopback", "external" or "internal"; returns -1 on anything else. */
int classify_role_parse(const char *s, enum iface_role *out);

#endif
