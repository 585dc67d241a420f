/* This file implements the start-up of `spoofaudit collect` beyond the collect stage:
 * the live policy audit, the privilege drop, the run's beginning and the kernel context
 * of a live run. */
#include "cmd/collect_start.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "collect/loop.h"
#include "collect/privdrop.h"
#include "collect/sandbox.h"
#include "classify/kcounters.h"
#include "common/util.h"
#include "policy/policy.h"
#include "sources/capture.h"

void collect_audit_clear(struct collect_audit *ca)
{
	memset(ca, 0, sizeof(*ca));
	ca->rsrc.fd = -1;
}

/* Hands a reply of the live ruleset reader to the audit. */
static void live_rules(struct collect_audit *ca, struct rulesrc_reply *x)
{
	audit_refresh_host(ca->au);
	audit_set_live(ca->au, 4, x);
	audit_set_live(ca->au, 6, x);
}

void collect_audit_work(void *arg)
{
	struct collect_audit *ca = arg;
	struct rulesrc_reply x;
	char err[1024];
	int rc;

	if (!ca->au)
		return;
	if (loop_take_reload()) {
		if (audit_reload(ca->au, err, sizeof(err)) < 0)
			util_log(LOG_LVL_ERR, "SIGHUP: policy not reloaded, the old one stays: %s", err);
	}
	if (ca->rsrc.fd >= 0) {
		uint64_t now = util_mono_usec();

		if (ca->ruleset_poll_s && now - ca->last_rules_poll >= ca->ruleset_poll_s * 1000000u) {
			ca->last_rules_poll = now;
			if (rulesrc_request(&ca->rsrc) < 0) {
				util_log(LOG_LVL_ERR, "the live ruleset reader is gone; the live ruleset "
					 "is no longer compared");
				rulesrc_stop(&ca->rsrc);
			}
		}
		rc = ca->rsrc.fd >= 0 ? rulesrc_poll(&ca->rsrc, &x) : 0;
		if (rc == 1) {
			live_rules(ca, &x);
			rulesrc_reply_free(&x);
		} else if (rc < 0) {
			util_log(LOG_LVL_ERR, "the live ruleset reader failed; the live ruleset is no "
				 "longer compared");
			rulesrc_stop(&ca->rsrc);
		}
	}
	audit_tick(ca->au, util_now_usec());
}

int collect_audit_start(struct collect_audit *ca, const struct audit_opts *o,
			struct collector *c, struct store *st, int64_t run_id, int live,
			int live_ruleset)
{
	struct rulesrc_reply x;
	char err[1024];

	if (!o->policy[0] && !o->policy[1])
		return 0;
	ca->au = audit_new(o, c, st, run_id, err, sizeof(err));
	if (!ca->au) {
		util_log(LOG_LVL_ERR, "--policy: %s", err);
		return -1;
	}
	if (!live || !live_ruleset)
		return 0;
	if (rulesrc_start(&ca->rsrc, err, sizeof(err)) < 0) {
		util_log(LOG_LVL_WARN, "cannot start the live ruleset reader (%s); the live ruleset "
			 "is not compared", err);
		return 0;
	}
	ca->last_rules_poll = util_mono_usec();
	if (rulesrc_request(&ca->rsrc) == 0 && rulesrc_wait(&ca->rsrc, 10000, &x) == 1) {
		live_rules(ca, &x);
		rulesrc_reply_free(&x);
	}
	return 0;
}

void collect_audit_stop(struct collect_audit *ca)
{
	rulesrc_stop(&ca->rsrc);
	audit_free(ca->au);
	ca->au = NULL;
}

int collect_drop_target(const char *user, uid_t *uid, gid_t *gid)
{
	char err[256];

	if (geteuid() != 0 || (user && !strcmp(user, "root")))
		return 0;
	return privdrop_lookup(user ? user : PRIVDROP_DEFAULT_USER, uid, gid, err,
			       sizeof(err)) < 0 ? 0 : 1;
}

int collect_prepare_owner(const char *user, const char *db)
{
	char err[1024];
	uid_t uid;
	gid_t gid;

	if (collect_drop_target(user, &uid, &gid) != 1)
		return 0;
	if (store_chown_files(db, uid, gid, err, sizeof(err)) < 0) {
		util_log(LOG_LVL_ERR, "%s", err);
		return -1;
	}
	return 0;
}

int collect_drop_privileges(const char *user, const char *db)
{
	char err[1024];
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0) {
		if (user && strcmp(user, "root") != 0) {
			if (privdrop_lookup(user, &uid, &gid, err, sizeof(err)) < 0 || uid != geteuid()) {
				util_log(LOG_LVL_ERR, "--user %s: not running as root, cannot change user",
					 user);
				return -1;
			}
		}
		return 0;
	}
	if (!user) {
		if (privdrop_lookup(PRIVDROP_DEFAULT_USER, &uid, &gid, err, sizeof(err)) < 0) {
			util_log(LOG_LVL_WARN, "running as root: no user `%s' to drop to; create it "
				 "(the install does) or pass --user NAME", PRIVDROP_DEFAULT_USER);
			return 0;
		}
		user = PRIVDROP_DEFAULT_USER;
	} else if (!strcmp(user, "root")) {
		return 0;
	} else if (privdrop_lookup(user, &uid, &gid, err, sizeof(err)) < 0) {
		util_log(LOG_LVL_ERR, "--user: %s", err);
		return -1;
	}
	if (privdrop_prepare_db(db, uid, gid, err, sizeof(err)) < 0 ||
	    privdrop_to(uid, gid, err, sizeof(err)) < 0) {
		util_log(LOG_LVL_ERR, "cannot drop privileges to %s: %s", user, err);
		return -1;
	}
	return 0;
}

void collect_record_kernel_ctx(struct store *st, int64_t run_id, const struct hostinfo *hi)
{
	unsigned i, k;
	char val[64];
	struct utsname u;

	/* which kernel's behaviour the recorded traffic met: `check` models that one */
	if (uname(&u) == 0)
		store_kernel_ctx_add(st, run_id, "all", "kernel_release", u.release);
	for (k = 0; hostinfo_sysctl_keys[k]; k++)
		if (hostinfo_sysctl("all", hostinfo_sysctl_keys[k], val, sizeof(val)) == 0)
			store_kernel_ctx_add(st, run_id, "all", hostinfo_sysctl_keys[k], val);
	for (i = 0; i < hi->n_ifaces; i++)
		for (k = 0; hostinfo_sysctl_keys[k]; k++)
			if (hostinfo_sysctl(hi->ifaces[i].name, hostinfo_sysctl_keys[k], val,
					    sizeof(val)) == 0)
				store_kernel_ctx_add(st, run_id, hi->ifaces[i].name,
						     hostinfo_sysctl_keys[k], val);
	for (i = 0; i < hi->n_addrs; i++)
		store_hostaddr_add(st, run_id, hi->addrs[i].iface, &hi->addrs[i].addr);
}

void collect_record_kernel_counters(struct store *st, int64_t run_id, int at_end)
{
	struct kcounters k;

	kcounters_read(&k, "/proc");
	for (int c = 0; c < KC_COUNT; c++)
		if (k.ok[c])
			store_kernel_counter(st, run_id, kcounter_names[c], k.val[c], at_end);
}

int collect_live_list(const struct collect_args *a, const struct hostinfo *hi,
		     const char **live)
{
	unsigned i, n = 0;

	if (a->n_ifaces) {
		for (i = 0; i < a->n_ifaces; i++)
			live[n++] = a->ifaces[i];
	} else if (!a->n_files && !a->n_nflog) {
		for (i = 0; i < hi->n_ifaces && n < MAX_LIVE; i++)
			if (hi->ifaces[i].is_up)
				live[n++] = hi->ifaces[i].name;
		if (!n) {
			util_log(LOG_LVL_ERR, "no interface is up");
			return -1;
		}
	}
	return (int)n;
}

int collect_probe_files(const struct collect_args *a)
{
	unsigned i;

	for (i = 0; i < a->n_files; i++) {
		struct capture probe;
		char perr[4200];

		if (capture_open_file(&probe, a->files[i], a->bpf, perr, sizeof(perr)) < 0) {
			util_log(LOG_LVL_ERR, "%s", perr);
			return -1;
		}
		capture_close(&probe);
	}
	return 0;
}

int collect_probe_live(const struct collect_args *a, const char *const *live, unsigned n)
{
	struct capture_live_opts lo = { (int)a->snaplen, a->promisc, (int)(a->buffer_mib << 20),
					a->bpf, PCAP_D_IN };
	char err[4200];
	unsigned i;

	for (i = 0; i < n; i++) {
		struct capture probe;

		if (capture_open_live(&probe, live[i], &lo, err, sizeof(err)) < 0) {
			util_log(LOG_LVL_ERR, "%s", err);
			return -1;
		}
		capture_close(&probe);
	}
	for (i = 0; i < a->n_nflog; i++) {
		struct source probe;

		if (nfl_source_open(&probe, a->nflog_groups[i], &a->nfl, err, sizeof(err)) < 0) {
			util_log(LOG_LVL_ERR, "%s", err);
			return -1;
		}
		source_close(&probe);
	}
	return 0;
}

int collect_probe_user(const char *user)
{
	char err[1024];
	uid_t uid;
	gid_t gid;

	if (!user || !strcmp(user, "root"))
		return 0;
	if (privdrop_lookup(user, &uid, &gid, err, sizeof(err)) < 0) {
		util_log(LOG_LVL_ERR, "--user: %s", err);
		return -1;
	}
	if (geteuid() != 0 && uid != geteuid()) {
		util_log(LOG_LVL_ERR, "--user %s: not running as root, cannot change user", user);
		return -1;
	}
	return 0;
}

int collect_probe_policy(const struct collect_args *a)
{
	struct policy_src src[2];
	struct policy p;
	char err[1024];
	size_t n = 0;
	int f, rc;

	memset(src, 0, sizeof(src));
	memset(&p, 0, sizeof(p));
	for (f = 0; f < 2; f++)
		if (a->aopt.policy[f]) {
			src[n].kind = POLICY_FILE;
			src[n].lang = POLICY_IPTABLES;
			src[n].family = f ? 6 : 4;
			src[n].path = a->aopt.policy[f];
			n++;
		}
	if (!n)
		return 0;
	rc = policy_load(&p, src, n, NULL, err, sizeof(err));
	policy_free(&p);
	if (rc < 0)
		util_log(LOG_LVL_ERR, "--policy: %s", err);
	return rc < 0 ? -1 : 0;
}

/* Whether the kernel tracks no connection in this network namespace now: then no
 * conversation began before the capture (flows/answers.h needs no cold start). With no
 * nf_conntrack loaded the file is missing, and nothing is tracked either. */
static int conntrack_empty(void)
{
	FILE *f = fopen("/proc/sys/net/netfilter/nf_conntrack_count", "re");
	unsigned long n = 1;

	if (!f)
		return errno == ENOENT;
	if (fscanf(f, "%lu", &n) != 1)
		n = 1;
	fclose(f);
	return n == 0;
}

int64_t collect_begin_run(const struct collect_args *a, int argc, char **argv,
			 struct store *st, struct collector *c, const struct hostinfo *hi,
			 int live)
{
	char host[256] = "", cmdline[2048] = "";
	struct collector_opts copt = a->copt;
	int64_t run_id;
	unsigned i;

	gethostname(host, sizeof(host) - 1);
	for (i = 0; i < (unsigned)argc; i++) {
		size_t used = strlen(cmdline);

		snprintf(cmdline + used, sizeof(cmdline) - used, "%s%s", i ? " " : "", argv[i]);
	}
	run_id = store_run_begin(st, host, SPOOFAUDIT_VERSION, cmdline, util_now_usec(),
				 a->copt.bucket_seconds);
	/* a file's packets may continue conversations from before it began */
	copt.conntrack_fresh = live && !a->n_files && conntrack_empty();
	if (run_id < 0 || collector_init(c, &copt, st, run_id) < 0) {
		util_log(LOG_LVL_ERR, "%s: cannot start a run: %s", a->db, store_errmsg(st));
		return -1;
	}
	memcpy(c->roles, a->roles, sizeof(a->roles));
	c->n_roles = a->n_roles;
	if (live) {
		/* Never stall capture for long on another process's lock: counts stay in
		 * memory and the next flush retries. */
		store_set_busy_timeout(st, 250);
		collect_record_kernel_ctx(st, run_id, hi);
		collect_record_kernel_counters(st, run_id, 0);
		for (i = 0; i < hi->n_addrs && c->cctx.n_hostaddrs < CLASSIFY_MAX_HOSTADDRS; i++) {
			struct prefix *p = &c->cctx.hostaddrs[c->cctx.n_hostaddrs++];

			*p = hi->addrs[i].addr;
			p->plen = p->family == 4 ? 32 : 128;
		}
	}
	for (i = 0; i < a->n_hostaddrs && c->cctx.n_hostaddrs < CLASSIFY_MAX_HOSTADDRS; i++) {
		c->cctx.hostaddrs[c->cctx.n_hostaddrs++] = a->hostaddrs[i];
		store_hostaddr_add(st, run_id, "", &a->hostaddrs[i]);
	}
	return run_id;
}

int collect_confine(const struct collect_loop *l, int live)
{
	int fds[SANDBOX_MAX_DENY_FDS];	/* sandbox_enter refuses more than it can shut */
	unsigned i, n = 0;
	char err[1024];

	if (live && privdrop_caps_clear(err, sizeof(err)) < 0) {
		util_log(LOG_LVL_ERR, "cannot drop every capability: %s", err);
		return -1;
	}
	for (i = 0; i < l->n_srcs && n < SANDBOX_MAX_DENY_FDS; i++)
		if (strcmp(l->srcs[i].kind, "pcap-file") != 0 && l->srcs[i].fd >= 0)
			fds[n++] = l->srcs[i].fd;
	if (sandbox_enter(fds, n, err, sizeof(err)) < 0) {
		util_log(LOG_LVL_ERR, "cannot enter the sandbox: %s", err);
		return -1;
	}
	return 0;
}
