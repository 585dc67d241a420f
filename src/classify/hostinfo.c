/* This file reads what the collector needs to know of the host: interfaces, addresses,
 * routes and the martian-related sysctls. */
#include "classify/hostinfo.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

const char *const hostinfo_sysctl_keys[] = {
	"rp_filter", "route_localnet", "accept_local", "log_martians", "forwarding",
	"ipv6.forwarding", "ipv6.force_forwarding", NULL
};

static struct hostinfo_iface *iface_get(struct hostinfo *hi, const char *name)
{
	unsigned i;

	for (i = 0; i < hi->n_ifaces; i++)
		if (!strcmp(hi->ifaces[i].name, name))
			return &hi->ifaces[i];
	if (hi->n_ifaces >= HOSTINFO_MAX_IFACES || strlen(name) >= IF_NAMESIZE)
		return NULL;
	memset(&hi->ifaces[hi->n_ifaces], 0, sizeof(hi->ifaces[0]));
	snprintf(hi->ifaces[hi->n_ifaces].name, IF_NAMESIZE, "%s", name);
	hi->ifaces[hi->n_ifaces].ifindex = (int)if_nametoindex(name);
	return &hi->ifaces[hi->n_ifaces++];
}

static void route_add(struct hostinfo_iface *ifc, const struct prefix *p)
{
	unsigned i;

	for (i = 0; i < ifc->n_routes; i++)
		if (!memcmp(&ifc->routes[i], p, sizeof(*p)))
			return;
	if (ifc->n_routes < HOSTINFO_MAX_ROUTES)
		ifc->routes[ifc->n_routes++] = *p;
}

static unsigned mask_len(const uint8_t *m, unsigned bytes)
{
	unsigned n = 0, i;

	for (i = 0; i < bytes; i++) {
		uint8_t b = m[i];

		while (b & 0x80) {
			n++;
			b = (uint8_t)(b << 1);
		}
		if (m[i] != 0xff)
			break;
	}
	return n;
}

static void read_addrs(struct hostinfo *hi, struct ifaddrs *ifa0)
{
	struct ifaddrs *ifa;

	for (ifa = ifa0; ifa; ifa = ifa->ifa_next) {
		struct hostinfo_iface *ifc = iface_get(hi, ifa->ifa_name);
		uint8_t addr[16] = {0}, mask[16] = {0};
		int family;
		unsigned plen;
		struct prefix net;

		if (!ifc)
			continue;
		ifc->is_up = !!(ifa->ifa_flags & IFF_UP);
		ifc->is_loopback = !!(ifa->ifa_flags & IFF_LOOPBACK);
		if (!ifa->ifa_addr)
			continue;
		if (ifa->ifa_addr->sa_family == AF_INET) {
			family = 4;
			memcpy(addr, &((struct sockaddr_in *)(void *)ifa->ifa_addr)->sin_addr, 4);
			if (ifa->ifa_netmask)
				memcpy(mask, &((struct sockaddr_in *)(void *)ifa->ifa_netmask)->sin_addr, 4);
			plen = ifa->ifa_netmask ? mask_len(mask, 4) : 32;
		} else if (ifa->ifa_addr->sa_family == AF_INET6) {
			family = 6;
			memcpy(addr, &((struct sockaddr_in6 *)(void *)ifa->ifa_addr)->sin6_addr, 16);
			if (ifa->ifa_netmask)
				memcpy(mask, &((struct sockaddr_in6 *)(void *)ifa->ifa_netmask)->sin6_addr, 16);
			plen = ifa->ifa_netmask ? mask_len(mask, 16) : 128;
		} else {
			continue;
		}
		if (hi->n_addrs < HOSTINFO_MAX_ADDRS) {
			struct hostinfo_addr *ha = &hi->addrs[hi->n_addrs++];

			snprintf(ha->iface, IF_NAMESIZE, "%s", ifa->ifa_name);
			memset(&ha->addr, 0, sizeof(ha->addr));
			ha->addr.family = (uint8_t)family;
			ha->addr.plen = (uint8_t)plen;
			memcpy(ha->addr.addr, addr, 16);
		}
		prefix_set(&net, family, addr, plen);
		route_add(ifc, &net);
	}
}

/* /proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric Mask ...", hex in
 * host byte order. */
static void read_routes4(struct hostinfo *hi)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[512];

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f))
		goto out;
	while (fgets(line, sizeof(line), f)) {
		char name[IF_NAMESIZE + 1];
		unsigned dst, gw, flags, mask;
		struct hostinfo_iface *ifc;
		struct prefix p;
		uint8_t a[16] = {0};

		if (sscanf(line, "%16s %x %x %x %*d %*d %*d %x", name, &dst, &gw, &flags, &mask) != 5)
			continue;
		if (!(flags & 0x1))	/* RTF_UP */
			continue;
		ifc = iface_get(hi, name);
		if (!ifc)
			continue;
		if (dst == 0 && mask == 0) {
			ifc->has_default_route = 1;
			continue;
		}
		memcpy(a, &dst, 4);
		prefix_set(&p, 4, a, mask_len((const uint8_t *)&mask, 4));
		route_add(ifc, &p);
	}
out:
	fclose(f);
}

static int hexbytes(const char *s, uint8_t *out, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* /proc/net/ipv6_route: "dst dstlen src srclen nexthop metric refcnt use flags iface". */
static void read_routes6(struct hostinfo *hi)
{
	FILE *f = fopen("/proc/net/ipv6_route", "r");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char dst[33], name[IF_NAMESIZE + 1];
		unsigned plen, flags;
		uint8_t a[16];
		struct hostinfo_iface *ifc;
		struct prefix p;

		if (sscanf(line, "%32s %x %*s %*x %*s %*x %*x %*x %x %16s", dst, &plen, &flags, name) != 4)
			continue;
		if (!(flags & 0x1) || (flags & 0x200) || plen > 128)	/* RTF_UP; skip RTF_REJECT */
			continue;
		if (hexbytes(dst, a, 16) < 0)
			continue;
		if (!strcmp(name, "lo") && plen == 128)
			continue;	/* local addresses are listed on lo */
		ifc = iface_get(hi, name);
		if (!ifc)
			continue;
		if (plen == 0) {
			ifc->has_default_route = 1;
			continue;
		}
		if (a[0] == 0xff)	/* multicast routes */
			continue;
		prefix_set(&p, 6, a, plen);
		route_add(ifc, &p);
	}
	fclose(f);
}

int hostinfo_read(struct hostinfo *hi)
{
	struct ifaddrs *ifa0 = NULL;

	memset(hi, 0, sizeof(*hi));
	if (getifaddrs(&ifa0) < 0)
		return -1;
	read_addrs(hi, ifa0);
	freeifaddrs(ifa0);
	read_routes4(hi);
	read_routes6(hi);
	return 0;
}

int hostinfo_sysctl(const char *scope, const char *key, char *buf, size_t len)
{
	char path[256];
	FILE *f;
	size_t n;

	if (strchr(scope, '/') || strchr(key, '/') || !strcmp(scope, "..") || len == 0)
		return -1;
	/* "ipv6.KEY" is net.ipv6.conf.SCOPE.KEY, any other net.ipv4.conf.SCOPE.KEY */
	if (!strncmp(key, "ipv6.", 5))
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", scope, key + 5);
	else
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", scope, key);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

const struct hostinfo_iface *hostinfo_find(const struct hostinfo *hi, const char *name)
{
	unsigned i;

	for (i = 0; i < hi->n_ifaces; i++)
		if (!strcmp(hi->ifaces[i].name, name))
			return &hi->ifaces[i];
	return NULL;
}

int hostinfo_sysctl_index(const char *key)
{
	int k;

	for (k = 0; k < HOSTINFO_N_SYSCTLS; k++)
		if (!strcmp(hostinfo_sysctl_keys[k], key))
			return k;
	return -1;
}

/* ---- the typed host context ---- */


static int name_ok(const char *name)
{
	if (strlen(name) >= IF_NAMESIZE) {
		errno = EINVAL;
		return 0;
	}
	return 1;
}

int hostctx_add_addr(struct hostctx *h, const char *ifname, const struct prefix *addr)
{
	struct hostctx_addr *a;

	if (!name_ok(ifname) || util_grow((void **)&h->addrs, &h->capaddrs, h->naddrs, sizeof(*a)) < 0)
		return -1;
	a = &h->addrs[h->naddrs++];
	memset(a, 0, sizeof(*a));
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	a->addr = *addr;
	return 0;
}

int hostctx_add_iface(struct hostctx *h, const char *name, enum iface_role role,
		      const struct prefix *prefixes, size_t n)
{
	struct hostctx_iface *x = NULL;
	struct prefix *np;
	size_t i;

	if (!name_ok(name))
		return -1;
	for (i = 0; i < h->nifaces; i++)
		if (!strcmp(h->ifaces[i].name, name))
			x = &h->ifaces[i];
	if (!x) {
		if (util_grow((void **)&h->ifaces, &h->capifaces, h->nifaces, sizeof(*x)) < 0)
			return -1;
		x = &h->ifaces[h->nifaces++];
		memset(x, 0, sizeof(*x));
		snprintf(x->name, sizeof(x->name), "%s", name);
	}
	x->role = role;
	if (!n)
		return 0;
	np = realloc(x->prefixes, (x->nprefixes + n) * sizeof(*np));
	if (!np) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(np + x->nprefixes, prefixes, n * sizeof(*np));
	x->prefixes = np;
	x->nprefixes += n;
	return 0;
}

int hostctx_set_sysctl(struct hostctx *h, const char *scope, enum hostinfo_sysctl k, int val)
{
	struct hostctx_sysctl *x = NULL;
	size_t i;
	int j;

	if ((unsigned)k >= HOSTINFO_N_SYSCTLS) {
		errno = EINVAL;
		return -1;
	}
	if (!name_ok(scope))
		return -1;
	for (i = 0; i < h->nsysctls; i++)
		if (!strcmp(h->sysctls[i].scope, scope))
			x = &h->sysctls[i];
	if (!x) {
		if (util_grow((void **)&h->sysctls, &h->capsysctls, h->nsysctls, sizeof(*x)) < 0)
			return -1;
		x = &h->sysctls[h->nsysctls++];
		memset(x, 0, sizeof(*x));
		snprintf(x->scope, sizeof(x->scope), "%s", scope);
		for (j = 0; j < HOSTINFO_N_SYSCTLS; j++)
			x->val[j] = -1;
	}
	x->val[k] = val;
	return 0;
}

/* A sysctl's value as an integer: 0 and -1 when missing or not a number. */
static int sysctl_int(const char *scope, const char *key, int *out)
{
	char buf[64], *end;
	long v;

	if (hostinfo_sysctl(scope, key, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || *end || v < -1000000 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

int hostctx_read_kernel(struct hostctx *h, const struct hostinfo *hi)
{
	unsigned i;
	int k, v;

	struct utsname u;

	if (uname(&u) == 0)
		snprintf(h->kernel_release, sizeof(h->kernel_release), "%s", u.release);
	for (i = 0; i < hi->n_addrs; i++)
		if (hostctx_add_addr(h, hi->addrs[i].iface, &hi->addrs[i].addr) < 0)
			return -1;
	for (i = 0; i <= hi->n_ifaces; i++) {
		const char *scope = i == 0 ? "all" : hi->ifaces[i - 1].name;

		for (k = 0; k < HOSTINFO_N_SYSCTLS; k++)
			if (sysctl_int(scope, hostinfo_sysctl_keys[k], &v) == 0 &&
			    hostctx_set_sysctl(h, scope, (enum hostinfo_sysctl)k, v) < 0)
				return -1;
	}
	return 0;
}

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
	return util_fnv(h, p, n);
}

uint64_t hostctx_hash(const struct hostctx *h)
{
	uint64_t x = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < h->naddrs; i++)
		x = hash_bytes(&h->addrs[i], sizeof(h->addrs[i]), x);
	for (i = 0; i < h->nsysctls; i++)
		x = hash_bytes(&h->sysctls[i], sizeof(h->sysctls[i]), x);
	for (i = 0; i < h->nifaces; i++) {
		x = hash_bytes(h->ifaces[i].name, sizeof(h->ifaces[i].name), x);
		x = hash_bytes(&h->ifaces[i].role, sizeof(h->ifaces[i].role), x);
		x = hash_bytes(h->ifaces[i].prefixes, h->ifaces[i].nprefixes * sizeof(struct prefix), x);
	}
	return x;
}

void hostctx_free(struct hostctx *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->nifaces; i++)
		free(h->ifaces[i].prefixes);
	free(h->ifaces);
	free(h->addrs);
	free(h->sysctls);
	memset(h, 0, sizeof(*h));
}
