/* This file implements `spoofaudit export`: it writes the evidence packets the collector
 * kept for spoofed flows, byte for byte as captured, to a classic pcap file (through
 * libpcap's pcap_dump) or to pcapng with interface names (export_pcapng.c). */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify/classify.h"
#include "cmd/cmd.h"
#include "report/export_pcapng.h"
#include "common/prefix.h"
#include "report/report.h"
#include "report/report_cli.h"
#include "store/store.h"
#include "common/util.h"

#define MAX_LIST 32

struct export_args {
	const char *db, *day, *since, *until, *out;
	const char *classes[MAX_LIST];
	unsigned nclasses;
	const char *ifaces[MAX_LIST];
	unsigned nifaces;
	struct prefix src;
	int have_src, utc, pcapng, migrate, quiet;
	int64_t violation;		/* --violation ID, 0 for none */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: spoofaudit export (--day DAY | --since T [--until T]) [--class CLASS]...\n"
"                         [-i IFACE]... [--src PREFIX] [--db PATH] -w FILE\n"
"\n"
"Writes the evidence packets the collector kept (the first --evidence packets of each\n"
"spoofed flow) exactly as they were captured, for tcpdump, Wireshark or tshark.\n"
"\n"
"  -w, --write FILE       output file; \"-\" for standard output. A name ending in\n"
"                         .pcapng (or --pcapng) writes pcapng with interface names,\n"
"                         anything else classic pcap (one link type per file)\n"
"      --pcapng           write pcapng whatever the name\n"
"      --day DAY          YYYY-MM-DD, today or yesterday\n"
"      --since T, --until T  a period instead (as for report; --until defaults to now)\n"
"      --utc              days and times in UTC (default: the local time zone)\n"
"      --class CLASS      only this class (repeatable): spoof_loopback_src,\n"
"                         loopback_dst, own_addr_src, bogon_src, unexpected_src\n"
"  -i, --interface IFACE  only this interface (repeatable)\n"
"      --src PREFIX       only sources inside PREFIX (10.0.0.0/8, ::1, 127.0.0.1)\n"
"      --violation ID     only the evidence packets of violation ID (collect --policy;\n"
"                         the violations table): the packet and the reply that proves it.\n"
"                         Without a period, every day\n"
"      --db PATH          the collector database (default ./spoofaudit.db)\n"
"      --migrate          upgrade a database of an older schema first\n"
"  -q, --quiet            no summary on standard error\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 written (also when no packet matched: the file is then an empty\n"
"capture), 1 runtime error, 2 bad usage.\n");
}

enum { OPT_DB = 256, OPT_DAY, OPT_SINCE, OPT_UNTIL, OPT_UTC, OPT_CLASS, OPT_SRC, OPT_PCAPNG,
       OPT_MIGRATE, OPT_VIOLATION };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "day", required_argument, NULL, OPT_DAY },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "utc", no_argument, NULL, OPT_UTC },
	{ "class", required_argument, NULL, OPT_CLASS },
	{ "interface", required_argument, NULL, 'i' },
	{ "src", required_argument, NULL, OPT_SRC },
	{ "write", required_argument, NULL, 'w' },
	{ "pcapng", no_argument, NULL, OPT_PCAPNG },
	{ "migrate", no_argument, NULL, OPT_MIGRATE },
	{ "violation", required_argument, NULL, OPT_VIOLATION },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define BAD(...) do { fprintf(stderr, "spoofaudit export: " __VA_ARGS__); \
		      fputs("\n(see 'spoofaudit export --help')\n", stderr); return 2; } while (0)

static int spoof_class_ok(const char *name)
{
	for (int c = 0; c < CLS_COUNT; c++)
		if (classify_is_spoof((enum spoof_class)c) &&
		    !strcmp(classify_class_name((enum spoof_class)c), name))
			return 1;
	return 0;
}

static int parse_args(int argc, char **argv, struct export_args *a)
{
	int opt;

	memset(a, 0, sizeof(*a));
	a->db = "spoofaudit.db";
	optind = 1;
	while ((opt = getopt_long(argc, argv, "i:w:qh", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_DB:
			a->db = optarg;
			break;
		case OPT_DAY:
			a->day = optarg;
			break;
		case OPT_SINCE:
			a->since = optarg;
			break;
		case OPT_UNTIL:
			a->until = optarg;
			break;
		case OPT_UTC:
			a->utc = 1;
			break;
		case OPT_CLASS:
			if (a->nclasses >= MAX_LIST)
				BAD("too many --class options");
			if (!spoof_class_ok(optarg))
				BAD("--class is not one of spoof_loopback_src, loopback_dst, "
				    "own_addr_src, bogon_src, unexpected_src (evidence is kept for "
				    "those only): `%s'", optarg);
			a->classes[a->nclasses++] = optarg;
			break;
		case 'i':
			if (a->nifaces >= MAX_LIST)
				BAD("too many -i interfaces");
			if (!optarg[0] || strlen(optarg) >= IF_NAMESIZE || strpbrk(optarg, ", /"))
				BAD("bad interface name `%s'", optarg);
			a->ifaces[a->nifaces++] = optarg;
			break;
		case OPT_SRC:
			if (prefix_parse(optarg, 0, &a->src) < 0)
				BAD("--src is not an IPv4 or IPv6 prefix: `%s'", optarg);
			a->have_src = 1;
			break;
		case 'w':
			if (!optarg[0])
				BAD("empty output file name `'");
			a->out = optarg;
			break;
		case OPT_PCAPNG:
			a->pcapng = 1;
			break;
		case OPT_VIOLATION: {
			uint64_t v;

			if (util_parse_u64(optarg, 1, INT64_MAX, &v) < 0)
				BAD("--violation is not a violation id: `%s'", optarg);
			a->violation = (int64_t)v;
			break;
		}
		case OPT_MIGRATE:
			a->migrate = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			fputs("(see 'spoofaudit export --help')\n", stderr);
			return 2;
		}
	}
	if (optind < argc)
		BAD("unexpected argument `%s'", argv[optind]);
	if (!a->out)
		BAD("-w FILE is required");
	if (!a->day && !a->since && a->violation)
		a->since = "@0";	/* a violation's packets, whenever they were captured */
	if (!a->day && !a->since)
		BAD("give the period: --day DAY or --since T");
	if (a->day && (a->since || a->until))
		BAD("--day `%s' and --since/--until exclude each other", a->day);
	if (a->until && !a->since)
		BAD("--until `%s' needs --since", a->until);
	{
		size_t n = strlen(a->out);

		if (n >= 7 && !strcmp(a->out + n - 7, ".pcapng"))
			a->pcapng = 1;
	}
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

struct out {
	FILE *f;			/* pcapng, or the file under the pcap dumper */
	pcap_t *dead;
	pcap_dumper_t *dump;
	struct export_pcapng ng;
	char tmp[4096];
	int use_ng;
};

int cmd_export(int argc, char **argv)
{
	struct export_args a;
	struct store *st = NULL;
	struct store_rows *q = NULL;
	struct out o = { 0 };
	char err[1024], classes[1024], ifaces[1024], appl[64];
	uint8_t lo[16], hi[16];
	int64_t since, until, now = (int64_t)util_now_usec();
	uint64_t npkts = 0, caplen_sum = 0, wire_sum = 0, bad = 0;
	int ret, rc, linktype = -1, nlinktypes = 0, to_stdout;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (a.since) {
		if (report_parse_time(a.since, a.utc, now, &since) < 0)
			BAD("--since is not YYYY-MM-DD[THH:MM[:SS]], today, yesterday, now or @SECONDS: `%s'",
			    a.since);
		until = now;
		if (a.until && report_parse_time(a.until, a.utc, now, &until) < 0)
			BAD("--until is not YYYY-MM-DD[THH:MM[:SS]], today, yesterday, now or @SECONDS: `%s'",
			    a.until);
		if (until <= since)
			BAD("--until `%s' is not after --since `%s'", a.until ? a.until : "now", a.since);
	} else if (report_parse_day(a.day, a.utc, now, &since, &until) < 0) {
		BAD("--day is not YYYY-MM-DD, today or yesterday: `%s'", a.day);
	}
	ret = 1;
	if (report_cli_check_db(a.db, a.migrate, "export", err, sizeof(err)) < 0) {
		fprintf(stderr, "spoofaudit export: %s\n", err);
		return 1;
	}
	st = store_open(a.db, STORE_OPEN_READONLY, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "spoofaudit export: %s\n", err);
		return 1;
	}
	join(a.classes, a.nclasses, classes, sizeof(classes));
	join(a.ifaces, a.nifaces, ifaces, sizeof(ifaces));
	src_range(&a, lo, hi);
	if (store_begin(st) < 0)
		goto dberr;
	/* First the link types: classic pcap holds one. */
	q = store_rows_prepare(st, "export_linktypes.sql", report_file("export_linktypes.sql"));
	if (!q || bind_all(q, since, until, classes, ifaces, lo, hi, a.have_src ? a.src.family : 0) < 0 ||
	    store_rows_bind_int(q, ":violation", a.violation) < 0)
		goto dberr;
	while ((rc = store_rows_step(q)) == 1) {
		if (store_col_int(q, 0) != linktype) {
			nlinktypes++;
			linktype = (int)store_col_int(q, 0);
		}
	}
	if (rc < 0)
		goto dberr;
	store_rows_free(q);
	q = NULL;
	if (!a.pcapng && nlinktypes > 1) {
		fprintf(stderr, "spoofaudit export: the evidence has %d link types and classic pcap "
			"holds one: write pcapng (-w FILE.pcapng or --pcapng), or narrow it with -i\n",
			nlinktypes);
		goto out;
	}
	to_stdout = !strcmp(a.out, "-");
	if (to_stdout) {
		o.f = stdout;
	} else {
		int fd;

		if (snprintf(o.tmp, sizeof(o.tmp), "%s.XXXXXX", a.out) >= (int)sizeof(o.tmp)) {
			fprintf(stderr, "spoofaudit export: %s: name too long\n", a.out);
			goto out;
		}
		fd = mkstemp(o.tmp);
		if (fd < 0 || !(o.f = fdopen(fd, "wb"))) {
			fprintf(stderr, "spoofaudit export: %s: %s\n", a.out, strerror(errno));
			if (fd >= 0)
				close(fd);
			o.tmp[0] = '\0';
			goto out;
		}
		fchmod(fd, 0640);	/* evidence is other hosts' traffic */
	}
	o.use_ng = a.pcapng;
	snprintf(appl, sizeof(appl), "spoofaudit %s", SPOOFAUDIT_VERSION);
	if (o.use_ng) {
		if (export_pcapng_begin(&o.ng, o.f, appl) < 0)
			goto werr;
	} else {
		o.dead = pcap_open_dead_with_tstamp_precision(linktype >= 0 ? linktype : DLT_EN10MB,
							      EXPORT_PCAPNG_SNAPLEN,
							      PCAP_TSTAMP_PRECISION_MICRO);
		if (!o.dead || !(o.dump = pcap_dump_fopen(o.dead, o.f))) {
			fprintf(stderr, "spoofaudit export: %s: %s\n", a.out,
				o.dead ? pcap_geterr(o.dead) : "out of memory");
			goto out;
		}
	}
	q = store_rows_prepare(st, "export_evidence.sql", report_file("export_evidence.sql"));
	if (!q || bind_all(q, since, until, classes, ifaces, lo, hi, a.have_src ? a.src.family : 0) < 0 ||
	    store_rows_bind_int(q, ":violation", a.violation) < 0)
		goto dberr;
	while ((rc = store_rows_step(q)) == 1) {
		int64_t ts = store_col_int(q, 1), lt = store_col_int(q, 2);
		int64_t wirelen = store_col_int(q, 3), caplen = store_col_int(q, 4);
		size_t blen;
		const void *data = store_col_blob(q, 5, &blen);

		/* Trust no stored length: the row must describe its own bytes. */
		if (caplen < 0 || (uint64_t)caplen != blen || caplen > EXPORT_PCAPNG_SNAPLEN ||
		    wirelen < caplen || wirelen > UINT32_MAX || ts < 0 || lt < 0 || lt > 0xffff) {
			bad++;
			continue;
		}
		if (o.use_ng) {
			int id = export_pcapng_iface(&o.ng, store_col_text(q, 6), (int)lt);

			if (id < 0 || export_pcapng_packet(&o.ng, id, (uint64_t)ts, data,
							  (uint32_t)caplen, (uint32_t)wirelen) < 0)
				goto werr;
		} else {
			struct pcap_pkthdr h;

			h.ts.tv_sec = (time_t)(ts / 1000000);
			h.ts.tv_usec = (suseconds_t)(ts % 1000000);
			h.caplen = (bpf_u_int32)caplen;
			h.len = (bpf_u_int32)wirelen;
			pcap_dump((u_char *)o.dump, &h, data);
		}
		npkts++;
		caplen_sum += (uint64_t)caplen;
		wire_sum += (uint64_t)wirelen;
	}
	if (rc < 0)
		goto dberr;
	if (o.dump) {
		if (pcap_dump_flush(o.dump) < 0)
			goto werr;
		pcap_dump_close(o.dump);	/* closes o.f */
		o.dump = NULL;
		o.f = NULL;
	} else if (o.f && !to_stdout) {
		if (fclose(o.f) != 0) {
			o.f = NULL;
			goto werr;
		}
		o.f = NULL;
	} else if (o.f && fflush(o.f) != 0) {
		goto werr;
	}
	if (o.tmp[0]) {
		if (rename(o.tmp, a.out) < 0)
			goto werr;
		o.tmp[0] = '\0';
	}
	if (o.use_ng && nlinktypes > 1 && npkts)
		fprintf(stderr, "spoofaudit export: note: %d link types in one pcapng file: Wireshark "
			"and tshark read it, but tcpdump and other libpcap 1.10 readers stop at the "
			"first interface of a second link type; export one interface (-i) per file "
			"for them\n", nlinktypes);
	if (bad)
		fprintf(stderr, "spoofaudit export: warning: skipped %llu evidence rows whose "
			"stored lengths do not match their bytes\n", (unsigned long long)bad);
	if (!a.quiet)
		fprintf(stderr, "spoofaudit export: %llu packets (%llu bytes captured, %llu on the "
			"wire) to %s (%s)%s\n", (unsigned long long)npkts,
			(unsigned long long)caplen_sum, (unsigned long long)wire_sum,
			to_stdout ? "standard output" : a.out, o.use_ng ? "pcapng" : "pcap",
			npkts ? "" : "; no evidence packet matched");
	ret = 0;
	goto out;
werr:
	fprintf(stderr, "spoofaudit export: writing %s: %s\n", a.out, strerror(errno ? errno : EIO));
	goto out;
dberr:
	fprintf(stderr, "spoofaudit export: %s: %s\n", a.db, store_errmsg(st));
out:
	store_rows_free(q);
	if (o.dump)
		pcap_dump_close(o.dump);
	else if (o.f && o.f != stdout)
		fclose(o.f);
	if (o.dead)
		pcap_close(o.dead);
	if (o.tmp[0])
		unlink(o.tmp);
	if (st) {
		store_rollback(st);
		store_close(st);
	}
	return ret;
}
