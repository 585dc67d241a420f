/* This file declares what the collector learns of the host at start: its interfaces that
 * are up, their addresses, the routes that point through each, which one holds the
 * default route, and the kernel's martian-related sysctls. */
#ifndef SPOOFAUDIT_HOSTINFO_H
#define SPOOFAUDIT_HOSTINFO_H

#include <net/if.h>
#include "common/prefix.h"

#define HOSTINFO_MAX_IFACES 64
#define HOSTINFO_MAX_ADDRS 256
#define HOSTINFO_MAX_ROUTES 32	/* routed prefixes kept per interface */

struct hostinfo_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	int is_up;
	int is_loopback;		/* IFF_LOOPBACK */
	int has_default_route;		/* an IPv4 or IPv6 default route points through it */
	unsigned n_routes;		/* connected and routed prefixes through it */
	struct prefix routes[HOSTINFO_MAX_ROUTES];
};

struct hostinfo_addr {
	char iface[IF_NAMESIZE];
	struct prefix addr;		/* full address in addr, with the interface's plen */
};

struct hostinfo {
	unsigned n_ifaces;
	struct hostinfo_iface ifaces[HOSTINFO_MAX_IFACES];
	unsigned n_addrs;
	struct hostinfo_addr addrs[HOSTINFO_MAX_ADDRS];
};

/* The sysctls recorded per scope ("all" and each interface), in this order. */
extern const char *const hostinfo_sysctl_keys[];
#define HOSTINFO_N_SYSCTLS 4

/* Fills *hi from getifaddrs(), /proc/net/route and /proc/net/ipv6_route. Returns 0, or -1
 * with errno set. Missing /proc route files leave routes empty (not an error). */
int hostinfo_read(struct hostinfo *hi);

/* Reads /proc/sys/net/ipv4/conf/SCOPE/KEY into buf (trimmed). Returns 0, or -1 when the
 * file is missing or unreadable. */
int hostinfo_sysctl(const char *scope, const char *key, char *buf, size_t len);

/* The interface named name, or NULL. */
const struct hostinfo_iface *hostinfo_find(const struct hostinfo *hi, const char *name);

#endif
