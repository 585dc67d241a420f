/* This file contains what the report, export and prune commands share on the command
 * line: the checks of a database file that turn SQLite's terse errors into advice. */
#include "report/report_cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
