/* This file contains what the report, export and prune commands share on the command
 * line: the shared options and the period they name, the usage messages, and the checks
 * of a database file that turn SQLite's terse errors into advice. Being command-line
 * code, it prints usage errors itself (once), as the commands do. */
#include "report/report_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#include "report/report.h"
#include "store/store.h"

int report_cli_check_db(const char *path, int migrate, const char *cmd, char *err,
			size_t errlen)
{
	struct stat sb;
	struct store *st;
	char oerr[512];
	int v;

	if (stat(path, &sb) < 0) {
		snprintf(err, errlen, "%s: %s (give the collector's database with --db PATH)",
			 path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a database", path);
		return -1;
	}
	if (sb.st_size == 0) {
		snprintf(err, errlen, "%s: empty file: no spoofaudit data yet (has `spoofaudit "
			 "collect --db %s' run?)", path, path);
		return -1;
	}
	v = store_file_version(path, err, errlen);
	if (v < 0)
		return -1;
	if (v == 0 || v >= store_latest_version())
		return 0;	/* store_open() judges foreign and newer files */
	if (!migrate) {
		snprintf(err, errlen, "%s: schema version %d is older than this spoofaudit's (%d). "
			 "Upgrade it once with `spoofaudit %s --migrate --db %s' (or by running "
			 "`spoofaudit collect --db %s'); that needs write access. %s does not "
			 "change a database otherwise.", path, v, store_latest_version(), cmd, path,
			 path, cmd);
		return -1;
	}
	st = store_open(path, 0, oerr, sizeof(oerr));
	if (!st) {
		snprintf(err, errlen, "migrating: %s", oerr);
		return -1;
	}
	store_close(st);
	return 0;
}

int report_cli_table_ok(const char *name)
{
	for (int t = 0; t < RT_COUNT; t++)
		if (!strcmp(report_table_template((enum report_table)t)->name, name))
			return 1;
	return 0;
}

int report_cli_bad(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "spoofaudit %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'spoofaudit %s --help')\n", cmd);
	return 2;
}

int report_cli_u64(const char *cmd, const char *what, const char *arg, uint64_t min,
		   uint64_t max, uint64_t *out)
{
	if (util_parse_u64(arg, min, max, out) < 0)
		return report_cli_bad(cmd, "%s: `%s'", what, arg);
	return 0;
}

int report_cli_opt(struct report_cli *c, int opt, const char *arg)
{
	switch (opt) {
	case REPORT_CLI_OPT_DB:
		c->db = arg;
		return 1;
	case REPORT_CLI_OPT_DAY:
		c->day = arg;
		return 1;
	case REPORT_CLI_OPT_SINCE:
		c->since = arg;
		return 1;
	case REPORT_CLI_OPT_UNTIL:
		c->until = arg;
		return 1;
	case REPORT_CLI_OPT_UTC:
		c->utc = 1;
		return 1;
	case REPORT_CLI_OPT_FORCE:
		c->force = 1;
		return 1;
	case REPORT_CLI_OPT_MIGRATE:
		c->migrate = 1;
		return 1;
	case 'q':
		c->quiet = 1;
		return 1;
	case 'h':
		c->usage(stdout);
		return -1;
	case '?':
	case ':':
		fprintf(stderr, "(see 'spoofaudit %s --help')\n", c->cmd);
		return 2;
	default:
		return 0;
	}
}

int report_cli_getopt(struct report_cli *c, int argc, char **argv, const char *optstring,
		      const struct option *opts, report_cli_own_fn own, void *ctx)
{
	int opt, r;

	optind = 1;
	while ((opt = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
		r = c->own_db && opt == REPORT_CLI_OPT_DB ? 0 : report_cli_opt(c, opt, optarg);
		if (r == 0)
			r = own(ctx, opt, optarg);
		else if (r == 1)
			r = 0;
		if (r)
			return r;
	}
	if (optind < argc)
		return report_cli_bad(c->cmd, "unexpected argument `%s'", argv[optind]);
	return 0;
}

#define TIME_FORMS "YYYY-MM-DD[THH:MM[:SS]], today, yesterday, now or @SECONDS"

int report_cli_period(const struct report_cli *c, const char *default_day, int64_t now_us,
		      int64_t max_us, struct report_period *p)
{
	const char *day = c->day ? c->day : default_day;

	if (c->day && (c->since || c->until))
		return report_cli_bad(c->cmd, "--day `%s' and --since/--until exclude each other",
				      c->day);
	if (c->until && !c->since)
		return report_cli_bad(c->cmd, "--until `%s' needs --since", c->until);
	if (!c->since && !day)
		return report_cli_bad(c->cmd, "give the period: --day DAY or --since T");
	if (!c->since) {
		if (report_parse_day(day, c->utc, now_us, &p->since_us, &p->until_us) < 0)
			return report_cli_bad(c->cmd, "--day is not YYYY-MM-DD, today or "
					      "yesterday: `%s'", day);
		return 0;
	}
	if (report_parse_time(c->since, c->utc, now_us, &p->since_us) < 0)
		return report_cli_bad(c->cmd, "--since is not " TIME_FORMS ": `%s'", c->since);
	p->until_us = now_us;
	if (c->until && report_parse_time(c->until, c->utc, now_us, &p->until_us) < 0)
		return report_cli_bad(c->cmd, "--until is not " TIME_FORMS ": `%s'", c->until);
	if (p->until_us <= p->since_us)
		return report_cli_bad(c->cmd, "--until `%s' is not after --since `%s'",
				      c->until ? c->until : "now", c->since);
	if (max_us > 0 && p->until_us - p->since_us > max_us)
		return report_cli_bad(c->cmd, "the period from `%s' to `%s' is longer than %lld "
				      "days", c->since, c->until ? c->until : "now",
				      (long long)(max_us / (86400LL * 1000000)));
	return 0;
}

int report_cli_out_check(const char *path, int force)
{
	struct stat sb;

	if (!force && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return 0;
}

int report_cli_out_open(struct report_cli_out *o, const char *path, mode_t mode, int force)
{
	struct stat sb;
	mode_t um;
	int fd;

	o->path = path;
	o->tmp[0] = '\0';
	o->force = force;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
		return open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);	/* device, FIFO */
	if (report_cli_out_check(path, force) < 0)
		return -1;
	if (snprintf(o->tmp, sizeof(o->tmp), "%s.XXXXXX", path) >= (int)sizeof(o->tmp)) {
		o->tmp[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		o->tmp[0] = '\0';
		return -1;
	}
	um = umask(0);		/* read the umask: mkstemp created the file 0600 */
	umask(um);
	if (fchmod(fd, mode & ~um & 0777) < 0) {
		int e = errno;

		close(fd);
		report_cli_out_discard(o);
		errno = e;
		return -1;
	}
	return fd;
}

int report_cli_out_commit(struct report_cli_out *o)
{
	if (!o->tmp[0])
		return 0;
	if (o->force) {
		if (rename(o->tmp, o->path) < 0)
			return -1;
	} else if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->path, RENAME_NOREPLACE) < 0) {
		/* a file system without RENAME_NOREPLACE: link() refuses an existing name too */
		if (errno != EINVAL && errno != ENOSYS)
			return -1;
		if (link(o->tmp, o->path) < 0)
			return -1;
		unlink(o->tmp);
	}
	o->tmp[0] = '\0';
	return 0;
}

void report_cli_out_discard(struct report_cli_out *o)
{
	if (o->tmp[0])
		unlink(o->tmp);
	o->tmp[0] = '\0';
}

void report_cli_out_error(const char *cmd, const char *what, const char *path)
{
	int e = errno ? errno : EIO;

	if (e == EEXIST)
		fprintf(stderr, "spoofaudit %s: %s exists: give --force to replace it (%s is "
			"never overwritten silently)\n", cmd, path, what);
	else if (e == ENAMETOOLONG)
		fprintf(stderr, "spoofaudit %s: %s: name too long\n", cmd, path);
	else
		fprintf(stderr, "spoofaudit %s: writing %s: %s\n", cmd, path, strerror(e));
}

void report_cli_unverified(const char *cmd, const char *path, uint64_t bytes)
{
	if (bytes == 0)
		return;
	fprintf(stderr, "spoofaudit %s: note: %s is %.1f GiB, too large to verify whole on "
		"every open; its pages are checked as they are read. To verify it all: "
		"sqlite3 -readonly '%s' 'PRAGMA quick_check'\n", cmd, path,
		(double)bytes / (1u << 30), path);
}
