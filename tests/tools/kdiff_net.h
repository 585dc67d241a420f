/* This file holds what the kernel differential tests (ipt_kdiff.c, nft_kdiff.c) share to
 * talk to the kernel of their network namespace: its delivery and transmit counters, the
 * packet builders (IPv4 and IPv6, TCP, UDP, ICMP) and the conntrack flush between packets.
 * Included by one .c file each: the functions are static. */
#ifndef SPOOFAUDIT_KDIFF_NET_H
#define SPOOFAUDIT_KDIFF_NET_H

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "common/prefix.h"
#include "policy/ipt.h"

/* The namespace's delivered-to-the-stack count of family fam (4 or 6). */
static uint64_t snmp_indelivers(int fam)
{
	FILE *f = fopen(fam == 4 ? "/proc/net/snmp" : "/proc/net/snmp6", "r");
	char h[2048], v[2048], *a, *b, *sa = NULL, *sb = NULL;
	uint64_t r = 0;

	if (!f)
		return 0;
	if (fam == 6) {		/* "Ip6InDelivers  N" lines */
		unsigned long long n;

		while (fgets(h, sizeof(h), f))
			if (sscanf(h, "Ip6InDelivers %llu", &n) == 1)
				r = n;
		fclose(f);
		return r;
	}
	while (fgets(h, sizeof(h), f) && fgets(v, sizeof(v), f)) {
		if (strncmp(h, "Ip:", 3))
			continue;
		for (a = strtok_r(h, " \n", &sa), b = strtok_r(v, " \n", &sb); a && b;
		     a = strtok_r(NULL, " \n", &sa), b = strtok_r(NULL, " \n", &sb))
			if (!strcmp(a, "InDelivers"))
				r = strtoull(b, NULL, 10);
		break;
	}
	fclose(f);
	return r;
}

/* The packets interface ifn transmitted (/proc/net/dev). */
static uint64_t dev_tx(const char *ifn)
{
	FILE *f = fopen("/proc/net/dev", "r");
	char line[512];
	uint64_t r = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':'), *n = line;
		unsigned long long v[10];

		if (!c)
			continue;
		*c = '\0';
		while (*n == ' ')
			n++;
		if (strcmp(n, ifn))
			continue;
		if (sscanf(c + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) == 10)
			r = v[9];
	}
	fclose(f);
	return r;
}


static uint16_t csum(const void *d, size_t n, uint32_t s)
{
	const uint8_t *p = d;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}


/* Builds the IPv4 packet of p (len bytes in all, header included) into buf; returns len.
 * TCP, UDP and ICMP; with quote, an ICMP error (type 3, 11) quotes a UDP packet from
 * dst:dport to src:sport. */
static size_t kd_build_ip(const struct ipt_packet *p, uint8_t *buf, size_t len, uint8_t ttl,
			  uint16_t id, int quote)
{
	uint8_t *ip = buf, *l4 = buf + 20;
	size_t l4len = len - 20;
	uint16_t c;
	uint32_t ph;

	memset(buf, 0, len);
	if (p->proto == 6) {
		l4[0] = (uint8_t)(p->sport >> 8), l4[1] = (uint8_t)p->sport;
		l4[2] = (uint8_t)(p->dport >> 8), l4[3] = (uint8_t)p->dport;
		l4[12] = 5 << 4;
		l4[13] = p->tcp_flags;
		l4[14] = 0x20;
	} else if (p->proto == 17) {
		l4[0] = (uint8_t)(p->sport >> 8), l4[1] = (uint8_t)p->sport;
		l4[2] = (uint8_t)(p->dport >> 8), l4[3] = (uint8_t)p->dport;
		l4[4] = (uint8_t)(l4len >> 8);
		l4[5] = (uint8_t)l4len;
	} else if (p->proto == 1) {
		l4[0] = p->icmp_type;
		l4[1] = p->icmp_code;
		if (quote && (p->icmp_type == 3 || p->icmp_type == 11)) {	/* quote a plausible packet */
			l4[8] = 0x45;
			l4[11] = 28;
			l4[16] = 64;
			l4[17] = 17;
			memcpy(l4 + 20, p->dst, 4);
			memcpy(l4 + 24, p->src, 4);
			/* the quoted UDP header: ports from dport (its source) and sport */
			l4[28] = (uint8_t)(p->dport >> 8), l4[29] = (uint8_t)p->dport;
			l4[30] = (uint8_t)(p->sport >> 8), l4[31] = (uint8_t)p->sport;
			l4[33] = 8;
		}
	}
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + l4len) >> 8), ip[3] = (uint8_t)(20 + l4len);
	ip[4] = (uint8_t)(id >> 8), ip[5] = (uint8_t)id;
	ip[8] = ttl;
	ip[9] = p->proto;
	memcpy(ip + 12, p->src, 4);
	memcpy(ip + 16, p->dst, 4);
	c = csum(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
	if (p->proto == 6 || p->proto == 17) {
		ph = ((uint32_t)p->src[0] << 8 | p->src[1]) + ((uint32_t)p->src[2] << 8 | p->src[3]) +
		     ((uint32_t)p->dst[0] << 8 | p->dst[1]) + ((uint32_t)p->dst[2] << 8 | p->dst[3]) +
		     p->proto + (uint32_t)l4len;
		c = csum(l4, l4len, ph);
		if (p->proto == 17 && c == 0)
			c = 0xffff;
		l4[p->proto == 6 ? 16 : 6] = (uint8_t)(c >> 8);
		l4[p->proto == 6 ? 17 : 7] = (uint8_t)c;
	} else if (p->proto == 1) {
		c = csum(l4, l4len, 0);
		l4[2] = (uint8_t)(c >> 8), l4[3] = (uint8_t)c;
	}
	return len;
}

/* Builds the IPv6 packet of p (len bytes in all, header included) into buf; returns len.
 * TCP, UDP and ICMPv6; with quote, an error quotes a UDP packet from dst:dport to
 * src:sport. */
static size_t kd_build_ip6(const struct ipt_packet *p, uint8_t *buf, size_t len, uint8_t hlim,
			   int quote)
{
	uint8_t *ip = buf, *l4 = buf + 40;
	size_t l4len = len - 40, i;
	uint32_t ph = 0;
	uint16_t c;
	int csoff = -1;

	memset(buf, 0, len);
	ip[0] = 0x60;
	ip[4] = (uint8_t)(l4len >> 8), ip[5] = (uint8_t)l4len;
	ip[6] = p->proto;
	ip[7] = hlim;
	memcpy(ip + 8, p->src, 16);
	memcpy(ip + 24, p->dst, 16);
	if (p->proto == 6) {
		l4[0] = (uint8_t)(p->sport >> 8), l4[1] = (uint8_t)p->sport;
		l4[2] = (uint8_t)(p->dport >> 8), l4[3] = (uint8_t)p->dport;
		l4[12] = 5 << 4;
		l4[13] = p->tcp_flags;
		l4[14] = 0x20;
		csoff = 16;
	} else if (p->proto == 17) {
		l4[0] = (uint8_t)(p->sport >> 8), l4[1] = (uint8_t)p->sport;
		l4[2] = (uint8_t)(p->dport >> 8), l4[3] = (uint8_t)p->dport;
		l4[4] = (uint8_t)(l4len >> 8), l4[5] = (uint8_t)l4len;
		csoff = 6;
	} else if (p->proto == 58) {
		l4[0] = p->icmp_type;
		l4[1] = p->icmp_code;
		if (quote && p->icmp_type < 128) {	/* quote a plausible UDP packet, dst -> src */
			uint8_t *q = l4 + 8;

			q[0] = 0x60;
			q[5] = 8;
			q[6] = 17;
			q[7] = 64;
			memcpy(q + 8, p->dst, 16);
			memcpy(q + 24, p->src, 16);
			q[40] = (uint8_t)(p->dport >> 8), q[41] = (uint8_t)p->dport;
			q[42] = (uint8_t)(p->sport >> 8), q[43] = (uint8_t)p->sport;
			q[45] = 8;
		}
		csoff = 2;
	}
	if (csoff < 0)
		return len;
	for (i = 0; i < 32; i += 2)
		ph += (uint32_t)ip[8 + i] << 8 | ip[9 + i];
	ph += (uint32_t)l4len + p->proto;
	c = csum(l4, l4len, ph);
	if (p->proto == 17 && c == 0)
		c = 0xffff;
	l4[csoff] = (uint8_t)(c >> 8);
	l4[csoff + 1] = (uint8_t)c;
	return len;
}

/* Empties this namespace's conntrack table (ctnetlink IPCTNL_MSG_CT_DELETE without a
 * tuple, as `conntrack -F`), so that every test packet is the first of its connection:
 * packets aimed at rules often share a 5-tuple (ports and addresses the rules fix, the
 * ICMP echo id), and the kernel skips the nat chains for a tuple it already tracks.
 * Errors (conntrack not loaded in the namespace) are ignored. af: AF_INET or AF_INET6. */
static void ct_flush(int af)
{
	struct {
		struct nlmsghdr nh;
		struct nfgenmsg nf;
	} req;
	char buf[512];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

	if (fd < 0)
		return;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.nf.nfgen_family = (uint8_t)af;
	req.nf.version = NFNETLINK_V0;
	if (send(fd, &req, sizeof(req), 0) == (ssize_t)sizeof(req))
		(void)recv(fd, buf, sizeof(buf), 0);
	close(fd);
}

static void pause_us(long us)
{
	struct timespec ts = {0, us * 1000};

	nanosleep(&ts, NULL);
}


/* One line naming packet p (its path, protocol, addresses, ports, flags, ICMP type). */
static void describe(const struct ipt_packet *p, char *buf, size_t len)
{
	static const char *const paths[] = {"in", "out", "lo", "fwd"};
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = p->family == 4 ? AF_INET : AF_INET6;

	inet_ntop(af, p->src, s, sizeof(s));
	inet_ntop(af, p->dst, d, sizeof(d));
	snprintf(buf, len, "path=%s proto=%u src=%s dst=%s sport=%u dport=%u flags=0x%x type=%u/%u",
		 paths[p->path], p->proto, s, d, p->sport, p->dport, p->tcp_flags, p->icmp_type,
		 p->icmp_code);
}

/* What kd_send() sends through: the packet socket on the veth (incoming and forwarded
 * paths: a frame to dmac from smac, or from the packet's own MAC) and the raw socket of
 * the family (locally sent packets). */
struct kd_link {
	int fam, pkt_fd, raw_fd, ifindex;
	const uint8_t *dmac, *smac;
};

#define KD_MAX_PKT 1500

/* Sends packet p (len bytes of IP, TTL or hop limit ttl, IPv4 id; quote: see
 * kd_build_ip) the way its path enters the host. 0 sent, 1 refused by the local stack
 * (an OUTPUT drop, or a re-route refused), -1 error. */
static int kd_send(const struct kd_link *t, const struct ipt_packet *p, uint16_t id, size_t len,
		   uint8_t ttl, int quote)
{
	uint8_t frame[KD_MAX_PKT + 14];
	size_t n;

	if (len > KD_MAX_PKT || len < 60)
		return -1;

	if (p->path == IPT_PATH_INCOMING || p->path == IPT_PATH_FORWARD) {
		struct sockaddr_ll sll;

		memcpy(frame, t->dmac, 6);
		if (p->pkttype == IPT_PKT_BROADCAST)
			memset(frame, 0xff, 6);
		else if (p->pkttype == IPT_PKT_MULTICAST && t->fam == 4)	/* RFC 1112 group MAC */
			memcpy(frame, (const uint8_t[]){0x01, 0x00, 0x5e, p->dst[1] & 0x7f, p->dst[2],
							p->dst[3]}, 6);
		else if (p->pkttype == IPT_PKT_MULTICAST)	/* RFC 2464: 33:33 + low 32 bits */
			memcpy(frame, (const uint8_t[]){0x33, 0x33, p->dst[12], p->dst[13], p->dst[14],
							p->dst[15]}, 6);
		memcpy(frame + 6, p->have_mac ? p->mac : t->smac, 6);
		frame[12] = t->fam == 4 ? 0x08 : 0x86, frame[13] = t->fam == 4 ? 0x00 : 0xdd;
		n = (t->fam == 4 ? kd_build_ip(p, frame + 14, len, ttl, id, quote) :
				     kd_build_ip6(p, frame + 14, len, ttl, quote)) + 14;
		memset(&sll, 0, sizeof(sll));
		sll.sll_family = AF_PACKET;
		sll.sll_ifindex = t->ifindex;
		sll.sll_halen = 6;
		memcpy(sll.sll_addr, t->dmac, 6);
		if (sendto(t->pkt_fd, frame, n, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			return -1;
	} else if (t->fam == 4) {
		struct sockaddr_in sin;

		n = kd_build_ip(p, frame, len, ttl, id, quote);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, p->dst, 4);
		/* EPERM: an OUTPUT rule dropped it; EINVAL: ip_route_me_harder() refused the
		 * re-route a MARK in mangle OUTPUT asked for (a 127/8 source leaving a device
		 * other than lo, __mkroute_output): both are drops the counters tell of */
		if (sendto(t->raw_fd, frame, n, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return errno == EPERM || errno == EINVAL ? 1 : -1;
	} else {
		struct sockaddr_in6 sin6;

		n = kd_build_ip6(p, frame, len, ttl, quote);
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, p->dst, 16);
		if (sendto(t->raw_fd, frame, n, 0, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)
			return errno == EPERM || errno == EINVAL ? 1 : -1;
	}
	pause_us(3000);
	return 0;
}

/* The host model of kdiff_ns.sh's namespace A for family fam (4 or 6), its veth named
 * ifn: 45.33.1.10/24 or 2001:db8:1::10/64 there and the loopback address on lo, a
 * default route by ifn, forwarding on, conntrack state unknown, the running kernel.
 * The tables it points at are static: one model per process. */
static void kd_host_model(int fam, const char *ifn, struct ipt_context *ctx)
{
	static const struct ipt_hostaddr addrs4[] = {
		{"", 4, 24, {45, 33, 1, 10}}, {"lo", 4, 8, {127, 0, 0, 1}},
	};
	static const struct ipt_hostaddr addrs6[] = {
		{"", 6, 64, {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10}}, {"lo", 6, 128, {[15] = 1}},
	};
	static struct ipt_hostaddr addrs[2];
	static struct ipt_ifconf ifc[3] = {{"all", 0, 0, 0, 0, 0}, {"", 0, 0, 0, 0, 0}, {"lo", 0, 0, 0, 0, 0}};
	static struct ipt_route routes[1];

	memcpy(addrs, fam == 4 ? addrs4 : addrs6, sizeof(addrs));
	snprintf(addrs[0].ifname, IPT_IFNAMSIZ, "%s", ifn);
	snprintf(ifc[1].ifname, IPT_IFNAMSIZ, "%s", ifn);
	memset(routes, 0, sizeof(routes));
	prefix_parse(fam == 4 ? "0.0.0.0/0" : "::/0", fam, &routes[0].dst);
	snprintf(routes[0].ifname, IPT_IFNAMSIZ, "%s", ifn);
	memset(ctx, 0, sizeof(*ctx));
	ctx->addrs = addrs;
	ctx->naddrs = 2;
	ctx->addrs_known = 1;
	ctx->ifconf = ifc;
	ctx->nifconf = 3;
	ctx->routes = routes;
	ctx->nroutes = 1;
	ctx->routes_known = 1;
	ctx->conntrack = -1;
	ctx->kernel = 0;		/* the running kernel: the one the packets go through */
	ctx->ip_forward = IPT_FWD_ON;	/* setup() sets ip_forward=1, setup6() forwarding=1 */
}

#endif
