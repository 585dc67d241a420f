/* This file implements `spoofaudit prune`: it deletes data older than the kept window in
 * short transactions (so a running collector is not blocked), reclaims the space, and
 * says what it removed. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/plural.h"
#include "report/report.h"
#include "report/report_cli.h"
#include "store/store.h"
#include "common/util.h"

struct prune_args {
	struct report_cli cli;		/* --db, --utc, -q */
	uint64_t keep, batch;
	int have_keep, dry_run, vacuum;
};

static void usage(FILE *f)
{
	fputs(
"Usage: spoofaudit prune --keep DAYS [--db PATH] [--dry-run] [--vacuum]\n"
"\n"
"Deletes flows, evidence, NFLOG records, capture statistics, policy violations,\n"
"flood episodes and runs older than the kept window, then gives the space back,\n"
"and prints what it removed. The hop counts learned per source prefix are kept:\n"
"they are the memory the hop-count check builds over days.\n"
"\n"
"  --keep DAYS     keep today and the DAYS days before it (0..36500): everything\n"
"                  before midnight DAYS days ago (local time, or UTC with --utc)\n"
"                  goes; a run that goes on past that midnight keeps its row\n"
"  --db PATH       the collector database (default ./spoofaudit.db)\n"
"  --utc           count days in UTC\n"
"  --batch ROWS    rows per transaction, 100..1000000 (default 10000): each\n"
"                  holds the write lock for milliseconds, so a running collector\n"
"                  only waits\n"
"  --dry-run       count what would go; change nothing\n"
"  --vacuum        for a database created without incremental auto-vacuum\n"
"                  (before this version), rewrite it with VACUUM to give the\n"
"                  space back; that locks out the collector while it runs (stop\n"
"                  it first)\n"
"  -q, --quiet     print nothing on success\n"
"  -h, --help      this text\n"
"\n"
"Reports of the kept days stay the same, except the comparisons with days that\n"
"are gone (the previous period, the 7-day history of new sources), which then\n"
"say so. Exit status: 0 success, 1 runtime error, 2 bad usage.\n", f);
}

enum { OPT_KEEP = 256, OPT_BATCH, OPT_DRY, OPT_VACUUM };

static const struct option long_opts[] = {
	REPORT_CLI_COMMON_OPTIONS,
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "vacuum", no_argument, NULL, OPT_VACUUM },
	{ "quiet", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 },
};

/* Takes one of prune's own options. Returns 0, or 2 for bad usage (printed). */
static int prune_opt(void *ctx, int opt, const char *arg)
{
	struct prune_args *a = ctx;
	switch (opt) {
	case OPT_KEEP:
		a->have_keep = 1;
		return report_cli_u64("prune", "keep is not a number of days 0..36500", arg, 0,
				      36500, &a->keep);
	case OPT_BATCH:
		return report_cli_u64("prune", "batch is not 100..1000000 rows", arg, 100,
				      1000000, &a->batch);
	case OPT_DRY:
		a->dry_run = 1;
		return 0;
	case OPT_VACUUM:
		a->vacuum = 1;
		return 0;
	default:
		return 2;
	}
}

static int parse_args(int argc, char **argv, struct prune_args *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->cli.cmd = "prune";
	a->cli.usage = usage;
	a->cli.db = "spoofaudit.db";
	a->batch = 10000;
	r = report_cli_getopt(&a->cli, argc, argv, "qh", long_opts, prune_opt, a);
	if (r)
		return r;
	if (!a->have_keep)
		return report_cli_bad("prune", "--keep DAYS is required");
	return 0;
}

static double mib(uint64_t pages, uint64_t page_size)
{
	return (double)pages * (double)page_size / (1024.0 * 1024.0);
}

int cmd_prune(int argc, char **argv)
{
	struct prune_args a;
	struct store_prune_result res;
	struct store *st;
	char err[1024], when[40];
	int64_t since, until, now = (int64_t)util_now_usec();
	int ret, flags;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	/* The cutoff: midnight DAYS days before today. */
	if (report_parse_day("today", a.cli.utc, now, &since, &until) < 0) {
		fprintf(stderr, "spoofaudit prune: cannot work out today's date\n");
		return 1;
	}
	for (uint64_t d = 0; d < a.keep; d++) {
		int64_t s2, u2;

		/* step back one calendar day at a time: days with a DST change are not 24 h */
		if (report_parse_day("today", a.cli.utc, since - 1, &s2, &u2) < 0) {
			fprintf(stderr, "spoofaudit prune: cannot work out the date %llu day%s ago\n",
				(unsigned long long)a.keep, plural_s(a.keep));
			return 1;
		}
		since = s2;
	}
	if (report_cli_check_db(a.cli.db, !a.dry_run, "prune", err, sizeof(err)) < 0) {
		fprintf(stderr, "spoofaudit prune: %s\n", err);
		return 1;
	}
	st = store_open(a.cli.db, a.dry_run ? STORE_OPEN_READONLY : 0, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "spoofaudit prune: %s\n", err);
		return 1;
	}
	report_cli_unverified("prune", a.cli.db, store_unverified_bytes(st));
	flags = (a.dry_run ? STORE_PRUNE_DRY_RUN : 0) | (a.vacuum ? STORE_PRUNE_FULL_VACUUM : 0);
	if (store_prune(st, since, (unsigned)a.batch, flags, &res) < 0) {
		fprintf(stderr, "spoofaudit prune: %s: %s%s\n", a.cli.db, store_errmsg(st),
			res.transactions ? " (the batches committed before it stay removed)" : "");
		store_close(st);
		return 1;
	}
	store_close(st);
	if (a.cli.quiet)
		return 0;
	report_format_time(since, a.cli.utc, TF_MINUTE, when, sizeof(when));
	printf("spoofaudit prune: %s: %s data before %s (%s)\n", a.cli.db,
	       a.dry_run ? "would remove" : "removed", when, a.cli.utc ? "UTC" : "local time");
	printf("  flows          %12llu\n  evidence       %12llu\n  nflog records  %12llu\n"
	       "  capture stats  %12llu\n  decode errors  %12llu\n  violations     %12llu\n"
	       "  flood episodes %12llu\n  runs           %12llu\n",
	       (unsigned long long)res.flows, (unsigned long long)res.evidence,
	       (unsigned long long)res.flow_nflog, (unsigned long long)res.capture_stats,
	       (unsigned long long)res.decode_errors, (unsigned long long)res.violations,
	       (unsigned long long)res.flood_episodes, (unsigned long long)res.runs);
	if (a.dry_run)
		return 0;
	printf("  in %llu transaction%s of at most %llu rows\n",
	       (unsigned long long)res.transactions, plural_s(res.transactions),
	       (unsigned long long)a.batch);
	if (res.vacuumed)
		printf("  database %.1f MiB -> %.1f MiB (%s)\n", mib(res.pages_before, res.page_size),
		       mib(res.pages_after, res.page_size),
		       res.vacuumed == 1 ? "incremental vacuum" : "VACUUM");
	else if (res.free_after)
		printf("  database %.1f MiB, of it %.1f MiB free pages kept for new data: this file "
		       "was created without incremental auto-vacuum; `spoofaudit prune --vacuum' "
		       "gives them back (stop the collector first)\n",
		       mib(res.pages_after, res.page_size), mib(res.free_after, res.page_size));
	else
		printf("  database %.1f MiB\n", mib(res.pages_after, res.page_size));
	return 0;
}
