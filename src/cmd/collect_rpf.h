/* This file declares the reverse-path check's part of `spoofaudit collect`: options, the
 * route snapshot of the run (live over rtnetlink and followed as it changes, or from
 * --route for files) and its summary line. */
#ifndef SPOOFAUDIT_COLLECT_RPF_H
#define SPOOFAUDIT_COLLECT_RPF_H

#include <net/if.h>
#include <stdint.h>
#include "classify/routes_nl.h"
#include "collect/collector.h"
#include "collect/loop.h"

#define COLLECT_RPF_MAX_ROUTES 1024	/* --route options */

/* --route and --rpf as given. */
struct collect_rpf_args {
	const char *routes[COLLECT_RPF_MAX_ROUTES];	/* files (no space) or route specs */
	unsigned n_routes;
	enum rpf_mode mode_default;			/* --rpf MODE (default strict) */
	unsigned n_ifaces;
	struct { char name[IF_NAMESIZE]; enum rpf_mode mode; } ifaces[COLLECTOR_MAX_ROLES];
};

/* The check's state during a run. */
struct collect_rpf {
	struct collector *c;
	struct rtsnap *snap;		/* given to c->cctx.routes; NULL: not evaluated */
	struct rtsnap_nl *nl;		/* live: the netlink reader; NULL otherwise */
	const char *origin;		/* where the snapshot came from */
	const char *why_not;		/* why there is none */
	uint64_t last_check;		/* monotonic usec of the last look for changes */
	unsigned reloads;
	loop_work_fn next_work;		/* the loop's other periodic work (the audit's) */
	void *next_arg;
};

/* Takes one --route (is_route) or --rpf argument. Returns 0, or -1 when it is bad. */
int collect_rpf_opt(struct collect_rpf_args *r, int is_route, const char *arg);

/* Sets the collector's per-interface modes and its snapshot: from --route when given,
 * else live over netlink (the sockets are opened here: call it before the privilege drop
 * and the sandbox), else none (the summary says the check was not evaluated). Before any
 * interface is added to c. Returns 0, or -1 after logging why (a bad --route). */
int collect_rpf_start(struct collect_rpf *r, const struct collect_rpf_args *a,
		      struct collector *c, int live);

/* A loop_work_fn (arg: the collect_rpf): runs next_work, then, live, re-reads the snapshot
 * when the kernel announced a change (looked for at most once a second). */
void collect_rpf_work(void *arg);

/* The run summary's line about the check. */
void collect_rpf_summary(const struct collect_rpf *r);

/* Takes the snapshot from the collector and frees it. NULL-safe state. */
void collect_rpf_stop(struct collect_rpf *r);

#endif
