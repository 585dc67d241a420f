/* This file implements `spoofaudit collect`: its options and the wiring of the run
 * (store, collector, sources, audit, privilege drop); the event loop is the collect
 * stage's (collect/loop.c), the audit and privilege start-up collect_start.c's. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify/hostinfo.h"
#include "cmd/cmd.h"
#include "cmd/collect_bsopt.h"
#include "cmd/collect_suspect.h"
#include "cmd/collect_start.h"
#include "cmd/collect_summary.h"
#include "cmd/collect_usage.h"
#include "collect/collector.h"
#include "collect/loop.h"
#include "common/prefix.h"
#include "common/util.h"
#include "policy/audit.h"
#include "sources/capture.h"
#include "sources/nflogsrc.h"
#include "store/store.h"

static int parse_role(const char *arg, struct collector_role *r)
{
	const char *eq = strchr(arg, '='), *colon;
	char role[32], list[2048], *tok, *save = NULL;
	size_t nlen;

	memset(r, 0, sizeof(*r));
	if (!eq || eq == arg || (size_t)(eq - arg) >= IF_NAMESIZE)
		return -1;
	nlen = (size_t)(eq - arg);
	memcpy(r->name, arg, nlen);
	memcpy(r->info.name, arg, nlen);
	colon = strchr(eq + 1, ':');
	if ((colon ? (size_t)(colon - eq - 1) : strlen(eq + 1)) >= sizeof(role))
		return -1;
	snprintf(role, sizeof(role), "%.*s", (int)(colon ? colon - eq - 1 : (long)strlen(eq + 1)),
		 eq + 1);
	if (classify_role_parse(role, &r->info.role) < 0)
		return -1;
	if (!colon)
		return 0;
	if (r->info.role != ROLE_INTERNAL || strlen(colon + 1) >= sizeof(list))
		return -1;
	snprintf(list, sizeof(list), "%s", colon + 1);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (r->info.n_prefixes >= CLASSIFY_MAX_PREFIXES ||
		    prefix_parse(tok, 0, &r->info.prefixes[r->info.n_prefixes]) < 0)
			return -1;
		r->info.n_prefixes++;
	}
	return 0;
}

/* Parses "5" or "5,6,7" into a->nflog_groups. */
static int parse_groups(const char *arg, struct collect_args *a)
{
	char buf[512], *tok, *save = NULL;
	uint64_t g;
	unsigned i;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (util_parse_u64(tok, 0, 65535, &g) < 0 || a->n_nflog >= MAX_NFLOG)
			return -1;
		for (i = 0; i < a->n_nflog; i++)
			if (a->nflog_groups[i] == g)
				return -1;
		a->nflog_groups[a->n_nflog++] = (uint16_t)g;
	}
	return a->n_nflog ? 0 : -1;
}

enum {
	OPT_DB = 256, OPT_ROLE, OPT_DURATION, OPT_COUNT, OPT_IFACE_NAME, OPT_PROMISC, OPT_BUFFER,
	OPT_HOSTADDR, OPT_BUCKET, OPT_MAXFLOWS, OPT_EVIDENCE, OPT_FLUSH, OPT_STATUS,
	OPT_NFLOG, OPT_NFL_RCVBUF, OPT_NFL_COPY, OPT_NFL_BUFSIZE, OPT_NFL_QTHRESH, OPT_NFL_TIMEOUT,
	OPT_USER, OPT_POLICY, OPT_POLICY6, OPT_ALERT, OPT_ALERT_REPEAT, OPT_ALERT_RATE,
	OPT_RULESET_POLL, OPT_NO_LIVE, OPT_POLICY_WINDOW, OPT_NOREPLY_N, OPT_NOREPLY_WAIT,
	OPT_MAX_DB_SIZE, OPT_BS_WARMUP, OPT_BS_IDLE, OPT_ROUTE, OPT_RPF,
	OPT_SUSPECT,		/* OPT_SUSPECT + enum suspect_opt: collect_suspect.c */
	OPT_SUSPECT_END = OPT_SUSPECT + SUSPECT_NOPTS - 1,
};

static const struct option long_opts[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "read", required_argument, NULL, 'r' },
	{ "filter", required_argument, NULL, 'f' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "db", required_argument, NULL, OPT_DB },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "iface-name", required_argument, NULL, OPT_IFACE_NAME },
	{ "promisc", no_argument, NULL, OPT_PROMISC },
	{ "buffer", required_argument, NULL, OPT_BUFFER },
	{ "host-addr", required_argument, NULL, OPT_HOSTADDR },
	{ "backscatter-warmup", required_argument, NULL, OPT_BS_WARMUP },
	{ "backscatter-idle", required_argument, NULL, OPT_BS_IDLE },
	{ "hop-tolerance", required_argument, NULL, OPT_SUSPECT + SUSPECT_HOP_TOLERANCE },
	{ "flood-window", required_argument, NULL, OPT_SUSPECT + SUSPECT_FLOOD_WINDOW },
	{ "flood-sources", required_argument, NULL, OPT_SUSPECT + SUSPECT_FLOOD_SOURCES },
	{ "flood-band", required_argument, NULL, OPT_SUSPECT + SUSPECT_FLOOD_BAND },
	{ "flood-band-pct", required_argument, NULL, OPT_SUSPECT + SUSPECT_FLOOD_BAND_PCT },
	{ "bucket", required_argument, NULL, OPT_BUCKET },
	{ "max-flows", required_argument, NULL, OPT_MAXFLOWS },
	{ "evidence", required_argument, NULL, OPT_EVIDENCE },
	{ "flush-interval", required_argument, NULL, OPT_FLUSH },
	{ "status-interval", required_argument, NULL, OPT_STATUS },
	{ "nflog", required_argument, NULL, OPT_NFLOG },
	{ "nflog-rcvbuf", required_argument, NULL, OPT_NFL_RCVBUF },
	{ "nflog-copy", required_argument, NULL, OPT_NFL_COPY },
	{ "nflog-bufsize", required_argument, NULL, OPT_NFL_BUFSIZE },
	{ "nflog-qthresh", required_argument, NULL, OPT_NFL_QTHRESH },
	{ "nflog-timeout", required_argument, NULL, OPT_NFL_TIMEOUT },
	{ "user", required_argument, NULL, OPT_USER },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "policy6", required_argument, NULL, OPT_POLICY6 },
	{ "alert", required_argument, NULL, OPT_ALERT },
	{ "alert-repeat", required_argument, NULL, OPT_ALERT_REPEAT },
	{ "alert-rate", required_argument, NULL, OPT_ALERT_RATE },
	{ "ruleset-poll", required_argument, NULL, OPT_RULESET_POLL },
	{ "no-live-ruleset", no_argument, NULL, OPT_NO_LIVE },
	{ "policy-window", required_argument, NULL, OPT_POLICY_WINDOW },
	{ "noreply-attempts", required_argument, NULL, OPT_NOREPLY_N },
	{ "noreply-wait", required_argument, NULL, OPT_NOREPLY_WAIT },
	{ "max-db-size", required_argument, NULL, OPT_MAX_DB_SIZE },
	{ "route", required_argument, NULL, OPT_ROUTE }, { "rpf", required_argument, NULL, OPT_RPF },
	{ NULL, 0, NULL, 0 },
};


#define BAD(...) do { fprintf(stderr, "spoofaudit collect: " __VA_ARGS__); \
		      fputs("\n(see 'spoofaudit collect --help')\n", stderr); return 2; } while (0)


/* Parses SIZE: bytes, or KiB/MiB/GiB with a suffix K, M or G, from 4 KiB to 1024 GiB.
 * Returns 0 or -1. */
static int parse_size(const char *arg, uint64_t *out)
{
	char num[32];
	size_t n = strlen(arg);
	unsigned shift = 0;
	uint64_t v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, arg, n + 1);
	switch (num[n - 1]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	default: break;
	}
	if (shift)
		num[n - 1] = '\0';
	if (util_parse_u64(num, 1, (1ull << 40) >> shift, &v) < 0)
		return -1;
	v <<= shift;
	if (v < 4096)
		return -1;
	*out = v;
	return 0;
}

/* The storage and run-control tuning options. Returns 0, 2 after printing why the value is
 * bad, or -2: not one of them. */
static int parse_storage_opt(int opt, struct collect_args *a)
{
	uint64_t v;

	if (opt >= OPT_SUSPECT && opt <= OPT_SUSPECT_END)
		return collect_suspect_opt(&a->copt, (enum suspect_opt)(opt - OPT_SUSPECT), optarg);
	switch (opt) {
	case OPT_BS_WARMUP:
	case OPT_BS_IDLE:
		return collect_bs_opt(&a->copt.bs, opt == OPT_BS_IDLE, optarg);
	case OPT_DURATION:
		if (util_parse_u64(optarg, 1, 10ull * 365 * 86400, &a->duration_s) < 0)
			BAD("duration is not a positive number of seconds: `%s'", optarg);
		break;
	case OPT_COUNT:
		if (util_parse_u64(optarg, 1, UINT64_MAX, &a->count) < 0)
			BAD("count is not a positive number of packets: `%s'", optarg);
		break;
	case OPT_MAX_DB_SIZE:
		if (parse_size(optarg, &a->max_db_bytes) < 0)
			BAD("max-db-size is not 4K..1024G (bytes, or with a suffix K, M or G): `%s'",
			    optarg);
		break;
	case OPT_BUCKET:
		if (util_parse_u64(optarg, 1, 86400, &v) < 0)
			BAD("bucket is not 1..86400 seconds: `%s'", optarg);
		a->copt.bucket_seconds = (unsigned)v;
		break;
	case OPT_MAXFLOWS:
		if (util_parse_u64(optarg, 64, 100000000, &v) < 0)
			BAD("max-flows is not 64..100000000: `%s'", optarg);
		a->copt.max_flows = (size_t)v;
		break;
	case OPT_EVIDENCE:
		if (util_parse_u64(optarg, 0, 1000, &v) < 0)
			BAD("evidence is not 0..1000 packets: `%s'", optarg);
		a->copt.evidence_per_flow = (unsigned)v;
		break;
	case OPT_FLUSH:
		if (util_parse_u64(optarg, 1, 3600, &a->flush_interval_s) < 0)
			BAD("flush-interval is not 1..3600 seconds: `%s'", optarg);
		break;
	case OPT_STATUS:
		if (util_parse_u64(optarg, 1, 3600, &a->status_interval_s) < 0)
			BAD("status-interval is not 1..3600 seconds: `%s'", optarg);
		break;
	default:
		return -2;
	}
	return 0;
}

/* The NFLOG options. Returns 0, 2 after printing why the value is
 * bad, or -2: not one of them. */
static int parse_nflog_opt(int opt, struct collect_args *a)
{
	uint64_t v;

	switch (opt) {
	case OPT_NFLOG:
		if (parse_groups(optarg, a) < 0)
			BAD("--nflog is not a list of groups 0..65535: `%s'", optarg);
		break;
	case OPT_NFL_RCVBUF:
		if (util_parse_u64(optarg, 1, 1024, &v) < 0)
			BAD("nflog-rcvbuf is not 1..1024 MiB: `%s'", optarg);
		a->nfl.rcvbuf_bytes = (uint32_t)(v << 20);
		break;
	case OPT_NFL_COPY:
		if (util_parse_u64(optarg, 1, 65535, &v) < 0)
			BAD("nflog-copy is not 1..65535 bytes: `%s'", optarg);
		a->nfl.copy_range = (uint32_t)v;
		break;
	case OPT_NFL_BUFSIZE:
		if (util_parse_u64(optarg, 4096, 131072, &v) < 0)
			BAD("nflog-bufsize is not 4096..131072 bytes: `%s'", optarg);
		a->nfl.nlbufsiz = (uint32_t)v;
		break;
	case OPT_NFL_QTHRESH:
		if (util_parse_u64(optarg, 1, 65535, &v) < 0)
			BAD("nflog-qthresh is not 1..65535: `%s'", optarg);
		a->nfl.qthresh = (uint32_t)v;
		break;
	case OPT_NFL_TIMEOUT:
		if (util_parse_u64(optarg, 0, 6000, &v) < 0)
			BAD("nflog-timeout is not 0..6000 (1/100 s): `%s'", optarg);
		a->nfl.timeout_cs = (uint32_t)v;
		break;
	default:
		return -2;
	}
	return 0;
}

/* The policy audit options. Returns 0, 2 after printing why the value is
 * bad, or -2: not one of them. */
static int parse_audit_opt(int opt, struct collect_args *a)
{
	uint64_t v;

	switch (opt) {
	case OPT_POLICY:
	case OPT_POLICY6:
		if (!*optarg)
			BAD("--%s is empty", opt == OPT_POLICY ? "policy" : "policy6");
		a->aopt.policy[opt == OPT_POLICY6] = optarg;
		break;
	case OPT_ALERT:
		if (alert_parse(optarg, &a->aopt.alert) < 0)
			BAD("--alert is not syslog, stderr or json: `%s'", optarg);
		break;
	case OPT_ALERT_REPEAT:
		if (util_parse_u64(optarg, 1, 86400, &v) < 0)
			BAD("alert-repeat is not 1..86400 seconds: `%s'", optarg);
		a->aopt.repeat_s = (unsigned)v;
		break;
	case OPT_ALERT_RATE:
		if (util_parse_u64(optarg, 1, 100000, &v) < 0)
			BAD("alert-rate is not 1..100000 lines a second: `%s'", optarg);
		a->aopt.lines_per_s = (unsigned)v;
		break;
	case OPT_RULESET_POLL:
		if (util_parse_u64(optarg, 0, 86400, &a->ruleset_poll_s) < 0)
			BAD("ruleset-poll is not 0..86400 seconds: `%s'", optarg);
		break;
	case OPT_NO_LIVE:
		a->live_ruleset = 0;
		break;
	case OPT_POLICY_WINDOW:
		if (util_parse_u64(optarg, 0, 400ull * 86400, &v) < 0)
			BAD("policy-window is not 0..34560000 seconds: `%s'", optarg);
		a->aopt.window_s = (unsigned)v;
		break;
	case OPT_NOREPLY_N:
		if (util_parse_u64(optarg, 1, 1000000, &v) < 0)
			BAD("noreply-attempts is not 1..1000000: `%s'", optarg);
		a->aopt.noreply_attempts = (unsigned)v;
		break;
	case OPT_NOREPLY_WAIT:
		if (util_parse_u64(optarg, 1, 3600, &v) < 0)
			BAD("noreply-wait is not 1..3600 seconds: `%s'", optarg);
		a->aopt.noreply_wait_s = (unsigned)v;
		break;
	default:
		return -2;
	}
	return 0;
}

/* A filter that does not compile is bad usage, not a runtime error. Returns 0 or 2. */
static int check_filter(const struct collect_args *a)
{
	pcap_t *dead;
	struct bpf_program prog;
	int bad;

	if (!a->bpf)
		return 0;
	dead = pcap_open_dead(DLT_EN10MB, (int)a->snaplen);
	bad = !dead || pcap_compile(dead, &prog, a->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0;
	if (!bad)
		pcap_freecode(&prog);
	if (bad)
		fprintf(stderr, "spoofaudit collect: bad filter `%s': %s\n", a->bpf,
			dead ? pcap_geterr(dead) : "out of memory");
	if (dead)
		pcap_close(dead);
	return bad ? 2 : 0;
}

/* Returns 0, 2 for bad usage, or -1 after --help (exit 0). */
static int parse_args(int argc, char **argv, struct collect_args *a)
{
	int opt, rc;

	memset(a, 0, sizeof(*a));
	collector_opts_default(&a->copt);
	a->db = "spoofaudit.db";
	a->snaplen = 262144;
	a->flush_interval_s = 5;
	a->status_interval_s = 5;
	a->buffer_mib = 4;
	nfl_opts_default(&a->nfl);
	audit_opts_default(&a->aopt);
	a->live_ruleset = 1;
	a->ruleset_poll_s = 10;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "i:r:f:s:qh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (a->n_ifaces >= MAX_LIVE)
				BAD("too many -i interfaces (at most %d)", MAX_LIVE);
			if (strlen(optarg) == 0 || strlen(optarg) >= IF_NAMESIZE)
				BAD("bad interface name `%s'", optarg);
			a->ifaces[a->n_ifaces++] = optarg;
			break;
		case 'r':
			if (a->n_files >= MAX_FILES)
				BAD("too many -r files (at most %d)", MAX_FILES);
			a->files[a->n_files++] = optarg;
			break;
		case 'f':
			a->bpf = optarg;
			break;
		case 's':
			if (util_parse_u64(optarg, 64, 262144, &a->snaplen) < 0)
				BAD("snaplen is not 64..262144: `%s'", optarg);
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'h':
			collect_usage(stdout);
			return -1;
		case OPT_DB:
			a->db = optarg;
			break;
		case OPT_ROLE:
			if (a->n_roles >= COLLECTOR_MAX_ROLES)
				BAD("too many --role options");
			if (parse_role(optarg, &a->roles[a->n_roles]) < 0)
				BAD("--role is not IFACE=loopback|external|internal[:PREFIX,...]: `%s'",
				    optarg);
			a->n_roles++;
			break;
		case OPT_IFACE_NAME:
			if (strlen(optarg) == 0 || strlen(optarg) >= IF_NAMESIZE)
				BAD("bad interface name `%s'", optarg);
			a->file_iface = optarg;
			break;
		case OPT_PROMISC:
			a->promisc = 1;
			break;
		case OPT_BUFFER:
			if (util_parse_u64(optarg, 1, 2048, &a->buffer_mib) < 0)
				BAD("buffer is not 1..2048 MiB: `%s'", optarg);
			break;
		case OPT_HOSTADDR:
			if (a->n_hostaddrs >= 64 ||
			    prefix_parse(optarg, 0, &a->hostaddrs[a->n_hostaddrs]) < 0 ||
			    a->hostaddrs[a->n_hostaddrs].plen != (a->hostaddrs[a->n_hostaddrs].family == 4 ? 32 : 128))
				BAD("--host-addr is not an IPv4 or IPv6 address: `%s'", optarg);
			a->n_hostaddrs++;
			break;
		case OPT_ROUTE: case OPT_RPF:
			if (collect_rpf_opt(&a->rpf, opt == OPT_ROUTE, optarg) < 0)
				BAD("bad --%s `%s'", opt == OPT_ROUTE ? "route" : "rpf", optarg);
			break;
		case OPT_USER:
			if (!*optarg)
				BAD("--user is empty");
			a->user = optarg;
			break;
		default:
			rc = parse_storage_opt(opt, a);
			if (rc == -2)
				rc = parse_nflog_opt(opt, a);
			if (rc == -2)
				rc = parse_audit_opt(opt, a);
			if (rc == -2) {
				fputs("(see 'spoofaudit collect --help')\n", stderr);
				return 2;
			}
			if (rc)
				return rc;
		}
	}
	if (optind < argc)
		BAD("unexpected argument `%s'", argv[optind]);
	return check_filter(a);
}


/* Live: every interface of the host (so that NFLOG in/out devices resolve with their
 * kernel roles), the handles, the sockets, the audit, and only then the privilege drop
 * and the loop. Files need no privilege: drop only when asked to (files the user cannot
 * read then fail with their name). Returns 0 or -1 (logged). */
static int run(const struct collect_args *a, struct collect_loop *l, struct collect_audit *ca,
	       const struct hostinfo *hi, const char *const *live, unsigned n_live,
	       struct store *st, int64_t run_id)
{
	struct capture_live_opts lo = { (int)a->snaplen, a->promisc, (int)(a->buffer_mib << 20),
					a->bpf, PCAP_D_IN };
	unsigned i;
	int rc;

	if (n_live || a->n_nflog) {
		for (i = 0; i < hi->n_ifaces; i++) {
			struct iface_info info;

			loop_live_iface_info(&hi->ifaces[i], hi->ifaces[i].name, &info);
			collector_iface_add(l->c, &info, "kernel");
		}
		rc = loop_open_live(l, live, n_live, hi, &lo);
		if (rc == 0)
			rc = loop_open_nflog(l, a->nflog_groups, a->n_nflog, &a->nfl);
		if (rc == 0)
			rc = collect_audit_start(ca, &a->aopt, l->c, st, run_id, 1, a->live_ruleset);
		/* a failed flush is retried by the loop; it must not skip the drop */
		if (rc == 0) {
			(void)collector_flush(l->c, 0);
			rc = collect_drop_privileges(a->user, a->db);
		}
		if (rc == 0)
			rc = collect_confine(l, 1);
		if (rc == 0)
			rc = loop_run_live(l);
		return rc;
	}
	rc = a->user ? collect_drop_privileges(a->user, a->db) : 0;
	if (rc == 0)
		rc = collect_audit_start(ca, &a->aopt, l->c, st, run_id, 0, a->live_ruleset);
	if (rc == 0)
		rc = collect_confine(l, 0);
	if (rc == 0)
		rc = loop_run_files(l, a->files, a->n_files, a->bpf, a->file_iface);
	return rc;
}

int cmd_collect(int argc, char **argv)
{
	struct collect_args *a = calloc(1, sizeof(*a));
	struct collector *c = calloc(1, sizeof(*c));
	struct hostinfo *hi = calloc(1, sizeof(*hi));
	struct store *st = NULL;
	struct collect_loop l;
	struct collect_audit ca;
	struct collect_rpf rp = { 0 };
	struct loop_opts lopt;
	const char *live[MAX_LIVE];
	char err[1024];
	int64_t run_id;
	int ret = 1, rc, n_live;

	memset(&l, 0, sizeof(l));
	collect_audit_clear(&ca);
	if (!a || !c || !hi) {
		util_log(LOG_LVL_ERR, "out of memory");
		goto out;
	}
	rc = parse_args(argc, argv, a);
	if (rc) {
		ret = rc < 0 ? 0 : rc;
		goto out;
	}
	if (hostinfo_read(hi) < 0)
		util_log(LOG_LVL_WARN, "cannot read the host's interfaces: %s", strerror(errno));
	if (a->n_files && (a->n_ifaces || a->n_nflog)) {
		fprintf(stderr, "spoofaudit collect: -r reads files; it cannot be combined with -i "
			"or --nflog in one run\n(see 'spoofaudit collect --help')\n");
		ret = 2;
		goto out;
	}
	n_live = collect_live_list(a, hi, live);
	if (n_live < 0 || collect_probe_files(a) < 0 || collect_probe_policy(a) < 0 ||
	    collect_probe_user(a->user) < 0 || collect_probe_live(a, live, (unsigned)n_live) < 0)
		goto out;
	if (collect_prepare_owner(a->user, a->db) < 0)
		goto out;
	st = store_open(a->db, STORE_OPEN_CREATE, err, sizeof(err));
	if (!st) {
		util_log(LOG_LVL_ERR, "%s", err);
		goto out;
	}
	run_id = collect_begin_run(a, argc, argv, st, c, hi, n_live || a->n_nflog);
	if (run_id < 0 || collect_rpf_start(&rp, &a->rpf, c, n_live || a->n_nflog) < 0)
		goto out;
	memset(&lopt, 0, sizeof(lopt));
	lopt.duration_s = a->duration_s;
	lopt.count = a->count;
	lopt.flush_interval_s = a->flush_interval_s;
	lopt.status_interval_s = a->status_interval_s;
	lopt.quiet = a->quiet;
	if (loop_init(&l, c, &lopt) < 0) {
		util_log(LOG_LVL_ERR, "out of memory");
		goto out;
	}
	l.work = collect_rpf_work;
	l.work_arg = &rp;
	rp.next_work = collect_audit_work;
	rp.next_arg = &ca;
	ca.ruleset_poll_s = a->ruleset_poll_s;
	loop_signals_install();

	if (a->max_db_bytes && loop_db_limit(&l, a->max_db_bytes) < 0) {
		util_log(LOG_LVL_ERR, "%s: cannot set --max-db-size: %s", a->db, store_errmsg(st));
		goto out;
	}
	rc = run(a, &l, &ca, hi, live, (unsigned)n_live, st, run_id);
	/* a run that failed before it saw a packet writes no interface or source rows */
	if ((rc == 0 || c->tot.packets || c->tot.nflog_copies) && loop_tick(&l, 1) < 0) {
		util_log(LOG_LVL_ERR, "%s: final write failed, data not recorded: %s", a->db, c->err);
		collector_abandon(c);
		rc = -1;
	}
	if (n_live || a->n_nflog)
		collect_record_kernel_counters(st, run_id, 1);
	store_run_end(st, run_id, util_now_usec());
	if (!a->quiet) {
		collect_summary(c, a->db);
		collect_rpf_summary(&rp);
	}
	if (ca.au && !a->quiet)
		audit_summary(ca.au, stderr);
	if (collect_report_lost(c))
		rc = -1;
	ret = rc < 0 ? 1 : 0;
out:
	collect_audit_stop(&ca);
	collect_rpf_stop(&rp);
	loop_free(&l);
	collector_free(c);
	store_close(st);
	free(hi);
	free(c);
	free(a);
	return ret;
}
