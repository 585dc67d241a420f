/* This file implements `spoofaudit report`: options, opening the databases read-only
 * (migrating an older one only when asked), and writing the report in one format. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "report/report.h"
#include "report/report_cli.h"
#include "store/store.h"
#include "common/textsafe.h"
#include "common/util.h"

#define MAX_DBS 64
#define MAX_IFACES 64

enum fmt { F_TEXT, F_JSON, F_CSV, F_HTML };

struct report_args {
	const char *dbs[MAX_DBS];
	unsigned ndbs;
	const char *ifaces[MAX_IFACES];
	unsigned nifaces;
	struct report_cli cli;		/* the period, --utc */
	const char *out, *table;
	enum fmt fmt;
	int ascii;
	uint64_t top;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: spoofaudit report [--db PATH]... [--day YYYY-MM-DD|today|yesterday |\n"
"         --since T [--until T]] [-i IFACE]... [--format FMT] [-o FILE [--force]]\n"
"\n"
"Reports what a period's traffic held: the host and its capture sources, how\n"
"complete the capture was, the kernel settings that decided what the stack\n"
"dropped, totals per class, subclass and interface against the previous period,\n"
"spoofed packets per hour, top spoofed sources, destinations and ports, new\n"
"sources, TTLs, what NFLOG rules logged, and the loopback inventory. Several\n"
"--db files are merged, one host each.\n"
"\n"
"  --db PATH              a collector database (repeatable; default\n"
"                         ./spoofaudit.db)\n"
"  --day DAY              YYYY-MM-DD, today or yesterday (default: yesterday)\n"
"  --since T, --until T   a period instead: YYYY-MM-DD[THH:MM[:SS]], today,\n"
"                         yesterday, now or @UNIXSECONDS (--until defaults to\n"
"                         now)\n"
"  --utc                  days and times in UTC (default: the local time zone)\n"
"  -i, --interface IFACE  only this interface (repeatable)\n"
"  -f, --format FMT       text (default), json, csv or html\n"
"  --table NAME           the table --format csv writes (default totals):\n"
"%s\n"
"  -o, --output FILE      write to FILE (atomically; {day} becomes the period's\n"
"                         first day) instead of standard output, with the mode\n"
"                         the umask allows. An existing FILE is refused: an\n"
"                         earlier report is evidence too\n"
"  --force                replace an existing FILE\n"
"  --top N                rows per top list, 1..1000 (default 10)\n"
"  --ascii                ASCII sparklines even in a UTF-8 locale\n"
"  --migrate              upgrade a database of an older schema first (needs\n"
"                         write access; without it such a database is refused)\n"
"  -h, --help             this text\n"
"\n"
"The report opens databases read-only. Exit status: 0 report written (an empty\n"
"period gives an empty report), 1 a database could not be read or FILE could\n"
"not be written (or exists), 2 bad usage.\n",
		"                         totals totals_class totals_iface top_sources\n"
"                         top_destinations top_ports new_sources ttl nflog\n"
"                         nflog_unlogged loopback_services loopback_nonlocal\n"
"                         policy runs sources interfaces kernel decode_errors");
}

enum { OPT_TABLE = 256, OPT_TOP, OPT_ASCII };

static const struct option long_opts[] = {
	REPORT_CLI_COMMON_OPTIONS,
	REPORT_CLI_PERIOD_OPTIONS,
	{ "interface", required_argument, NULL, 'i' },
	{ "format", required_argument, NULL, 'f' },
	{ "table", required_argument, NULL, OPT_TABLE },
	{ "output", required_argument, NULL, 'o' },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	REPORT_CLI_MIGRATE_OPTION,
	{ "force", no_argument, NULL, REPORT_CLI_OPT_FORCE },
	{ NULL, 0, NULL, 0 },
};

#define BAD(...) return report_cli_bad("report", __VA_ARGS__)

static const char *const fmt_names[] = { [F_TEXT] = "text", [F_JSON] = "json",
					 [F_CSV] = "csv", [F_HTML] = "html" };

/* Takes one of report's own options. Returns 0, or 2 for bad usage (printed). */
static int report_opt(void *ctx, int opt, const char *arg)
{
	struct report_args *a = ctx;
	char names[512];
	unsigned i;

	switch (opt) {
	case REPORT_CLI_OPT_DB:
		if (a->ndbs >= MAX_DBS)
			BAD("too many --db files (at most %d)", MAX_DBS);
		if (!arg[0])
			BAD("empty --db path `'");
		a->dbs[a->ndbs++] = arg;
		return 0;
	case 'i':
		if (a->nifaces >= MAX_IFACES)
			BAD("too many -i interfaces (at most %d)", MAX_IFACES);
		if (!arg[0] || strlen(arg) >= IF_NAMESIZE || strpbrk(arg, ", /"))
			BAD("bad interface name `%s'", arg);
		a->ifaces[a->nifaces++] = arg;
		return 0;
	case 'f':
		for (i = 0; i < sizeof(fmt_names) / sizeof(fmt_names[0]); i++)
			if (!strcmp(arg, fmt_names[i])) {
				a->fmt = (enum fmt)i;
				return 0;
			}
		BAD("format is not text, json, csv or html: `%s'", arg);
	case OPT_TABLE:
		if (!report_cli_table_ok(arg))
			BAD("unknown table `%s' (one of: %s)", arg,
			    report_table_names(names, sizeof(names)));
		a->table = arg;
		return 0;
	case 'o':
		if (!arg[0])
			BAD("empty output file name `'");
		a->out = arg;
		return 0;
	case OPT_TOP:
		return report_cli_u64("report", "top is not 1..1000", arg, 1, 1000, &a->top);
	case OPT_ASCII:
		a->ascii = 1;
		return 0;
	default:
		return 2;
	}
}

/* Returns 0, 2 for bad usage, or -1 after --help (exit 0). */
static int parse_args(int argc, char **argv, struct report_args *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->cli.cmd = "report";
	a->cli.usage = usage;
	a->cli.own_db = 1;
	a->top = 10;
	r = report_cli_getopt(&a->cli, argc, argv, "i:f:o:h", long_opts, report_opt, a);
	if (r)
		return r;
	if (a->table && a->fmt != F_CSV)
		BAD("--table `%s' applies to --format csv only", a->table);
	if (!a->ndbs)
		a->dbs[a->ndbs++] = "spoofaudit.db";
	return 0;
}

/* Prints why path could not be opened or renamed into place. Returns 1. */
static int out_error(const char *path)
{
	report_cli_out_error("report", "a report", path);
	return 1;
}

static int write_format(const struct report *r, const struct report_args *a, FILE *f)
{
	switch (a->fmt) {
	case F_JSON:
		return report_write_json(r, f);
	case F_CSV:
		return report_write_csv(r, a->table ? a->table : "totals", f);
	case F_HTML:
		return report_write_html(r, f);
	default:
		return report_write_text(r, f, a->ascii);
	}
}

/* Writes the report to path through a temporary file renamed into place, so a reader
 * (or the timer's next run) never sees half a report; an existing file is kept unless
 * --force. The file's mode is what the umask allows. */
static int write_report(const struct report *r, const struct report_args *a, const char *path)
{
	struct report_cli_out out;
	FILE *f;
	int rc, fd;

	if (!path) {
		if (write_format(r, a, stdout) == 0)
			return 0;
		fprintf(stderr, "spoofaudit report: writing the report: %s\n", strerror(errno));
		return 1;
	}
	fd = report_cli_out_open(&out, path, 0666, a->cli.force);
	if (fd < 0)
		return out_error(path);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		report_cli_out_discard(&out);
		return out_error(path);
	}
	rc = write_format(r, a, f);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && report_cli_out_commit(&out) == 0)
		return 0;
	out_error(path);
	report_cli_out_discard(&out);
	return 1;
}

/* "{day}" in the -o name becomes the period's first day. */
static int output_name(const char *pattern, const char *day, char *out, size_t len)
{
	const char *p = strstr(pattern, "{day}");

	if (!p)
		return snprintf(out, len, "%s", pattern) < (int)len ? 0 : -1;
	return snprintf(out, len, "%.*s%s%s", (int)(p - pattern), pattern, day, p + 5) < (int)len ?
	       0 : -1;
}

/* Whether a database at path holds a flow in [since_us, until_us). */
static int has_flows_in(const char *path, int64_t since_us, int64_t until_us)
{
	char err[512];
	struct store *st = store_open(path, STORE_OPEN_READONLY, err, sizeof(err));
	struct store_flow_iter *it = NULL;
	struct store_flow sf;
	int found = 0;

	if (st && store_begin(st) == 0) {
		it = store_flows_open(st, since_us / 1000000, until_us / 1000000);
		found = it && store_flows_next(it, &sf) == 1;
		store_flows_close(it);
		store_commit(st);
	}
	store_close(st);
	return found;
}

/* Appends arg to buf as the shell would need it typed: as is when it holds only
 * characters no shell treats specially, else in single quotes. */
static void shell_word(char *buf, size_t len, const char *arg)
{
	size_t n = strlen(buf);
	const char *p;

	if (*arg && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789_./-+:,@%=") == strlen(arg)) {
		snprintf(buf + n, len - n, " %s", arg);
		return;
	}
	snprintf(buf + n, len - n, " '");
	for (p = arg; *p; p++) {
		n = strlen(buf);
		snprintf(buf + n, len - n, *p == '\'' ? "'\\''" : "%c", *p);
	}
	n = strlen(buf);
	snprintf(buf + n, len - n, "'");
}

/* Without --day or --since the report is yesterday's, which right after a first collect
 * today is empty while today is not: says so on stderr, with the command that shows
 * today. Returns 1 when it said it. */
static int note_today(const struct report_args *a, int64_t now_us)
{
	int64_t since, until;
	char cmd[8192] = "spoofaudit report --day today", safe[8192];
	unsigned i, any = 0;

	if (a->cli.day || a->cli.since ||
	    report_parse_day("today", a->cli.utc, now_us, &since, &until) < 0)
		return 0;
	for (i = 0; i < a->ndbs && !any; i++)
		any = has_flows_in(a->dbs[i], since, until);
	if (!any)
		return 0;
	if (a->cli.utc)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " --utc");
	for (i = 0; i < a->ndbs; i++) {
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " --db");
		shell_word(cmd, sizeof(cmd), a->dbs[i]);
	}
	text_term(safe, sizeof(safe), cmd);	/* a path's control characters */
	fprintf(stderr, "spoofaudit report: note: nothing was recorded yesterday (the default "
		"period), but today has data; to see it:\n  %s\n", safe);
	return 1;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a;
	struct report_opts o;
	struct report_period per;
	struct report *r = NULL;
	char err[1024], day[32], path[4096];
	int ret, any_flows = 0;
	int64_t now = (int64_t)util_now_usec();

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	memset(&o, 0, sizeof(o));
	ret = report_cli_period(&a.cli, "yesterday", now, 366LL * 86400 * 1000000, &per);
	if (ret)
		return ret;
	o.since_us = per.since_us;
	o.until_us = per.until_us;
	if (a.out && !strstr(a.out, "{day}") && report_cli_out_check(a.out, a.cli.force) < 0)
		return out_error(a.out);	/* before the work ({day} is known later) */
	for (unsigned i = 0; i < a.ndbs; i++)
		if (report_cli_check_db(a.dbs[i], a.cli.migrate, "report", err, sizeof(err)) < 0) {
			fprintf(stderr, "spoofaudit report: %s\n", err);
			return 1;
		}
	o.dbs = a.dbs;
	o.ndbs = a.ndbs;
	o.ifaces = a.ifaces;
	o.nifaces = a.nifaces;
	o.utc = a.cli.utc;
	o.limit = (unsigned)a.top;
	o.now_us = now;
	if (!a.ascii) {
		setlocale(LC_CTYPE, "");
		a.ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
		setlocale(LC_CTYPE, "C");
	}
	r = report_build(&o, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "spoofaudit report: %s\n", err);
		return 1;
	}
	for (unsigned i = 0; i < r->nhosts; i++) {
		any_flows |= r->hosts[i].has_flows;
		report_cli_unverified("report", r->hosts[i].path, r->hosts[i].unverified_bytes);
	}
	report_format_time(o.since_us, o.utc, TF_DATE, day, sizeof(day));
	if (a.out && output_name(a.out, day, path, sizeof(path)) < 0) {
		report_free(r);
		BAD("output file name too long: `%s'", a.out);
	}
	ret = write_report(r, &a, a.out ? path : NULL);
	if (ret == 0 && !any_flows && !note_today(&a, now))
		fprintf(stderr, "spoofaudit report: note: no flows recorded in this period "
			"(the report says what the database holds)\n");
	report_free(r);
	return ret;
}
