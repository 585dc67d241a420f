/* This file declares the start-up of `spoofaudit collect` that needs more than the
 * collect stage: the live policy audit (its start, its periodic work in the event loop)
 * and the privilege drop, plus the run's beginning in the store and the kernel context
 * recorded with a live run; and the options they read. */
#ifndef SPOOFAUDIT_COLLECT_START_H
#define SPOOFAUDIT_COLLECT_START_H

#include <stdint.h>
#include "classify/hostinfo.h"
#include "cmd/collect_rpf.h"
#include "collect/collector.h"
#include "collect/loop.h"
#include "common/prefix.h"
#include "sources/nflogsrc.h"
#include "policy/audit.h"
#include "policy/rulesrc.h"
#include "store/store.h"

#define MAX_LIVE LOOP_MAX_LIVE
#define MAX_FILES 1024
#define MAX_NFLOG LOOP_MAX_NFLOG

/* The options of a collect run (cmd_collect.c parses them). */
struct collect_args {
	const char *ifaces[MAX_LIVE];
	unsigned n_ifaces;
	const char *files[MAX_FILES];
	unsigned n_files;
	const char *file_iface;			/* --iface-name */
	const char *bpf;
	const char *db;
	uint64_t duration_s, count;
	uint64_t snaplen;
	uint64_t flush_interval_s;
	uint64_t status_interval_s;
	int promisc, quiet;
	uint64_t buffer_mib;
	struct collector_opts copt;
	struct collector_role roles[COLLECTOR_MAX_ROLES];
	unsigned n_roles;
	struct prefix hostaddrs[64];
	unsigned n_hostaddrs;
	uint16_t nflog_groups[MAX_NFLOG];
	unsigned n_nflog;
	struct nfl_opts nfl;
	const char *user;			/* --user */
	struct audit_opts aopt;			/* --policy and friends */
	int live_ruleset;			/* read the kernel's ruleset (default 1) */
	uint64_t ruleset_poll_s;		/* re-read it this often; 0: only at start */
	uint64_t max_db_bytes;			/* --max-db-size; 0: none */
	struct collect_rpf_args rpf;		/* --route, --rpf */
};

/* The interfaces to capture live: -i, or with neither -i, -r nor --nflog every interface
 * that is up. Returns their number, or -1 (logged) when none is up. */
int collect_live_list(const struct collect_args *a, const struct hostinfo *hi,
		      const char **live);

/* Refuses unreadable capture files before the database is touched. 0 or -1 (logged). */
int collect_probe_files(const struct collect_args *a);

/* Opens and closes every live interface and NFLOG group of the run, so that one that
 * does not exist, or needs a privilege the process lacks, fails the run before the
 * database is created or touched. 0 or -1 (logged, naming what is missing). */
int collect_probe_live(const struct collect_args *a, const char *const *live, unsigned n);

/* Checks that --user (user, may be NULL) names a user this process can become, before
 * the database is created or touched. 0 or -1 (logged). */
int collect_probe_user(const char *user);

/* Loads the --policy/--policy6 files once, so that one that cannot be read or parsed
 * fails the run before the database is created or touched. 0 or -1 (logged). */
int collect_probe_policy(const struct collect_args *a);

/* Begins the run in the store and prepares the collector with the roles and the host's
 * addresses (live: the kernel's, with a short busy timeout). Returns the run id, or -1
 * (logged). */
int64_t collect_begin_run(const struct collect_args *a, int argc, char **argv,
			  struct store *st, struct collector *c, const struct hostinfo *hi,
			  int live);

/* The live policy audit of a run: NULL au without --policy. */
struct collect_audit {
	struct audit *au;
	struct rulesrc rsrc;		/* the live ruleset reader (rsrc.fd -1: none) */
	uint64_t last_rules_poll;
	uint64_t ruleset_poll_s;	/* re-read the live ruleset this often; 0: at start */
};

/* Sets *ca to "no audit" (call before anything that may fail). */
void collect_audit_clear(struct collect_audit *ca);

/* Loads the intended policy and, for live capture (live and live_ruleset), starts the
 * privileged ruleset reader (before the privilege drop: iptables-save needs
 * CAP_NET_ADMIN) and reads the live ruleset once. Returns 0, or -1 after logging why. */
int collect_audit_start(struct collect_audit *ca, const struct audit_opts *o,
			struct collector *c, struct store *st, int64_t run_id, int live,
			int live_ruleset);

/* The audit's periodic work (a loop_work_fn; arg is the collect_audit): SIGHUP, the live
 * ruleset poll, rate-limit summaries. */
void collect_audit_work(void *arg);

/* Stops the ruleset reader and frees the audit. */
void collect_audit_stop(struct collect_audit *ca);

/* Drops root as --user (user, may be NULL) says; db's directory is made writable for
 * the user. Returns 0, or -1 after logging why. */
int collect_drop_privileges(const char *user, const char *db);
/* Whether collect_drop_privileges will drop to another user (1, with its uid and gid) or
 * not (0: not root, --user root, or no such user: the drop reports that). */
int collect_drop_target(const char *user, uid_t *uid, gid_t *gid);
/* Before the database is opened: hands the database file (created when absent) and its
 * WAL files to the user the collector will drop to (store_chown_files). Prints errors. */
int collect_prepare_owner(const char *user, const char *db);

/* After the drop: no capability left in any set (live capture: whatever the start), then
 * the seccomp sandbox, with every live packet and NFLOG socket of l shut for sending.
 * Returns 0, or -1 after logging why (the run must stop). */
/* Records the kernel's drop counters (classify/kcounters.h) at the run's start or end. */
void collect_record_kernel_counters(struct store *st, int64_t run_id, int at_end);

int collect_confine(const struct collect_loop *l, int live);

/* Records the kernel's martian-related sysctls for `all' and each interface, and the
 * host's addresses. */
void collect_record_kernel_ctx(struct store *st, int64_t run_id, const struct hostinfo *hi);

#endif
