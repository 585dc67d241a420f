/* This file declares the kernel's drop counters that prove what the kernel did with
 * spoofed packets: the martian counters of the IPv4 route cache statistics, IPv6's input
 * header and address errors, and the reverse-path filter's drops. */
#ifndef SPOOFAUDIT_KCOUNTERS_H
#define SPOOFAUDIT_KCOUNTERS_H

#include <stdint.h>

enum kcounter {
	KC_IN_MARTIAN_SRC,	/* /proc/net/stat/rt_cache, summed over CPUs (hex) */
	KC_IN_MARTIAN_DST,
	KC_IP6_IN_HDR_ERRORS,	/* /proc/net/snmp6 */
	KC_IP6_IN_ADDR_ERRORS,
	KC_IP_RPFILTER,		/* /proc/net/netstat TcpExt: IPReversePathFilter */
	KC_COUNT
};

/* The counters' names, as the kernel prints them, indexed by enum kcounter. */
extern const char *const kcounter_names[KC_COUNT];

struct kcounters {
	uint64_t val[KC_COUNT];
	unsigned char ok[KC_COUNT];	/* 1 where the counter was read */
};

/* Reads every counter the kernel offers from proc (normally "/proc"; tests give another
 * root). Counters it cannot read keep ok 0. Returns how many were read. */
int kcounters_read(struct kcounters *k, const char *proc);

#endif
