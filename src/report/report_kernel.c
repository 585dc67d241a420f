/* This file decides, for the report's verdict, what the kernel did with a group of spoofed
 * packets (class, subclass, family, interface), from the kernel settings the runs
 * recorded (the kernel table: one row per scope) and the recorded kernel release. */
#include "report/report_kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int report_kcol(const char *key)
{
	const struct rtable *t = report_table_template(RT_KERNEL);

	for (unsigned c = 2; c < t->ncols; c++)
		if (!strcmp(t->cols[c].name, key))
			return (int)c;
	return -1;
}

/* The recorded value of key at scope: -1 when not recorded or when runs disagree. */
int report_kset(const struct report_qctx *q, const char *scope, const char *key)
{
	const struct rtable *t = &q->r->tables[RT_KERNEL];
	int c = report_kcol(key);

	for (size_t i = 0; c > 0 && i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];
		char *end;
		long v;

		if (strcmp(row[0].s, q->h->name) || strcmp(row[1].s, scope) || row[c].null)
			continue;
		v = strtol(row[c].s, &end, 10);
		return *end || end == row[c].s || v < 0 || v > 2 ? -1 : (int)v;
	}
	return -1;
}

/* The value that applies on iface: the larger of "all" and the interface's own (the
 * kernel ORs route_localnet and accept_local and takes the maximum of rp_filter). */
static int keff(const struct report_qctx *q, const char *iface, const char *key)
{
	int a = report_kset(q, "all", key), b = report_kset(q, iface, key);

	return a > b ? a : b;
}

/* The recorded kernel release ("kernel_release=6.1.0-28-amd64" among the other settings of
 * scope "all"), compared with major.minor: 1 older, 0 not older, -1 not recorded (or runs
 * on different releases). */
int report_kernel_before(const struct report_qctx *q, unsigned major, unsigned minor)
{
	const struct rtable *t = &q->r->tables[RT_KERNEL];
	int c = report_kcol("other"), found = -1;

	for (size_t i = 0; c > 0 && i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];
		const char *p;
		unsigned a, b;

		if (strcmp(row[0].s, q->h->name) || strcmp(row[1].s, "all") || row[c].null ||
		    !(p = strstr(row[c].s, "kernel_release=")))
			continue;
		if (sscanf(p + 15, "%u.%u", &a, &b) != 2 || strchr(p + 15, ','))
			return -1;	/* unreadable, or several values */
		found = a < major || (a == major && b < minor);
	}
	return found;
}

/* The kernel's verdict on a rpf_fail packet (the reverse-path check, routes.c): what
 * rp_filter on the arriving interface does with it. */
static struct kwhy kdecide_rpf(const char *sub, int rp)
{
	int strict = strcmp(sub, "rpf_no_route") != 0;

	if (rp == 1 || (rp == 2 && !strict))
		return (struct kwhy){ K_DROP, strict ? "strict rp_filter (the route back "
				      "leaves by another interface)" : "rp_filter (no route "
				      "back at all)", "IPReversePathFilter" };
	if (rp == 0 || rp == 2)
		return (struct kwhy){ K_PASS, strict ? "rp_filter is not strict here; "
				      "rp_filter=1 on this interface would drop them (the route "
				      "back leaves by another interface: rule out asymmetric "
				      "routing first)" : "rp_filter=0 here; rp_filter=2 (loose) "
				      "or 1 on this interface would drop them (no route back)",
				      NULL };
	return (struct kwhy){ K_UNKNOWN, "rp_filter not recorded", NULL };
}

struct kwhy report_kdecide(const struct report_qctx *q, const char *cls, const char *sub,
			   int fam, const char *iface)
{
	int rl = keff(q, iface, "route_localnet"), al = keff(q, iface, "accept_local");
	int rp = keff(q, iface, "rp_filter");

	if (fam == 6) {
		if (!strcmp(sub, "loopback") && (!strcmp(cls, "spoof_loopback_src") ||
						 !strcmp(cls, "loopback_dst")))
			return (struct kwhy){ K_DROP, "IPv6 input drops ::1 on a non-loopback "
					      "interface (RFC 4291 2.5.3), before netfilter",
					      "Ip6InHdrErrors" };
		if (!strcmp(cls, "bogon_src") && !strcmp(sub, "multicast"))
			return (struct kwhy){ K_DROP, "IPv6 input drops a multicast source, before "
					      "netfilter", "Ip6InHdrErrors" };
		if (!strcmp(sub, "ipv4_mapped_loopback") || !strcmp(sub, "ipv4_mapped"))
			return (struct kwhy){ K_UNKNOWN, "IPv4-mapped source over IPv6: no recorded "
					      "setting decides it", NULL };
		return (struct kwhy){ K_PASS, "IPv6 has no martian or rp_filter sysctl: only a "
				      "rule stops it", NULL };
	}
	if (!strcmp(cls, "loopback_dst")) {
		if (rl == 0)
			return (struct kwhy){ K_DROP, "martian destination check (route_localnet=0)",
					      "in_martian_dst" };
		return rl > 0 ? (struct kwhy){ K_PASS, "route_localnet=1", NULL } :
				(struct kwhy){ K_UNKNOWN, "route_localnet not recorded", NULL };
	}
	if (!strcmp(cls, "spoof_loopback_src")) {
		if (rl == 0)
			return (struct kwhy){ K_DROP, "martian source check (route_localnet=0)",
					      "in_martian_src" };
		if (rl < 0)
			return (struct kwhy){ K_UNKNOWN, "route_localnet not recorded", NULL };
		if (al > 0 && rp == 0)
			return (struct kwhy){ K_PASS, "route_localnet=1, accept_local=1, rp_filter=0",
					      NULL };
		if (al > 0 && rp == 1)
			return (struct kwhy){ K_DROP, "strict rp_filter (the route back to 127/8 "
					      "leaves by lo)", "IPReversePathFilter" };
		if (al > 0)
			return (struct kwhy){ K_UNKNOWN, "route_localnet=1 and accept_local=1 with "
					      "loose or unrecorded rp_filter", NULL };
		if (al == 0 && rp > 0)
			return (struct kwhy){ K_DROP, "source validation (127/8 is a local route, "
					      "accept_local=0, rp_filter on)", "in_martian_src" };
		return (struct kwhy){ K_UNKNOWN, "route_localnet=1 with rp_filter=0: only a "
				      "source the host holds (127.0.0.1) is dropped", NULL };
	}
	if (!strcmp(cls, "own_addr_src")) {
		if (al == 0)
			return (struct kwhy){ K_DROP, "source validation (own address, "
					      "accept_local=0)", "in_martian_src" };
		if (al > 0 && rp == 0)
			return (struct kwhy){ K_PASS, "accept_local=1, rp_filter=0", NULL };
		return al > 0 ? (struct kwhy){ K_UNKNOWN, "accept_local=1 with rp_filter on: "
					       "dropped unless the arriving interface holds the "
					       "address", NULL } :
				(struct kwhy){ K_UNKNOWN, "accept_local not recorded", NULL };
	}
	if (!strcmp(cls, "rpf_fail"))
		return kdecide_rpf(sub, rp);
	/* bogon_src, unexpected_src */
	if (!strcmp(sub, "multicast") || !strcmp(sub, "limited_broadcast"))
		return (struct kwhy){ K_DROP, "martian source check (multicast or broadcast "
				      "source, whatever the sysctls)", "in_martian_src" };
	/* ipv4_is_zeronet: only 0.0.0.0 since Linux 5.3 (commit 96125bf9985a), all of 0/8
	 * before (verdict_classes.sql gives 0.0.0.0 its own subclass, this_network_zero) */
	if (!strcmp(sub, "this_network_zero"))
		return (struct kwhy){ K_DROP, "martian source check (0.0.0.0 source, whatever the "
				      "sysctls)", "in_martian_src" };
	if (!strcmp(sub, "this_network")) {
		int old = report_kernel_before(q, 5, 3);

		if (old > 0)
			return (struct kwhy){ K_DROP, "martian source check (a 0/8 source, on a kernel "
					      "before Linux 5.3)", "in_martian_src" };
		if (old < 0)
			return (struct kwhy){ K_UNKNOWN, "0/8 source: the kernel drops all of 0/8 before "
					      "Linux 5.3, and the runs recorded no kernel version", NULL };
		/* since 5.3 a 0/8 source other than 0.0.0.0 is one more unicast source */
	}
	if (rp == 0)
		return (struct kwhy){ K_PASS, "rp_filter=0", NULL };
	if (rp == 1)
		return (struct kwhy){ K_UNKNOWN, "rp_filter=1 drops them only when the route "
				      "back does not use the arriving interface", NULL };
	if (rp == 2)
		return (struct kwhy){ K_UNKNOWN, "rp_filter=2 (loose) drops them only when no "
				      "route leads back at all", NULL };
	return (struct kwhy){ K_UNKNOWN, "rp_filter not recorded", NULL };
}
