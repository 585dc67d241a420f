/* This file implements `spoofaudit export`: it writes the evidence packets the collector
 * kept for spoofed flows, byte for byte as captured, to a classic pcap file (through
 * libpcap's pcap_dump) or to pcapng with interface names (export_pcapng.c). */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify/classify.h"
#include "cmd/cmd.h"
#include "report/export_pcapng.h"
#include "common/plural.h"
#include "common/prefix.h"
#include "report/report.h"
#include "report/report_cli.h"
#include "store/store.h"
#include "common/util.h"

#define MAX_LIST 32
#define MAX_SKIPPED_SHOWN 20

/* The signal (SIGINT, SIGTERM, SIGHUP) that asked the export to stop, 0 for none. The
 * write loop checks it, and the cleanup path removes the temporary file. */
static volatile sig_atomic_t export_stop;

static void on_signal(int sig)
{
	export_stop = sig;
}

static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;	/* a write in progress completes; the loop then stops */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

struct export_args {
	struct report_cli cli;		/* --db, the period, --utc, -q */
	const char *out;
	const char *classes[MAX_LIST];
	unsigned nclasses;
	const char *ifaces[MAX_LIST];
	unsigned nifaces;
	struct prefix src;
	int have_src, pcapng;
	int64_t violation;		/* --violation ID, 0 for none */
};

static void usage(FILE *f)
{
	fputs(
"Usage: spoofaudit export (--day DAY | --since T [--until T]) [--class CLASS]...\n"
"         [-i IFACE]... [--src PREFIX] [--db PATH] [--force] -w FILE\n"
"\n"
"Writes the evidence packets the collector kept (the first --evidence packets of\n"
"each spoofed flow) exactly as they were captured, for tcpdump, Wireshark or\n"
"tshark.\n"
"\n"
"  -w, --write FILE       output file; \"-\" for standard output. A name ending\n"
"                         in .pcapng (or --pcapng) writes pcapng with interface\n"
"                         names, anything else classic pcap (one link type)\n"
"      --pcapng           write pcapng whatever the name\n"
"      --force            replace an existing FILE; without it an existing file\n"
"                         is refused: an earlier export is evidence too. FILE\n"
"                         is written whole (renamed into place), mode 0640 at\n"
"                         most (within the umask)\n"
"      --day DAY          YYYY-MM-DD, today or yesterday\n"
"      --since T          a period instead (as for report)\n"
"      --until T          its end (default: now)\n"
"      --utc              days and times in UTC (default: the local time zone)\n"
"      --class CLASS      only this class (repeatable): spoof_loopback_src,\n"
"                         loopback_dst, own_addr_src, bogon_src, unexpected_src,\n"
"                         rpf_fail, suspect_src, backscatter\n"
"  -i, --interface IFACE  only this interface (repeatable)\n"
"      --src PREFIX       only sources inside PREFIX (10.0.0.0/8, ::1, 127.0.0.1)\n"
"      --violation ID     only the evidence packets of violation ID (collect\n"
"                         --policy; the violations table): the packet and the\n"
"                         reply that proves it. Without a period, every day\n"
"      --db PATH          the collector database (default ./spoofaudit.db)\n"
"      --migrate          upgrade a database of an older schema first\n"
"  -q, --quiet            no summary on standard error\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 written (also when no packet matched: the file is then an empty\n"
"capture); 1 runtime error, FILE exists, or evidence rows whose stored lengths\n"
"do not match their bytes were skipped (each is named; FILE holds the others);\n"
"2 bad usage; 128+N stopped by signal N (SIGINT, SIGTERM, SIGHUP): FILE is not\n"
"written and no temporary file is left.\n", f);
}

enum { OPT_CLASS = 256, OPT_SRC, OPT_PCAPNG, OPT_VIOLATION };

static const struct option long_opts[] = {
	REPORT_CLI_COMMON_OPTIONS,
	REPORT_CLI_PERIOD_OPTIONS,
	{ "class", required_argument, NULL, OPT_CLASS },
	{ "interface", required_argument, NULL, 'i' },
	{ "src", required_argument, NULL, OPT_SRC },
	{ "write", required_argument, NULL, 'w' },
	{ "pcapng", no_argument, NULL, OPT_PCAPNG },
	{ "force", no_argument, NULL, REPORT_CLI_OPT_FORCE },
	REPORT_CLI_MIGRATE_OPTION,
	{ "violation", required_argument, NULL, OPT_VIOLATION },
	{ "quiet", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 },
};

#define BAD(...) return report_cli_bad("export", __VA_ARGS__)

static int spoof_class_ok(const char *name)
{
	for (int c = 0; c < CLS_COUNT; c++)
		if (classify_keeps_evidence((enum spoof_class)c) &&
		    !strcmp(classify_class_name((enum spoof_class)c), name))
			return 1;
	return 0;
}

/* Takes one of export's own options. Returns 0, or 2 for bad usage (printed). */
static int export_opt(void *ctx, int opt, const char *arg)
{
	struct export_args *a = ctx;
	uint64_t v;

	switch (opt) {
	case OPT_CLASS:
		if (a->nclasses >= MAX_LIST)
			BAD("too many --class options");
		if (!spoof_class_ok(arg))
			BAD("--class is not one of spoof_loopback_src, loopback_dst, "
			    "own_addr_src, bogon_src, unexpected_src, rpf_fail, suspect_src, "
			    "backscatter (evidence is kept for those only): `%s'", arg);
		a->classes[a->nclasses++] = arg;
		return 0;
	case 'i':
		if (a->nifaces >= MAX_LIST)
			BAD("too many -i interfaces");
		if (!arg[0] || strlen(arg) >= IF_NAMESIZE || strpbrk(arg, ", /"))
			BAD("bad interface name `%s'", arg);
		a->ifaces[a->nifaces++] = arg;
		return 0;
	case OPT_SRC:
		if (prefix_parse(arg, 0, &a->src) < 0)
			BAD("--src is not an IPv4 or IPv6 prefix: `%s'", arg);
		a->have_src = 1;
		return 0;
	case 'w':
		if (!arg[0])
			BAD("empty output file name `'");
		a->out = arg;
		return 0;
	case OPT_PCAPNG:
		a->pcapng = 1;
		return 0;
	case OPT_VIOLATION:
		if (report_cli_u64("export", "--violation is not a violation id", arg, 1,
				   INT64_MAX, &v))
			return 2;
		a->violation = (int64_t)v;
		return 0;
	default:
		return 2;
	}
}

static int parse_args(int argc, char **argv, struct export_args *a)
{
	int r;
	size_t n;

	memset(a, 0, sizeof(*a));
	a->cli.cmd = "export";
	a->cli.usage = usage;
	a->cli.db = "spoofaudit.db";
	r = report_cli_getopt(&a->cli, argc, argv, "i:w:qh", long_opts, export_opt, a);
	if (r)
		return r;
	if (!a->out)
		BAD("-w FILE is required");
	if (!a->cli.day && !a->cli.since && a->violation)
		a->cli.since = "@0";	/* a violation's packets, whenever they were captured */
	n = strlen(a->out);
	if (n >= 7 && !strcmp(a->out + n - 7, ".pcapng"))
		a->pcapng = 1;
	return 0;
}

/* ",a,b," from a list, "" for none. */
static void join(const char *const *v, unsigned n, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%s,", i ? "" : ",", v[i]);
}

/* The source range as 16-byte addresses (IPv4 mapped into ::ffff:0:0/96). */
static void src_range(const struct export_args *a, uint8_t lo[16], uint8_t hi[16])
{
	unsigned plen, bits;

	if (!a->have_src) {
		memset(lo, 0, 16);
		memset(hi, 0xff, 16);
		return;
	}
	memset(lo, 0, 16);
	if (a->src.family == 4) {
		lo[10] = lo[11] = 0xff;
		memcpy(lo + 12, a->src.addr, 4);
		plen = 96u + a->src.plen;
	} else {
		memcpy(lo, a->src.addr, 16);
		plen = a->src.plen;
	}
	memcpy(hi, lo, 16);
	for (bits = plen; bits < 128; bits++)
		hi[bits / 8] |= (uint8_t)(0x80 >> (bits % 8));
}

static int bind_all(struct store_rows *q, int64_t since_us, int64_t until_us,
		    const char *classes, const char *ifaces, const uint8_t lo[16],
		    const uint8_t hi[16], int family)
{
	return store_rows_bind_int(q, ":src_family", family) < 0 ||
	       store_rows_bind_int(q, ":since", since_us / 1000000) < 0 ||
	       store_rows_bind_int(q, ":until", (until_us + 999999) / 1000000) < 0 ||
	       store_rows_bind_int(q, ":since_us", since_us) < 0 ||
	       store_rows_bind_int(q, ":until_us", until_us) < 0 ||
	       store_rows_bind_text(q, ":classes", classes) < 0 ||
	       store_rows_bind_text(q, ":ifaces", ifaces) < 0 ||
	       store_rows_bind_blob(q, ":src_lo", lo, 16) < 0 ||
	       store_rows_bind_blob(q, ":src_hi", hi, 16) < 0 ? -1 : 0;
}

/* The output file and its writer. */
struct out {
	FILE *f;			/* pcapng, or the file under the pcap dumper */
	pcap_t *dead;
	pcap_dumper_t *dump;
	struct export_pcapng ng;
	struct report_cli_out file;	/* the temporary file until renamed */
	int use_ng, to_stdout;
};

/* One export: what it selects and what it wrote. */
struct export_run {
	const struct export_args *a;
	struct store *st;
	struct report_period per;
	char classes[1024], ifaces[1024];
	uint8_t lo[16], hi[16];
	int linktype, nlinktypes;
	uint64_t npkts, caplen_sum, wire_sum, bad;
};

/* Prepares one of the export queries with every parameter bound. NULL on error. */
static struct store_rows *export_query(struct export_run *r, const char *name)
{
	const struct export_args *a = r->a;
	struct store_rows *q = store_rows_prepare(r->st, name, report_file(name));

	if (!q || bind_all(q, r->per.since_us, r->per.until_us, r->classes, r->ifaces, r->lo,
			   r->hi, a->have_src ? a->src.family : 0) < 0 ||
	    store_rows_bind_int(q, ":violation", a->violation) < 0) {
		store_rows_free(q);
		return NULL;
	}
	return q;
}

/* Counts the link types of the selected evidence (classic pcap holds one). Returns 0,
 * or -1 on a database error. */
static int count_linktypes(struct export_run *r)
{
	struct store_rows *q = export_query(r, "export_linktypes.sql");
	int rc;

	r->linktype = -1;
	if (!q)
		return -1;
	while ((rc = store_rows_step(q)) == 1) {
		if (store_col_int(q, 0) != r->linktype) {
			r->nlinktypes++;
			r->linktype = (int)store_col_int(q, 0);
		}
	}
	store_rows_free(q);
	return rc < 0 ? -1 : 0;
}

/* Prints why the output file could not be opened or renamed into place. */
static void out_error(const char *path)
{
	report_cli_out_error("export", "an export", path);
}

/* Opens the output: a temporary file next to a->out (or standard output) and the
 * writer on it. Returns 0, or -1 after printing why. */
static int out_open(struct out *o, const struct export_args *a, int linktype)
{
	char appl[64];
	int fd;

	o->to_stdout = !strcmp(a->out, "-");
	o->use_ng = a->pcapng;
	if (o->to_stdout) {
		o->f = stdout;
	} else {
		/* at most 0640: evidence is other hosts' traffic */
		fd = report_cli_out_open(&o->file, a->out, 0640, a->cli.force);
		if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
			out_error(a->out);
			if (fd >= 0)
				close(fd);
			report_cli_out_discard(&o->file);
			return -1;
		}
	}
	snprintf(appl, sizeof(appl), "spoofaudit %s", SPOOFAUDIT_VERSION);
	if (o->use_ng) {
		if (export_pcapng_begin(&o->ng, o->f, appl) == 0)
			return 0;
		fprintf(stderr, "spoofaudit export: writing %s: %s\n", a->out, strerror(errno));
		return -1;
	}
	o->dead = pcap_open_dead_with_tstamp_precision(linktype >= 0 ? linktype : DLT_EN10MB,
						       EXPORT_PCAPNG_SNAPLEN,
						       PCAP_TSTAMP_PRECISION_MICRO);
	if (!o->dead || !(o->dump = pcap_dump_fopen(o->dead, o->f))) {
		fprintf(stderr, "spoofaudit export: %s: %s\n", a->out,
			o->dead ? pcap_geterr(o->dead) : "out of memory");
		return -1;
	}
	return 0;
}

/* Writes the evidence row q stands on. Returns 1 written, 0 skipped (its stored lengths
 * do not describe its bytes), -1 on a write error (errno set). */
static int out_packet(struct out *o, struct store_rows *q, struct export_run *r)
{
	int64_t ts = store_col_int(q, 1), lt = store_col_int(q, 2);
	int64_t wirelen = store_col_int(q, 3), caplen = store_col_int(q, 4);
	size_t blen;
	const void *data = store_col_blob(q, 5, &blen);
	struct pcap_pkthdr h;
	int id;

	/* Trust no stored length: the row must describe its own bytes. */
	if (caplen < 0 || (uint64_t)caplen != blen || caplen > EXPORT_PCAPNG_SNAPLEN ||
	    wirelen < caplen || wirelen > UINT32_MAX || ts < 0 || lt < 0 || lt > 0xffff) {
		if (r->bad++ < MAX_SKIPPED_SHOWN)
			fprintf(stderr, "spoofaudit export: evidence row %lld: caplen %lld, wirelen "
				"%lld, %zu byte%s stored, link type %lld, time %lld: lengths do not "
				"describe the bytes: skipped\n", (long long)store_col_int(q, 0),
				(long long)caplen, (long long)wirelen, blen, plural_s(blen),
				(long long)lt, (long long)ts);
		return 0;
	}
	if (o->use_ng) {
		id = export_pcapng_iface(&o->ng, store_col_text(q, 6), (int)lt);
		if (id < 0 || export_pcapng_packet(&o->ng, id, (uint64_t)ts, data,
						  (uint32_t)caplen, (uint32_t)wirelen) < 0)
			return -1;
	} else {
		h.ts.tv_sec = (time_t)(ts / 1000000);
		h.ts.tv_usec = (suseconds_t)(ts % 1000000);
		h.caplen = (bpf_u_int32)caplen;
		h.len = (bpf_u_int32)wirelen;
		pcap_dump((u_char *)o->dump, &h, data);
	}
	r->npkts++;
	r->caplen_sum += (uint64_t)caplen;
	r->wire_sum += (uint64_t)wirelen;
	return 1;
}

/* Flushes and closes the output and renames the temporary file into place. Returns 0,
 * or -1 (errno set). */
static int out_finish(struct out *o)
{
	FILE *f = o->f;

	o->f = NULL;
	if (o->dump) {
		if (pcap_dump_flush(o->dump) < 0)
			return -1;
		pcap_dump_close(o->dump);	/* closes the file */
		o->dump = NULL;
	} else if (!o->to_stdout) {
		if (fclose(f) != 0)
			return -1;
	} else if (fflush(f) != 0) {
		return -1;
	}
	return report_cli_out_commit(&o->file);
}

/* Releases the output, removing a temporary file that was not renamed. */
static void out_free(struct out *o)
{
	if (o->dump)
		pcap_dump_close(o->dump);
	else if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->dead)
		pcap_close(o->dead);
	report_cli_out_discard(&o->file);
}

/* Writes every selected evidence packet. Returns 0, or -1 after printing the error. */
static int write_all(struct export_run *r, struct out *o)
{
	struct store_rows *q = export_query(r, "export_evidence.sql");
	int rc = 0;

	if (!q) {
		fprintf(stderr, "spoofaudit export: %s: %s\n", r->a->cli.db, store_errmsg(r->st));
		return -1;
	}
	while (!export_stop && (rc = store_rows_step(q)) == 1)
		if (out_packet(o, q, r) < 0) {
			fprintf(stderr, "spoofaudit export: writing %s: %s\n", r->a->out,
				strerror(errno ? errno : EIO));
			store_rows_free(q);
			return -1;
		}
	if (rc < 0 && !export_stop)
		fprintf(stderr, "spoofaudit export: %s: %s\n", r->a->cli.db, store_errmsg(r->st));
	store_rows_free(q);
	return rc < 0 || export_stop ? -1 : 0;
}

static void summary(const struct export_run *r, const struct out *o)
{
	const struct export_args *a = r->a;

	if (o->use_ng && r->nlinktypes > 1 && r->npkts)
		fprintf(stderr, "spoofaudit export: note: %d link types in one pcapng file: Wireshark "
			"and tshark read it, but tcpdump and other libpcap 1.10 readers stop at the "
			"first interface of a second link type; export one interface (-i) per file "
			"for them\n", r->nlinktypes);
	if (r->bad)
		fprintf(stderr, "spoofaudit export: %llu evidence row%s skipped (%s): the stored "
			"lengths do not match the bytes; %s holds the other %llu packet%s\n",
			(unsigned long long)r->bad, plural_s(r->bad),
			r->bad > MAX_SKIPPED_SHOWN ? "the first ones named above" : "named above",
			o->to_stdout ? "the output" : a->out, (unsigned long long)r->npkts,
			plural_s(r->npkts));
	if (!a->cli.quiet)
		fprintf(stderr, "spoofaudit export: %llu packet%s (%llu byte%s captured, %llu on the "
			"wire) to %s (%s)%s\n", (unsigned long long)r->npkts, plural_s(r->npkts),
			(unsigned long long)r->caplen_sum, plural_s(r->caplen_sum),
			(unsigned long long)r->wire_sum,
			o->to_stdout ? "standard output" : a->out, o->use_ng ? "pcapng" : "pcap",
			r->npkts ? "" : "; no evidence packet matched");
}

/* Opens the database read-only in a read transaction. Returns it, or NULL (printed). */
static struct store *open_db(const struct export_args *a)
{
	struct store *st;
	char err[1024];

	if (report_cli_check_db(a->cli.db, a->cli.migrate, "export", err, sizeof(err)) < 0) {
		fprintf(stderr, "spoofaudit export: %s\n", err);
		return NULL;
	}
	st = store_open(a->cli.db, STORE_OPEN_READONLY, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "spoofaudit export: %s\n", err);
		return NULL;
	}
	report_cli_unverified("export", a->cli.db, store_unverified_bytes(st));
	if (store_begin(st) < 0) {
		fprintf(stderr, "spoofaudit export: %s: %s\n", a->cli.db, store_errmsg(st));
		store_close(st);
		return NULL;
	}
	return st;
}

int cmd_export(int argc, char **argv)
{
	struct export_args a;
	struct export_run r = { 0 };
	struct out o = { 0 };
	int ret;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = report_cli_period(&a.cli, NULL, (int64_t)util_now_usec(), 0, &r.per);
	if (ret)
		return ret;
	if (strcmp(a.out, "-") && report_cli_out_check(a.out, a.cli.force) < 0) {
		out_error(a.out);	/* before the work: an existing file is refused */
		return 1;
	}
	r.a = &a;
	r.st = open_db(&a);
	if (!r.st)
		return 1;
	ret = 1;
	join(a.classes, a.nclasses, r.classes, sizeof(r.classes));
	join(a.ifaces, a.nifaces, r.ifaces, sizeof(r.ifaces));
	src_range(&a, r.lo, r.hi);
	if (count_linktypes(&r) < 0) {
		fprintf(stderr, "spoofaudit export: %s: %s\n", a.cli.db, store_errmsg(r.st));
		goto out;
	}
	if (!a.pcapng && r.nlinktypes > 1) {
		fprintf(stderr, "spoofaudit export: the evidence has %d link types and classic pcap "
			"holds one: write pcapng (-w FILE.pcapng or --pcapng), or narrow it with -i\n",
			r.nlinktypes);
		goto out;
	}
	catch_signals();
	if (export_stop || out_open(&o, &a, r.linktype) < 0 || write_all(&r, &o) < 0)
		goto out;
	if (out_finish(&o) < 0) {
		out_error(a.out);
		goto out;
	}
	summary(&r, &o);
	ret = r.bad ? 1 : 0;
out:
	out_free(&o);
	store_rollback(r.st);
	store_close(r.st);
	if (export_stop && ret) {
		fprintf(stderr, "spoofaudit export: stopped by signal %d: %s not written\n",
			(int)export_stop, strcmp(a.out, "-") ? a.out : "the output");
		ret = 128 + export_stop;
	}
	return ret;
}
