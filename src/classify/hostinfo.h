/* This file declares what the collector learns of the host at start: its interfaces that
 * are up, their addresses, the routes that point through each, which one holds the
 * default route, and the kernel's martian-related sysctls; and struct hostctx, the typed
 * host context the policy evaluation (check, the live audit) takes. */
#ifndef SPOOFAUDIT_HOSTINFO_H
#define SPOOFAUDIT_HOSTINFO_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "classify/classify.h"
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

/* The sysctls recorded per scope ("all" and each interface): the one table of their
 * names, indexed by enum hostinfo_sysctl, NULL-terminated. */
enum hostinfo_sysctl {
	HOSTINFO_RP_FILTER = 0,
	HOSTINFO_ROUTE_LOCALNET,
	HOSTINFO_ACCEPT_LOCAL,
	HOSTINFO_LOG_MARTIANS,
	HOSTINFO_FORWARDING,	/* conf/all/forwarding is net.ipv4.ip_forward */
	HOSTINFO_FORWARDING6,	/* "ipv6.forwarding": net.ipv6.conf.SCOPE.forwarding
				 * (ip6_forward reads conf/all's) */
	HOSTINFO_FORCE_FORWARDING6,	/* "ipv6.force_forwarding" (Linux 6.17): a device
					 * that forwards with all's off; older kernels
					 * have none, and nothing is recorded */
	HOSTINFO_N_SYSCTLS
};
extern const char *const hostinfo_sysctl_keys[];
/* The enum hostinfo_sysctl of a key name, or -1. */
int hostinfo_sysctl_index(const char *key);

/* Fills *hi from getifaddrs(), /proc/net/route and /proc/net/ipv6_route. Returns 0, or -1
 * with errno set. Missing /proc route files leave routes empty (not an error). */
int hostinfo_read(struct hostinfo *hi);

/* Reads /proc/sys/net/ipv4/conf/SCOPE/KEY (for a KEY "ipv6.NAME",
 * /proc/sys/net/ipv6/conf/SCOPE/NAME) into buf (trimmed). Returns 0, or -1 when the file
 * is missing or unreadable. */
int hostinfo_sysctl(const char *scope, const char *key, char *buf, size_t len);

/* The interface named name, or NULL. */
const struct hostinfo_iface *hostinfo_find(const struct hostinfo *hi, const char *name);

/* ---- the typed host context: what the policy evaluation needs of the host ----
 *
 * Filled from the live host (hostctx_read_kernel, plus the collector's interface roles)
 * or from a database's recorded rows (policy/hostctx_db.c), never through text. */

struct hostctx_addr {
	char ifname[IF_NAMESIZE];
	struct prefix addr;		/* full address (host bits kept) with the interface's plen */
};

/* An interface with a role: its routed/connected prefixes. */
struct hostctx_iface {
	char name[IF_NAMESIZE];
	enum iface_role role;
	struct prefix *prefixes;	/* malloc'd */
	size_t nprefixes;
};

/* One sysctl scope ("all" or an interface): values, -1 when not known. */
struct hostctx_sysctl {
	char scope[IF_NAMESIZE];
	int val[HOSTINFO_N_SYSCTLS];
};

struct hostctx {
	struct hostctx_addr *addrs;		/* in the order added */
	size_t naddrs, capaddrs;
	struct hostctx_iface *ifaces;		/* one per name, in the order first added */
	size_t nifaces, capifaces;
	struct hostctx_sysctl *sysctls;		/* one per scope, in the order first set */
	size_t nsysctls, capsysctls;
	/* The kernel's release (uname -r) whose behaviour the context describes; "" when
	 * not known (a database whose runs did not record it). */
	char kernel_release[65];
};

/* Each returns 0, or -1 with errno ENOMEM (EINVAL for a name too long). */
int hostctx_add_addr(struct hostctx *h, const char *ifname, const struct prefix *addr);
/* Sets the interface's role (creating it) and appends prefixes (n may be 0). */
int hostctx_add_iface(struct hostctx *h, const char *name, enum iface_role role,
		      const struct prefix *prefixes, size_t n);
int hostctx_set_sysctl(struct hostctx *h, const char *scope, enum hostinfo_sysctl k, int val);
/* Adds hi's addresses, the sysctls of "all" and of each of hi's interfaces, and the
 * running kernel's release. */
int hostctx_read_kernel(struct hostctx *h, const struct hostinfo *hi);
/* Hash of the whole context, for change detection. */
uint64_t hostctx_hash(const struct hostctx *h);
void hostctx_free(struct hostctx *h);	/* NULL-safe; leaves *h empty */

#endif
