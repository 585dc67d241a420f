/* This file implements `spoofaudit collect`: options, sources (live interfaces and
 * capture files), the event loop, periodic flushing and the status line. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/audit.h"
#include "sources/capture.h"
#include "cmd/cmd.h"
#include "collect/collector.h"
#include "sources/decode.h"
#include "classify/hostinfo.h"
#include "sources/nflogsrc.h"
#include "collect/privdrop.h"
#include "collect/sandbox.h"
#include "policy/rulesrc.h"
#include "common/prefix.h"
#include "store/store.h"
#include "common/util.h"

#define MAX_LIVE 64
#define MAX_FILES 1024
#define MAX_NFLOG 32

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

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
};

/* What the pcap callback needs. */
struct loop_ctx {
	struct collector *c;
	unsigned src;
	int linktype;
	pcap_t *p;
	const struct collect_args *a;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: spoofaudit collect [-i IFACE]... [-r FILE]... [-f BPF] [--db PATH]\n"
"                          [--role IFACE=ROLE[:PREFIX,...]]... [--duration SECONDS]\n"
"                          [--count PACKETS] [-s SNAPLEN] [options]\n"
"\n"
"Captures packets, classifies what cannot be real (loopback sources and destinations on\n"
"other interfaces, the host's own address from outside, special-purpose sources an\n"
"interface cannot receive), inventories loopback flows, and stores per-flow records,\n"
"evidence packets and capture statistics in an SQLite database.\n"
"\n"
"Sources (with neither -i nor -r: every interface that is up, lo included):\n"
"  -i, --interface IFACE   capture live on IFACE (repeatable; one handle each)\n"
"  -r, --read FILE         read a pcap or pcapng file (repeatable)\n"
"      --iface-name NAME   interface name for -r files that name none themselves (a\n"
"                          pcapng if_name, or per packet an SLL2 ifindex); default: the\n"
"                          file's base name\n"
"  -f, --filter BPF        capture filter for every source\n"
"  -s, --snaplen BYTES     live snapshot length (default 262144)\n"
"      --promisc           put live interfaces in promiscuous mode (default: off)\n"
"      --buffer MIB        kernel capture buffer per handle (default 4; live capture\n"
"                          opens one handle per direction on each interface)\n"
"\n"
"NFLOG (libnetfilter_log; in the same process and event loop as pcap):\n"
"      --nflog GROUP[,GROUP...]  read these NFLOG groups (repeatable). With --nflog and\n"
"                          no -i, no interface is captured with pcap. A packet that pcap\n"
"                          and an NFLOG rule both see is counted once (by pcap); the\n"
"                          flow records which rule prefixes logged it.\n"
"      --nflog-rcvbuf MIB  netlink receive buffer per group (default 32)\n"
"      --nflog-copy BYTES  bytes of each packet the kernel copies (default 65535)\n"
"      --nflog-bufsize BYTES  kernel batching buffer per group (default 65536)\n"
"      --nflog-qthresh N   packets per kernel batch (default 128)\n"
"      --nflog-timeout CS  batch flush timeout in 1/100 s (default 5)\n"
"\n"
"Policy audit (each new flow evaluated as it appears, as `check' would):\n"
"      --policy FILE       the intended IPv4 policy (iptables-save text). Violations:\n"
"                          spoofed flows it accepts, loopback flows it drops, replies\n"
"                          leaving for flows it drops, NFLOG drop prefixes logging flows\n"
"                          it accepts, unanswered attempts at services that answer on lo\n"
"                          (weak), and the live kernel ruleset differing from it\n"
"      --policy6 FILE      the intended IPv6 policy (ip6tables-save text)\n"
"      --alert MODE        syslog, stderr or json (JSON lines on stdout). Default:\n"
"                          syslog under systemd (JOURNAL_STREAM set) or when stderr is\n"
"                          not a terminal, else stderr\n"
"      --alert-repeat S    one line per violation per S seconds, then a count (default 60)\n"
"      --alert-rate N      at most N lines a second over all violations, bursts of 10 N\n"
"                          (default 10); every occurrence is counted in the database\n"
"      --ruleset-poll S    read the live ruleset (iptables-save, ip6tables-save, through\n"
"                          a helper that keeps root) every S seconds (default 10; 0: only\n"
"                          at start)\n"
"      --no-live-ruleset   do not read the live ruleset\n"
"      --policy-window S   when the live ruleset differs, check the flows recorded in the\n"
"                          last S seconds against both (default 3600)\n"
"      --noreply-attempts N, --noreply-wait S  unanswered: N packets, S seconds (3, 5)\n"
"                          SIGHUP re-reads the policy files and reports what changed.\n"
"\n"
"Privileges:\n"
"      --user NAME         after every capture, NFLOG socket and the database are open,\n"
"                          become NAME for good (setgroups, setresgid, setresuid,\n"
"                          no_new_privs). As root without --user: the user `spoofaudit' if\n"
"                          it exists, else the run stays root with a warning. `--user\n"
"                          root' keeps root on purpose. The database's directory must be\n"
"                          writable by NAME (SQLite keeps its WAL files there).\n"
"\n"
"Classification:\n"
"  --role IFACE=ROLE[:PREFIX,...]  loopback, external, or internal with the source\n"
"                          prefixes it may receive (repeatable). Live defaults: the\n"
"                          interface with the default route is external, others internal\n"
"                          with their connected and routed prefixes, IFF_LOOPBACK loopback.\n"
"                          Files: loopback for loopback link types, else external.\n"
"  --host-addr ADDR        an address of the capturing host, for files (repeatable;\n"
"                          live runs read the host's addresses themselves)\n"
"\n"
"Storage:\n"
"  --db PATH               database file (default ./spoofaudit.db)\n"
"  --bucket SECONDS        flow time bucket, 1..86400 (default 3600)\n"
"  --max-flows N           flow table cap in memory (default 200000)\n"
"  --evidence N            evidence packets kept per spoofed flow (default 8)\n"
"  --flush-interval SECS   write flows and statistics at least this often (default 5)\n"
"\n"
"Run control:\n"
"  --duration SECONDS      stop after this long\n"
"  --count PACKETS         stop after this many packets\n"
"  -q, --quiet             no status line or summary\n"
"      --status-interval S seconds between status lines (default 5)\n"
"  -h, --help              this text\n"
"\n"
"SIGINT and SIGTERM write everything out and exit 0. Exit status: 0 success, 1 runtime\n"
"error (a source or the database failed), 2 bad usage.\n");
}

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
	{ NULL, 0, NULL, 0 },
};

#define BAD(...) do { fprintf(stderr, "spoofaudit collect: " __VA_ARGS__); \
		      fputs("\n(see 'spoofaudit collect --help')\n", stderr); return 2; } while (0)

/* Returns 0, 2 for bad usage, or -1 after --help (exit 0). */
static int parse_args(int argc, char **argv, struct collect_args *a)
{
	uint64_t v;
	int opt;

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
			usage(stdout);
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
		case OPT_DURATION:
			if (util_parse_u64(optarg, 1, 10ull * 365 * 86400, &a->duration_s) < 0)
				BAD("duration is not a positive number of seconds: `%s'", optarg);
			break;
		case OPT_COUNT:
			if (util_parse_u64(optarg, 1, UINT64_MAX, &a->count) < 0)
				BAD("count is not a positive number of packets: `%s'", optarg);
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
		case OPT_USER:
			if (!*optarg)
				BAD("--user is empty");
			a->user = optarg;
			break;
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
			fputs("(see 'spoofaudit collect --help')\n", stderr);
			return 2;
		}
	}
	if (optind < argc)
		BAD("unexpected argument `%s'", argv[optind]);
	if (a->bpf) {	/* a filter that does not compile is bad usage, not a runtime error */
		pcap_t *dead = pcap_open_dead(DLT_EN10MB, (int)a->snaplen);
		struct bpf_program prog;
		int bad = !dead || pcap_compile(dead, &prog, a->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0;

		if (!bad)
			pcap_freecode(&prog);
		if (bad) {
			fprintf(stderr, "spoofaudit collect: bad filter `%s': %s\n", a->bpf,
				dead ? pcap_geterr(dead) : "out of memory");
			if (dead)
				pcap_close(dead);
			return 2;
		}
		pcap_close(dead);
	}
	return 0;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct loop_ctx *lc = (struct loop_ctx *)(void *)user;
	uint32_t caplen = h->caplen;

	/* libpcap bounds caplen by the snapshot length already; never trust more than that. */
	if (caplen > 262144)
		caplen = 262144;
	collector_packet(lc->c, lc->src, lc->linktype,
			 (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec,
			 bytes, caplen, h->len);
	if (lc->a->count && lc->c->tot.packets >= lc->a->count) {
		stop_requested = 1;
		pcap_breakloop(lc->p);
	}
}

/* Records the kernel's martian-related sysctls for `all` and each interface. */
static void record_kernel_ctx(struct store *st, int64_t run_id, const struct hostinfo *hi)
{
	unsigned i, k;
	char val[64];

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

/* The default role of a live interface, from the kernel's view of it. */
static void live_iface_info(const struct hostinfo_iface *hif, const char *name,
			    struct iface_info *info)
{
	unsigned i;

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", name);
	if (!hif) {
		info->role = ROLE_EXTERNAL;
		return;
	}
	info->ifindex = hif->ifindex;
	if (hif->is_loopback) {
		info->role = ROLE_LOOPBACK;
	} else if (hif->has_default_route) {
		info->role = ROLE_EXTERNAL;
	} else {
		info->role = ROLE_INTERNAL;
		for (i = 0; i < hif->n_routes && i < CLASSIFY_MAX_PREFIXES; i++)
			info->prefixes[info->n_prefixes++] = hif->routes[i];
	}
}

static void status_line(const struct collector *c, uint64_t elapsed_usec, uint64_t prev_pkts,
			uint64_t interval_usec)
{
	double pps = interval_usec ? (double)(c->tot.packets - prev_pkts) * 1e6 / (double)interval_usec : 0;

	fprintf(stderr, "collect: %.0fs %llu pkts %.0f pps, %llu spoofed, %llu loopback, "
		"%llu drops, %zu flows in memory\n", (double)elapsed_usec / 1e6,
		(unsigned long long)c->tot.packets, pps, (unsigned long long)c->tot.spoofed,
		(unsigned long long)c->tot.loopback, (unsigned long long)c->tot.drops,
		flowtab_count(c->ft));
}

static void summary(const struct collector *c, const char *db)
{
	unsigned i;

	fprintf(stderr, "collect: %llu packets (%llu IP, %llu not IP, %llu unsupported link type, "
		"%llu malformed), %llu kernel/interface drops -> %s\n",
		(unsigned long long)c->tot.packets, (unsigned long long)c->tot.decoded,
		(unsigned long long)c->tot.not_ip, (unsigned long long)c->tot.unsupported,
		(unsigned long long)c->tot.malformed, (unsigned long long)c->tot.drops, db);
	for (i = 0; i < CLS_COUNT; i++)
		if (c->tot.class_packets[i])
			fprintf(stderr, "  %-20s %llu\n", classify_class_name((enum spoof_class)i),
				(unsigned long long)c->tot.class_packets[i]);
	if (c->tot.lost_db || c->tot.evidence_dropped)
		fprintf(stderr, "collect: NOT RECORDED: %llu packets, %llu evidence packets "
			"(database failing)\n", (unsigned long long)c->tot.lost_db,
			(unsigned long long)c->tot.evidence_dropped);
}

struct run_state {
	struct collector *c;
	const struct collect_args *a;
	uint64_t start_mono, last_flush, last_status, status_pkts;
	struct capture *caps;		/* live captures, index = source index */
	unsigned n_caps;
	struct nfl_source nfl[MAX_NFLOG];	/* NFLOG groups, source index n_caps + j */
	unsigned n_nfl;
	uint64_t nfl_last[MAX_NFLOG][3];	/* messages, enobufs, gaps at the last stats */
	struct loop_ctx lcs[MAX_LIVE];
	int flush_failed;
	struct audit *au;		/* --policy, or NULL */
	struct rulesrc rsrc;		/* the live ruleset reader (rsrc.fd -1: none) */
	uint64_t last_rules_poll;
};

/* Hands a reply of the live ruleset reader to the audit. */
static void live_rules(struct run_state *rs, struct rulesrc_reply *x)
{
	int f;

	audit_refresh_host(rs->au);
	for (f = 0; f < 2; f++) {
		char note[200] = "";

		if (x->both[f])
			snprintf(note, sizeof(note), "both nft and legacy %s tables hold rules; comparing "
				 "the nft ones (iptables-nft-save)", f ? "ip6tables" : "iptables");
		else if (x->legacy[f])
			snprintf(note, sizeof(note), "the live %s ruleset is iptables-legacy's",
				 f ? "IPv6" : "IPv4");
		if (x->status[f] == RULESRC_OK)
			audit_set_live(rs->au, f ? 6 : 4, x->text[f], x->len[f], note);
		else
			audit_set_live(rs->au, f ? 6 : 4, NULL, 0, x->text[f]);
	}
}

/* The audit's periodic work: SIGHUP, the live ruleset poll, rate-limit summaries. */
static void audit_work(struct run_state *rs)
{
	struct rulesrc_reply x;
	char err[1024];
	int rc;

	if (!rs->au)
		return;
	if (reload_requested) {
		reload_requested = 0;
		if (audit_reload(rs->au, err, sizeof(err)) < 0)
			util_log(LOG_LVL_ERR, "SIGHUP: policy not reloaded, the old one stays: %s", err);
	}
	if (rs->rsrc.fd >= 0) {
		uint64_t now = util_mono_usec();

		if (rs->a->ruleset_poll_s &&
		    now - rs->last_rules_poll >= rs->a->ruleset_poll_s * 1000000u) {
			rs->last_rules_poll = now;
			if (rulesrc_request(&rs->rsrc) < 0) {
				util_log(LOG_LVL_ERR, "the live ruleset reader is gone; the live ruleset "
					 "is no longer compared");
				rulesrc_stop(&rs->rsrc);
			}
		}
		rc = rs->rsrc.fd >= 0 ? rulesrc_poll(&rs->rsrc, &x) : 0;
		if (rc == 1) {
			live_rules(rs, &x);
			rulesrc_reply_free(&x);
		} else if (rc < 0) {
			util_log(LOG_LVL_ERR, "the live ruleset reader failed; the live ruleset is no "
				 "longer compared");
			rulesrc_stop(&rs->rsrc);
		}
	}
	audit_tick(rs->au, util_now_usec());
}

/* Periodic work: statistics, flush, status line. Returns 0 or -1 (flush failed). */
static int tick(struct run_state *rs, int force)
{
	uint64_t now = util_mono_usec();
	unsigned i;
	int ret = 0;

	if (force || now - rs->last_flush >= rs->a->flush_interval_s * 1000000u) {
		for (i = 0; i < rs->n_caps; i++) {
			uint64_t r, d, ifd;

			if (!rs->caps[i].p || rs->caps[i].is_file)
				continue;
			if (capture_stats(&rs->caps[i], &r, &d, &ifd) == 0) {
				/* Interface drops are the interface's, not the handle's: count
				 * them once, with the incoming handle. */
				if (rs->c->sources[i].fixed_dir == DIR_OUT)
					ifd = 0;
				rs->c->sources[i].cur.kernel_drops += d;
				rs->c->sources[i].cur.iface_drops += ifd;
				rs->c->tot.drops += d + ifd;
			}
		}
		for (i = 0; i < rs->n_nfl; i++) {
			struct nfl_source *ns = &rs->nfl[i];
			struct store_capture_stats *cur = &rs->c->sources[rs->n_caps + i].cur;

			cur->nflog_received += ns->messages - rs->nfl_last[i][0];
			cur->nflog_enobufs += ns->enobufs - rs->nfl_last[i][1];
			cur->nflog_seq_gaps += ns->seq_gaps - rs->nfl_last[i][2];
			rs->c->tot.drops += (ns->enobufs - rs->nfl_last[i][1]) +
					    (ns->seq_gaps - rs->nfl_last[i][2]);
			rs->nfl_last[i][0] = ns->messages;
			rs->nfl_last[i][1] = ns->enobufs;
			rs->nfl_last[i][2] = ns->seq_gaps;
		}
		if (collector_flush(rs->c, 1) < 0) {
			if (!rs->flush_failed)
				util_log(LOG_LVL_ERR, "cannot write to the database (will retry): %s",
					 rs->c->err);
			rs->flush_failed = 1;
			ret = -1;
		} else if (rs->flush_failed) {
			util_log(LOG_LVL_WARN, "database writes work again");
			rs->flush_failed = 0;
		}
		rs->last_flush = now;
	}
	audit_work(rs);
	if (!rs->a->quiet && now - rs->last_status >= rs->a->status_interval_s * 1000000u) {
		status_line(rs->c, now - rs->start_mono, rs->status_pkts, now - rs->last_status);
		rs->status_pkts = rs->c->tot.packets;
		rs->last_status = now;
	}
	return ret;
}

static int duration_over(const struct run_state *rs)
{
	return rs->a->duration_s &&
	       util_mono_usec() - rs->start_mono >= rs->a->duration_s * 1000000u;
}

static int run_files(struct run_state *rs, struct collector *c, const struct collect_args *a)
{
	unsigned i;
	char err[4200];

	for (i = 0; i < a->n_files && !stop_requested && !duration_over(rs); i++) {
		struct capture cap;
		struct loop_ctx lc;
		char ifname[IF_NAMESIZE], pathcopy[4096];
		int src, n;

		if (capture_open_file(&cap, a->files[i], a->bpf, err, sizeof(err)) < 0) {
			util_log(LOG_LVL_ERR, "%s", err);
			return -1;
		}
		if (capture_pcapng_ifname(a->files[i], ifname, sizeof(ifname)) == 0)
			;	/* the file names its interface */
		else if (a->file_iface)
			snprintf(ifname, sizeof(ifname), "%s", a->file_iface);
		else {
			snprintf(pathcopy, sizeof(pathcopy), "%s", a->files[i]);
			snprintf(ifname, sizeof(ifname), "%s", basename(pathcopy));
		}
		src = collector_source_add(c, "pcap-file", a->files[i], -1, ifname, cap.linktype);
		if (src < 0) {
			util_log(LOG_LVL_ERR, "%s: %s", a->files[i], c->err);
			capture_close(&cap);
			return -1;
		}
		c->sources[src].interval_start_usec = util_now_usec();
		if (!decode_linktype_supported(cap.linktype))
			util_log(LOG_LVL_WARN, "%s: link type %d (%s) is not supported; its packets "
				 "are counted as unsupported", a->files[i], cap.linktype,
				 pcap_datalink_val_to_name(cap.linktype) ?
				 pcap_datalink_val_to_name(cap.linktype) : "unknown");
		lc.c = c;
		lc.src = (unsigned)src;
		lc.linktype = cap.linktype;
		lc.p = cap.p;
		lc.a = a;
		while (!stop_requested && !duration_over(rs)) {
			n = pcap_dispatch(cap.p, 8192, on_packet, (u_char *)&lc);
			if (n == 0 || n == PCAP_ERROR_BREAK)
				break;
			if (n < 0) {
				/* A truncated file ends with an error after its complete packets. */
				util_log(LOG_LVL_WARN, "%s: %s (packets before it are recorded)",
					 a->files[i], pcap_geterr(cap.p));
				break;
			}
			tick(rs, 0);
		}
		capture_close(&cap);
	}
	return 0;
}

/* Opens one handle per direction on each interface (one on loopback interfaces, where
 * libpcap already drops the outgoing copy of every packet). */
static int open_live(struct run_state *rs, struct collector *c, const struct collect_args *a,
		     const char *const *names, unsigned n, const struct hostinfo *hi)
{
	struct capture_live_opts lo = { (int)a->snaplen, a->promisc, (int)(a->buffer_mib << 20),
					a->bpf, PCAP_D_IN };
	char err[4200], srcname[IF_NAMESIZE + 8];
	unsigned i, d, k = 0;

	for (i = 0; i < n; i++) {
		const struct hostinfo_iface *hif = hostinfo_find(hi, names[i]);
		struct iface_info info;
		int ifidx, src;
		unsigned ndir = hif && hif->is_loopback ? 1 : 2;

		live_iface_info(hif, names[i], &info);
		ifidx = collector_iface_add(c, &info, "kernel");
		for (d = 0; d < ndir; d++) {
			if (k >= MAX_LIVE) {
				util_log(LOG_LVL_ERR, "too many interfaces (at most %d handles)", MAX_LIVE);
				return -1;
			}
			lo.direction = d == 0 ? PCAP_D_IN : PCAP_D_OUT;
			if (capture_open_live(&rs->caps[k], names[i], &lo, err, sizeof(err)) < 0) {
				util_log(LOG_LVL_ERR, "cannot capture on %s", err);
				return -1;
			}
			rs->n_caps = k + 1;
			snprintf(srcname, sizeof(srcname), "%s/%s", names[i], d == 0 ? "in" : "out");
			src = ifidx < 0 ? -1 : collector_source_add(c, "pcap-live", srcname, ifidx, NULL,
								    rs->caps[k].linktype);
			if (src != (int)k) {
				util_log(LOG_LVL_ERR, "%s: cannot register source: %s", names[i], c->err);
				return -1;
			}
			c->sources[k].fixed_dir = d == 0 ? DIR_IN : DIR_OUT;
			c->sources[k].interval_start_usec = util_now_usec();
			rs->lcs[k].c = c;
			rs->lcs[k].src = k;
			rs->lcs[k].linktype = rs->caps[k].linktype;
			rs->lcs[k].p = rs->caps[k].p;
			rs->lcs[k].a = a;
			k++;
		}
	}
	return 0;
}

/* Binds every NFLOG group; their sources follow the pcap handles' in the table. */
static int open_nflog(struct run_state *rs, struct collector *c, const struct collect_args *a)
{
	char err[512], name[32];
	unsigned i;

	for (i = 0; i < a->n_nflog; i++) {
		int src;

		if (nfl_open(&rs->nfl[i], a->nflog_groups[i], &a->nfl, err, sizeof(err)) < 0) {
			util_log(LOG_LVL_ERR, "%s", err);
			return -1;
		}
		rs->n_nfl = i + 1;
		snprintf(name, sizeof(name), "nflog:%u", a->nflog_groups[i]);
		src = collector_source_add(c, "nflog", name, -1, NULL, 239);
		if (src != (int)(rs->n_caps + i)) {
			util_log(LOG_LVL_ERR, "%s: cannot register source: %s", name, c->err);
			return -1;
		}
		c->sources[src].is_nflog = 1;
		c->sources[src].interval_start_usec = util_now_usec();
	}
	return 0;
}

struct nfl_ctx {
	struct collector *c;
	unsigned src;
	const struct collect_args *a;
};

static void on_nflog(void *arg, const struct pkt_record *rec, const uint8_t *payload,
		     uint32_t len)
{
	struct nfl_ctx *nc = arg;

	collector_nflog_packet(nc->c, nc->src, rec, payload, len);
	if (nc->a->count && nc->c->tot.packets >= nc->a->count)
		stop_requested = 1;
}

/* The event loop over every pcap handle and NFLOG socket. */
static int loop_live(struct run_state *rs, struct collector *c, const struct collect_args *a)
{
	struct pollfd pfd[MAX_LIVE + MAX_NFLOG];
	struct nfl_ctx ncs[MAX_NFLOG];
	unsigned i, n = rs->n_caps + rs->n_nfl;

	for (i = 0; i < rs->n_caps; i++) {
		pfd[i].fd = rs->caps[i].fd;
		pfd[i].events = POLLIN;
	}
	for (i = 0; i < rs->n_nfl; i++) {
		pfd[rs->n_caps + i].fd = rs->nfl[i].fd;
		pfd[rs->n_caps + i].events = POLLIN;
		ncs[i].c = c;
		ncs[i].src = rs->n_caps + i;
		ncs[i].a = a;
	}
	while (!stop_requested && !duration_over(rs)) {
		int pr = poll(pfd, n, 200);

		if (pr < 0 && errno != EINTR) {
			util_log(LOG_LVL_ERR, "poll: %s", strerror(errno));
			return -1;
		}
		for (i = 0; i < rs->n_caps && !stop_requested; i++) {
			int got = pcap_dispatch(rs->caps[i].p, 4096, on_packet, (u_char *)&rs->lcs[i]);

			if (got == PCAP_ERROR) {
				util_log(LOG_LVL_ERR, "%s: %s", rs->caps[i].name, pcap_geterr(rs->caps[i].p));
				return -1;
			}
		}
		for (i = 0; i < rs->n_nfl && !stop_requested; i++) {
			int got, rounds = 0;

			if (!(pfd[rs->n_caps + i].revents & (POLLIN | POLLERR)))
				continue;
			/* drain what is waiting, a bounded number of datagrams per turn */
			while (rounds++ < 256 && !stop_requested &&
			       (got = nfl_read(&rs->nfl[i], on_nflog, &ncs[i])) != 0) {
				if (got < 0) {
					util_log(LOG_LVL_ERR, "NFLOG group %u: %s", rs->nfl[i].group,
						 strerror(errno));
					return -1;
				}
			}
		}
		tick(rs, 0);
	}
	return 0;
}

/* Loads the intended policy and, for live capture, starts the privileged ruleset reader
 * (before the privilege drop: iptables-save needs CAP_NET_ADMIN) and reads the live
 * ruleset once. Returns 0, or -1 after logging why. */
static int start_audit(struct run_state *rs, struct collector *c, const struct collect_args *a,
		       struct store *st, int64_t run_id, int live)
{
	struct rulesrc_reply x;
	char err[1024];

	if (!a->aopt.policy[0] && !a->aopt.policy[1])
		return 0;
	rs->au = audit_new(&a->aopt, c, st, run_id, err, sizeof(err));
	if (!rs->au) {
		util_log(LOG_LVL_ERR, "--policy: %s", err);
		return -1;
	}
	if (!live || !a->live_ruleset)
		return 0;
	if (rulesrc_start(&rs->rsrc, err, sizeof(err)) < 0) {
		util_log(LOG_LVL_WARN, "cannot start the live ruleset reader (%s); the live ruleset "
			 "is not compared", err);
		return 0;
	}
	rs->last_rules_poll = util_mono_usec();
	if (rulesrc_request(&rs->rsrc) == 0 && rulesrc_wait(&rs->rsrc, 10000, &x) == 1) {
		live_rules(rs, &x);
		rulesrc_reply_free(&x);
	}
	return 0;
}

/* Drops root as --user (or the default) says. Returns 0, or -1 after logging why. */
static int drop_privileges(const struct collect_args *a)
{
	const char *user = a->user;
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
	if (privdrop_prepare_db(a->db, uid, gid, err, sizeof(err)) < 0 ||
	    privdrop_to(uid, gid, err, sizeof(err)) < 0) {
		util_log(LOG_LVL_ERR, "cannot drop privileges to %s: %s", user, err);
		return -1;
	}
	return 0;
}

/* After the drop: no capability left in any set (live capture: whatever the start), then
 * the seccomp sandbox, with the packet and NFLOG sockets shut for sending. Returns 0, or -1
 * after logging why (the run must stop). */
static int confine(const struct run_state *rs, int live)
{
	int fds[MAX_LIVE + MAX_NFLOG];	/* sandbox_enter refuses more than it can shut */
	unsigned i, n = 0;
	char err[1024];

	if (live && privdrop_caps_clear(err, sizeof(err)) < 0) {
		util_log(LOG_LVL_ERR, "cannot drop every capability: %s", err);
		return -1;
	}
	for (i = 0; i < rs->n_caps && i < MAX_LIVE; i++)
		if (rs->caps[i].p && !rs->caps[i].is_file && rs->caps[i].fd >= 0)
			fds[n++] = rs->caps[i].fd;
	for (i = 0; i < rs->n_nfl && i < MAX_NFLOG; i++)
		if (rs->nfl[i].fd >= 0)
			fds[n++] = rs->nfl[i].fd;
	if (sandbox_enter(fds, n, err, sizeof(err)) < 0) {
		util_log(LOG_LVL_ERR, "cannot enter the sandbox: %s", err);
		return -1;
	}
	return 0;
}

int cmd_collect(int argc, char **argv)
{
	struct collect_args *a = calloc(1, sizeof(*a));
	struct collector *c = calloc(1, sizeof(*c));
	struct hostinfo *hi = calloc(1, sizeof(*hi));
	struct capture *caps = calloc(MAX_LIVE, sizeof(*caps));
	struct store *st = NULL;
	struct run_state rs;
	const char *live[MAX_LIVE];
	unsigned n_live = 0, i;
	char err[1024], host[256] = "", cmdline[2048] = "";
	int64_t run_id;
	int ret = 1, rc;
	struct sigaction sa;

	memset(&rs, 0, sizeof(rs));
	rs.rsrc.fd = -1;

	if (!a || !c || !hi || !caps) {
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
	if (a->n_ifaces) {
		for (i = 0; i < a->n_ifaces; i++)
			live[n_live++] = a->ifaces[i];
	} else if (!a->n_files && !a->n_nflog) {
		for (i = 0; i < hi->n_ifaces && n_live < MAX_LIVE; i++)
			if (hi->ifaces[i].is_up)
				live[n_live++] = hi->ifaces[i].name;
		if (!n_live) {
			util_log(LOG_LVL_ERR, "no interface is up");
			goto out;
		}
	}

	/* Refuse unreadable capture files before touching the database. */
	for (i = 0; i < a->n_files; i++) {
		struct capture probe;
		char perr[4200];

		if (capture_open_file(&probe, a->files[i], a->bpf, perr, sizeof(perr)) < 0) {
			util_log(LOG_LVL_ERR, "%s", perr);
			goto out;
		}
		capture_close(&probe);
	}
	st = store_open(a->db, STORE_OPEN_CREATE, err, sizeof(err));
	if (!st) {
		util_log(LOG_LVL_ERR, "%s", err);
		goto out;
	}
	gethostname(host, sizeof(host) - 1);
	for (i = 0; i < (unsigned)argc; i++) {
		size_t used = strlen(cmdline);

		snprintf(cmdline + used, sizeof(cmdline) - used, "%s%s", i ? " " : "", argv[i]);
	}
	run_id = store_run_begin(st, host, SPOOFAUDIT_VERSION, cmdline, util_now_usec(),
				 a->copt.bucket_seconds);
	if (run_id < 0 || collector_init(c, &a->copt, st, run_id) < 0) {
		util_log(LOG_LVL_ERR, "%s: cannot start a run: %s", a->db, store_errmsg(st));
		goto out;
	}
	memcpy(c->roles, a->roles, sizeof(a->roles));
	c->n_roles = a->n_roles;
	if (n_live || a->n_nflog) {
		/* Never stall capture for long on another process's lock: counts stay in
		 * memory and the next flush retries. */
		store_set_busy_timeout(st, 250);
		record_kernel_ctx(st, run_id, hi);
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

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	rs.c = c;
	rs.a = a;
	rs.caps = caps;
	rs.start_mono = rs.last_flush = rs.last_status = util_mono_usec();
	rc = 0;
	if (n_live || a->n_nflog) {
		/* Every interface of the host, so that NFLOG in/out devices resolve with their
		 * kernel roles; then the handles, the sockets, and only then drop root. */
		for (i = 0; i < hi->n_ifaces; i++) {
			struct iface_info info;

			live_iface_info(&hi->ifaces[i], hi->ifaces[i].name, &info);
			collector_iface_add(c, &info, "kernel");
		}
		rc = open_live(&rs, c, a, live, n_live, hi);
		if (rc == 0)
			rc = open_nflog(&rs, c, a);
		if (rc == 0)
			rc = start_audit(&rs, c, a, st, run_id, 1);
		/* a failed flush is retried by the loop; it must not skip the drop */
		if (rc == 0) {
			(void)collector_flush(c, 0);
			rc = drop_privileges(a);
		}
		if (rc == 0)
			rc = confine(&rs, 1);
		if (rc == 0)
			rc = loop_live(&rs, c, a);
	} else {
		/* Files need no privilege: drop only when asked to (files the user cannot
		 * read then fail with their name). */
		rc = a->user ? drop_privileges(a) : 0;
		if (rc == 0)
			rc = start_audit(&rs, c, a, st, run_id, 0);
		if (rc == 0)
			rc = confine(&rs, 0);
		if (rc == 0)
			rc = run_files(&rs, c, a);
	}

	if (tick(&rs, 1) < 0) {
		util_log(LOG_LVL_ERR, "%s: final write failed, data not recorded: %s", a->db, c->err);
		rc = -1;
	}
	store_run_end(st, run_id, util_now_usec());
	if (!a->quiet)
		summary(c, a->db);
	if (rs.au && !a->quiet)
		audit_summary(rs.au, stderr);
	if (c->tot.lost_db)
		rc = -1;
	ret = rc < 0 ? 1 : 0;
out:
	rulesrc_stop(&rs.rsrc);
	audit_free(rs.au);
	if (caps)
		for (i = 0; i < MAX_LIVE; i++)
			capture_close(&caps[i]);
	for (i = 0; i < rs.n_nfl; i++)
		nfl_close(&rs.nfl[i]);
	collector_free(c);
	store_close(st);
	free(caps);
	free(hi);
	free(c);
	free(a);
	return ret;
}
