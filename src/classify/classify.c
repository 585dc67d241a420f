/* This file contains the classifier: it names the spoof class of a decoded packet from
 * its addresses, the role of the interface it arrived on and the host's own addresses. */
#include "classify/classify.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/*
 * On-link exceptions: a source from a special-purpose row that the role would forbid,
 * but that is legitimate towards these destinations on the local link. Such a packet is
 * CLS_NORMAL on every role (an internal interface need not list fe80::/10 for neighbour
 * discovery to be normal). Any other destination leaves the source forbidden.
 */
struct onlink_rule {
	struct prefix src;	/* the source lies here */
	struct prefix dst;	/* and the destination here */
	uint8_t proto;		/* and the protocol is this one (0: any) */
};

#define P4(a, b, c, d, len) { 4, (len), { (a), (b), (c), (d) } }
#define P6(b0, b1, len) { 6, (len), { (b0), (b1) } }
#define IPPROTO_IGMP_NUM 2

static const struct onlink_rule onlink_rules[] = {
	/* RFC 3927 section 2.6: a link-local host talks to link-local peers and, on the
	 * link only, to broadcast and local multicast (ARP probes aside, mDNS 224.0.0.251,
	 * LLMNR 224.0.0.252, DHCP from an address-less host falling back to link-local). */
	{ P4(169, 254, 0, 0, 16), P4(169, 254, 0, 0, 16), 0 },
	{ P4(169, 254, 0, 0, 16), P4(255, 255, 255, 255, 32), 0 },
	{ P4(169, 254, 0, 0, 16), P4(224, 0, 0, 0, 24), 0 },
	/* RFC 4291 section 2.5.6, RFC 4861, RFC 3810: fe80::/10 is the source of neighbour
	 * and router discovery, MLD and DHCPv6 clients, towards link-local unicast and
	 * multicast. Towards a global destination it cannot be valid (RFC 4007 section 9:
	 * it must not leave the link), the one case the DESIGN kernel facts call out. */
	{ P6(0xfe, 0x80, 10), P6(0xfe, 0x80, 10), 0 },
	{ P6(0xfe, 0x80, 10), P6(0xff, 0x00, 8), 0 },
	/* RFC 2131 section 4.1, RFC 1122 section 3.2.1.3: 0.0.0.0 is a source only while a
	 * host configures itself: DHCP DISCOVER/REQUEST to 255.255.255.255. Linux accepts
	 * a zero source to 255.255.255.255 (ip_route_input_slow, before its zeronet
	 * check) and to multicast only to 224.0.0.0/24 or for IGMP (ip_mc_validate_source);
	 * the same set here. */
	{ P4(0, 0, 0, 0, 32), P4(255, 255, 255, 255, 32), 0 },
	{ P4(0, 0, 0, 0, 32), P4(224, 0, 0, 0, 24), 0 },
	{ P4(0, 0, 0, 0, 32), P4(224, 0, 0, 0, 4), IPPROTO_IGMP_NUM },
	/* RFC 4862 section 5.4.2, RFC 4861 section 7.1.1, RFC 3810 section 5.2.13: :: is
	 * the source of duplicate address detection (to a solicited-node group ff02::1:ff..)
	 * and of MLD reports sent before an address exists: link-scope multicast only. */
	{ P6(0x00, 0x00, 128), P6(0xff, 0x02, 16), 0 },
};

#undef P4
#undef P6

static const char *const class_names[CLS_COUNT] = {
	[CLS_NORMAL] = "normal",
	[CLS_LOOPBACK_FLOW] = "loopback_flow",
	[CLS_SPOOF_LOOPBACK_SRC] = "spoof_loopback_src",
	[CLS_LOOPBACK_DST] = "loopback_dst",
	[CLS_OWN_ADDR_SRC] = "own_addr_src",
	[CLS_BOGON_SRC] = "bogon_src",
	[CLS_UNEXPECTED_SRC] = "unexpected_src",
	[CLS_RPF_FAIL] = "rpf_fail",
	[CLS_BACKSCATTER] = "backscatter",
	[CLS_SUSPECT_SRC] = "suspect_src",
};

static const char *const rpf_mode_names[] = {
	[RPF_MODE_STRICT] = "strict",
	[RPF_MODE_LOOSE] = "loose",
	[RPF_MODE_OFF] = "off",
};

static const char *const role_names[] = {
	[ROLE_LOOPBACK] = "loopback",
	[ROLE_EXTERNAL] = "external",
	[ROLE_INTERNAL] = "internal",
};

#define N_ROLES (sizeof(role_names) / sizeof(role_names[0]))

/* ASUB_LOOPBACK or ASUB_IPV4_MAPPED_LOOPBACK for a loopback address. */
static enum addr_subclass loopback_subclass(int family, const uint8_t *addr)
{
	return (family == 6 && addr[10] == 0xff) ? ASUB_IPV4_MAPPED_LOOPBACK : ASUB_LOOPBACK;
}

/* True when addr lies in one of the first n of p[], at most max of them. */
static int in_prefixes(const struct prefix *p, unsigned n, unsigned max, int family,
		       const uint8_t *addr)
{
	unsigned i;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		if (prefix_contains(&p[i], family, addr))
			return 1;
	return 0;
}

static int onlink_exception(const struct pkt_record *rec)
{
	size_t i;

	for (i = 0; i < sizeof(onlink_rules) / sizeof(onlink_rules[0]); i++) {
		const struct onlink_rule *r = &onlink_rules[i];

		if (prefix_contains(&r->src, rec->family, rec->src) &&
		    prefix_contains(&r->dst, rec->family, rec->dst) &&
		    (r->proto == 0 || r->proto == rec->proto))
			return 1;
	}
	return 0;
}

static void set(struct classification *out, enum spoof_class c, enum addr_subclass s)
{
	out->cls = c;
	out->subclass = s;
}

/* The address rules 1 to 6: loopback, own address, special-purpose and internal-prefix
 * sources. Leaves out CLS_NORMAL when none applies. */
static void classify_addr(const struct classify_ctx *ctx, const struct iface_info *ifc,
			  const struct pkt_record *rec, struct classification *out)
{
	enum iface_role role = ifc ? ifc->role : ROLE_EXTERNAL;
	const struct addrclass_row *row;
	int fam = rec->family;

	set(out, CLS_NORMAL, ASUB_NONE);
	if (rec->status != DEC_OK || (fam != 4 && fam != 6))
		return;
	if (role == ROLE_LOOPBACK) {
		set(out, CLS_LOOPBACK_FLOW, ASUB_NONE);
		return;
	}
	if (rec->dir == DIR_OUT)
		return;

	/* 1, 2: loopback on a non-loopback interface. */
	if (addrclass_is_loopback(fam, rec->src)) {
		set(out, CLS_SPOOF_LOOPBACK_SRC, loopback_subclass(fam, rec->src));
		return;
	}
	if (addrclass_is_loopback(fam, rec->dst)) {
		set(out, CLS_LOOPBACK_DST, loopback_subclass(fam, rec->dst));
		return;
	}
	/* 3: the host's own address coming back from outside. */
	if (ctx && in_prefixes(ctx->hostaddrs, ctx->n_hostaddrs, CLASSIFY_MAX_HOSTADDRS, fam,
			       rec->src)) {
		set(out, CLS_OWN_ADDR_SRC, ASUB_NONE);
		return;
	}
	row = addrclass_lookup(fam, rec->src);
	/* Multicast and limited-broadcast sources are never valid, whatever an internal
	 * interface lists (RFC 1122 section 3.2.1.3, RFC 4291 section 2.7). */
	if (row && (row->subclass == ASUB_MULTICAST || row->subclass == ASUB_LIMITED_BROADCAST)) {
		set(out, CLS_BOGON_SRC, row->subclass);
		return;
	}
	/* 4: a source an internal interface says it receives. */
	if (role == ROLE_INTERNAL &&
	    in_prefixes(ifc->prefixes, ifc->n_prefixes, CLASSIFY_MAX_PREFIXES, fam, rec->src))
		return;
	/* 5: a special-purpose source the role forbids: one not valid as a source, or not
	 * globally reachable (so it cannot have come from beyond this network), unless an
	 * on-link exception makes it legitimate. */
	if (row) {
		if (onlink_exception(rec))
			return;
		if (!row->source_valid || !row->globally_reachable) {
			set(out, CLS_BOGON_SRC, row->subclass);
			return;
		}
	}
	/* 6: internal interface, source outside its prefixes. */
	if (role == ROLE_INTERNAL)
		set(out, CLS_UNEXPECTED_SRC, row ? row->subclass : ASUB_NONE);
}

/* Rule 7: the reverse-path check (rtsnap_rpf) of a packet no address rule flagged. An
 * unspecified source (0.0.0.0, ::) is not validated by the kernel (ip_route_input_slow
 * skips fib_validate_source for a zero source; such packets are DHCP/DAD) and is skipped. */
static void classify_rpf(const struct classify_ctx *ctx, const struct iface_info *ifc,
			 const struct pkt_record *rec, struct classification *out)
{
	static const uint8_t zero[16];
	enum rpf_result r;

	if (!ctx || !ctx->routes || !ifc || ifc->rpf == RPF_MODE_OFF || !ifc->name[0] ||
	    memcmp(rec->src, zero, rec->family == 4 ? 4 : 16) == 0)
		return;
	r = rtsnap_rpf(ctx->routes, rec->family, rec->src, rec->dst, ifc->name,
		       ifc->rpf == RPF_MODE_LOOSE);
	if (r == RPF_STRICT_FAIL)
		set(out, CLS_RPF_FAIL, ASUB_RPF_STRICT);
	else if (r == RPF_NO_ROUTE)
		set(out, CLS_RPF_FAIL, ASUB_RPF_NO_ROUTE);
}

void classify_packet(const struct classify_ctx *ctx, const struct iface_info *ifc,
		     const struct pkt_record *rec, struct classification *out)
{
	classify_addr(ctx, ifc, rec, out);
	if (out->cls == CLS_NORMAL && rec->status == DEC_OK && rec->dir != DIR_OUT &&
	    (rec->family == 4 || rec->family == 6) && (!ifc || ifc->role != ROLE_LOOPBACK))
		classify_rpf(ctx, ifc, rec, out);
}

int classify_is_spoof(enum spoof_class c)
{
	switch (c) {
	case CLS_SPOOF_LOOPBACK_SRC:
	case CLS_LOOPBACK_DST:
	case CLS_OWN_ADDR_SRC:
	case CLS_BOGON_SRC:
	case CLS_UNEXPECTED_SRC:
	case CLS_RPF_FAIL:
	case CLS_SUSPECT_SRC:
		return 1;
	default:
		return 0;
	}
}

int classify_keeps_evidence(enum spoof_class c)
{
	return classify_is_spoof(c) || c == CLS_BACKSCATTER;
}

const char *classify_class_name(enum spoof_class c)
{
	if ((unsigned)c >= CLS_COUNT)
		return NULL;
	return class_names[c];
}

unsigned classify_hops(uint8_t ttl)
{
	unsigned init = ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;

	return init - ttl;
}

const char *classify_rpf_mode_name(enum rpf_mode m)
{
	if ((unsigned)m >= sizeof(rpf_mode_names) / sizeof(rpf_mode_names[0]))
		return NULL;
	return rpf_mode_names[m];
}

int classify_rpf_parse(const char *s, enum rpf_mode *out)
{
	size_t i;

	for (i = 0; s && i < sizeof(rpf_mode_names) / sizeof(rpf_mode_names[0]); i++) {
		if (strcmp(s, rpf_mode_names[i]) == 0) {
			*out = (enum rpf_mode)i;
			return 0;
		}
	}
	errno = EINVAL;
	return -1;
}

const char *classify_role_name(enum iface_role r)
{
	if ((unsigned)r >= N_ROLES)
		return NULL;
	return role_names[r];
}

int classify_role_parse(const char *s, enum iface_role *out)
{
	size_t i;

	for (i = 0; s && i < N_ROLES; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum iface_role)i;
			return 0;
		}
	}
	errno = EINVAL;
	return -1;
}

int classify_is_hostaddr(const struct classify_ctx *ctx, int family, const uint8_t addr[16])
{
	return ctx && in_prefixes(ctx->hostaddrs, ctx->n_hostaddrs, CLASSIFY_MAX_HOSTADDRS, family,
				  addr);
}

void classify_infer_dir(const struct classify_ctx *ctx, struct pkt_record *rec)
{
	if (rec->dir != DIR_UNKNOWN || rec->status != DEC_OK)
		return;
	if (classify_is_hostaddr(ctx, rec->family, rec->dst))
		rec->dir = DIR_IN;
	else if (classify_is_hostaddr(ctx, rec->family, rec->src))
		rec->dir = DIR_OUT;
}
