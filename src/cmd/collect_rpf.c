/* This file contains the reverse-path check's part of `spoofaudit collect`: its options
 * (--route, --rpf), the route snapshot it gives the classifier (live: read over rtnetlink
 * at the start and again when the kernel announces a route, rule or link change; files:
 * from --route), and the line the run summary prints about it. */
#include "cmd/collect_rpf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/routes_file.h"
#include "common/util.h"

#define RPF_RECHECK_USEC 1000000u	/* look for route changes at most once a second */

int collect_rpf_opt(struct collect_rpf_args *r, int is_route, const char *arg)
{
	const char *eq;
	enum rpf_mode m;

	if (is_route) {
		if (r->n_routes >= COLLECT_RPF_MAX_ROUTES || !*arg)
			return -1;
		r->routes[r->n_routes++] = arg;
		return 0;
	}
	eq = strchr(arg, '=');
	if (!eq) {
		if (classify_rpf_parse(arg, &m) < 0)
			return -1;
		r->mode_default = m;
		return 0;
	}
	if (eq == arg || (size_t)(eq - arg) >= IF_NAMESIZE || r->n_ifaces >= COLLECTOR_MAX_ROLES ||
	    classify_rpf_parse(eq + 1, &m) < 0)
		return -1;
	memcpy(r->ifaces[r->n_ifaces].name, arg, (size_t)(eq - arg));
	r->ifaces[r->n_ifaces].name[eq - arg] = '\0';
	r->ifaces[r->n_ifaces].mode = m;
	r->n_ifaces++;
	return 0;
}

/* Whether any interface is checked at all. */
static int any_checked(const struct collect_rpf_args *a)
{
	unsigned i;

	if (a->mode_default != RPF_MODE_OFF)
		return 1;
	for (i = 0; i < a->n_ifaces; i++)
		if (a->ifaces[i].mode != RPF_MODE_OFF)
			return 1;
	return 0;
}

/* The snapshot of --route files and specifications; NULL after logging why. */
static struct rtsnap *from_options(const struct collect_rpf_args *a)
{
	struct rtsnap *s = rtsnap_new();
	char err[256];
	unsigned i;

	if (!s) {
		util_log(LOG_LVL_ERR, "out of memory");
		return NULL;
	}
	for (i = 0; i < a->n_routes; i++) {
		const char *r = a->routes[i];
		int spec = strchr(r, ' ') != NULL;	/* 'PREFIX dev IF': a route, else a file */

		if ((spec ? rtsnap_parse_spec(s, r, err, sizeof(err)) :
			    rtsnap_load_json(s, r, err, sizeof(err))) < 0) {
			util_log(LOG_LVL_ERR, "--route %s%s%s: %s", spec ? "`" : "", r,
				 spec ? "'" : "", err);
			rtsnap_free(s);
			return NULL;
		}
	}
	if (rtsnap_finish(s) < 0) {
		util_log(LOG_LVL_ERR, "out of memory");
		rtsnap_free(s);
		return NULL;
	}
	return s;
}

int collect_rpf_start(struct collect_rpf *r, const struct collect_rpf_args *a,
		      struct collector *c, int live)
{
	unsigned i;

	memset(r, 0, sizeof(*r));
	r->c = c;
	c->rpf_default = a->mode_default;
	c->n_rpf = a->n_ifaces;
	for (i = 0; i < a->n_ifaces; i++) {
		snprintf(c->rpf[i].name, sizeof(c->rpf[i].name), "%s", a->ifaces[i].name);
		c->rpf[i].mode = a->ifaces[i].mode;
	}
	if (!any_checked(a)) {
		r->why_not = "turned off (--rpf off)";
		return 0;
	}
	if (a->n_routes) {
		r->snap = from_options(a);
		if (!r->snap)
			return -1;
		r->origin = "--route";
	} else if (live) {
		r->nl = rtsnap_nl_open(1);
		r->snap = r->nl ? rtsnap_nl_dump(r->nl) : NULL;
		if (!r->snap) {
			util_log(LOG_LVL_WARN, "cannot read the routing tables over netlink (%s): "
				 "the reverse-path check (rpf_fail) is off for this run",
				 strerror(errno));
			rtsnap_nl_close(r->nl);
			r->nl = NULL;
			r->why_not = "not evaluated: the routing tables could not be read";
			return 0;
		}
		r->origin = "the kernel (netlink), followed as it changes";
	} else {
		r->why_not = "not evaluated: no route snapshot for files (give --route)";
		return 0;
	}
	c->cctx.routes = r->snap;
	return 0;
}

void collect_rpf_work(void *arg)
{
	struct collect_rpf *r = arg;
	struct rtsnap *s;
	uint64_t now;

	if (r->next_work)
		r->next_work(r->next_arg);
	if (!r->nl)
		return;
	now = util_mono_usec();
	if (now - r->last_check < RPF_RECHECK_USEC)
		return;
	r->last_check = now;
	if (!rtsnap_nl_changed(r->nl))
		return;
	s = rtsnap_nl_dump(r->nl);
	if (!s) {			/* keep the last snapshot; try again at the next change */
		util_log(LOG_LVL_WARN, "cannot re-read the routing tables: %s", strerror(errno));
		return;
	}
	r->c->cctx.routes = s;
	rtsnap_free(r->snap);
	r->snap = s;
	r->reloads++;
}

void collect_rpf_summary(const struct collect_rpf *r)
{
	size_t routes = 0, rules = 0;
	int incomplete = 0;

	if (!r->snap) {
		fprintf(stderr, "  reverse-path check (rpf_fail): %s\n",
			r->why_not ? r->why_not : "not evaluated");
		return;
	}
	rtsnap_counts(r->snap, &routes, &rules, &incomplete);
	fprintf(stderr, "  reverse-path check (rpf_fail): %zu route%s, %zu rule%s from %s%s%s%s%s\n",
		routes, routes == 1 ? "" : "s", rules, rules == 1 ? "" : "s", r->origin,
		r->reloads ? " (re-read after changes)" : "",
		incomplete ? "; INCOMPLETE (too many routes): not evaluated" : "",
		!incomplete && !rtsnap_family_routes(r->snap, 4) ? "; IPv4 not evaluated (no IPv4 route)" : "",
		!incomplete && !rtsnap_family_routes(r->snap, 6) ? "; IPv6 not evaluated (no IPv6 route)" : "");
}

void collect_rpf_stop(struct collect_rpf *r)
{
	if (r->c)
		r->c->cctx.routes = NULL;
	rtsnap_free(r->snap);
	rtsnap_nl_close(r->nl);
	r->snap = NULL;
	r->nl = NULL;
}
