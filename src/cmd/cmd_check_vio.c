/* This file implements `spoofaudit check --violations`: the violations the live audit
 * (`collect --policy`) stored, listed as text or JSON. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd/cmd_check.h"
#include "report/report.h"
#include "report/report_cli.h"
#include "store/store.h"

/* --violations: the live audit's stored violations of the period (reports/policy.sql).
 * Returns the exit status. */
int cmd_check_violations(const char *db, int json, int64_t since, int64_t until, int fail)
{
	char err[512];
	struct store *st = store_open(db, STORE_OPEN_READONLY, err, sizeof(err));
	struct store_rows *q = NULL;
	json_t *arr = json ? json_array() : NULL;
	int64_t n = 0, occ = 0;
	int bad = 0;
	int rc, ret = 1;

	if (!st) {
		fprintf(stderr, "spoofaudit check: %s\n", err);	/* err names the file */
		goto out;
	}
	report_cli_unverified("check", db, store_unverified_bytes(st));
	q = store_rows_prepare(st, "policy.sql", report_file("policy.sql"));
	if (!q || store_rows_bind_int(q, ":since_us", since * 1000000) < 0 ||
	    store_rows_bind_int(q, ":until_us", until ? until * 1000000 : INT64_MAX) < 0 ||
	    store_rows_bind_text(q, ":ifaces", "") < 0 || store_rows_bind_int(q, ":limit", -1) < 0) {
		fprintf(stderr, "spoofaudit check: %s: %s\n", db, store_errmsg(st));
		goto out;
	}
	while ((rc = store_rows_step(q)) == 1) {
		/* id kind strength count lines first last iface flow intended live evidence packets */
		n++;
		occ += store_col_int(q, 3);
		if (arr) {
			json_t *v = json_object();
			int c;

			for (c = 0; c < store_rows_ncols(q); c++)
				if (json_object_set_new(v, store_rows_colname(q, c),
							c == 1 || c == 2 || (c >= 7 && c <= 11) ?
							cmd_check_jtext(store_col_text(q, c)) :
							json_integer(store_col_int(q, c))) < 0)
					bad = 1;
			if (json_array_append_new(arr, v) < 0)
				bad = 1;
			continue;
		}
		char t1[32], t2[32];
		time_t a = (time_t)(store_col_int(q, 5) / 1000000), b = (time_t)(store_col_int(q, 6) / 1000000);
		struct tm tm;

		strftime(t1, sizeof(t1), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&a, &tm));
		strftime(t2, sizeof(t2), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&b, &tm));
		cmd_check_tout("#%lld %s%s: %lld time%s (%lld line%s), %s, first %s last %s\n"
		       "  %s\n", (long long)store_col_int(q, 0), store_col_text(q, 1),
		       strcmp(store_col_text(q, 2), "weak") ? "" : " (weak evidence)",
		       (long long)store_col_int(q, 3), store_col_int(q, 3) == 1 ? "" : "s",
		       (long long)store_col_int(q, 4), store_col_int(q, 4) == 1 ? "" : "s",
		       *store_col_text(q, 7) ? store_col_text(q, 7) : "no interface",
		       t1, t2,
		       store_col_text(q, 8));
		if (*store_col_text(q, 9))
			cmd_check_tout("  intended: %s\n", store_col_text(q, 9));
		if (*store_col_text(q, 10))
			cmd_check_tout("  live: %s\n", store_col_text(q, 10));
		if (*store_col_text(q, 11))
			cmd_check_tout("  evidence: %s\n", store_col_text(q, 11));
		if (store_col_int(q, 12))
			cmd_check_tout("  %lld evidence packets: spoofaudit export --violation %lld -w FILE\n",
			       (long long)store_col_int(q, 12), (long long)store_col_int(q, 0));
	}
	if (rc < 0) {
		fprintf(stderr, "spoofaudit check: %s: %s\n", db, store_errmsg(st));
		goto out;
	}
	ret = fail && n ? 3 : 0;
	if (arr) {
		json_t *root = json_object();

		bad |= json_object_set_new(root, "violations", arr) < 0;	/* takes arr */
		arr = NULL;
		bad |= json_object_set_new(root, "db", cmd_check_jtext(db)) < 0;
		bad |= json_object_set_new(root, "occurrences", json_integer(occ)) < 0;
		bad |= json_object_set_new(root, "exit", json_integer(ret)) < 0;
		if (bad) {
			fprintf(stderr, "spoofaudit check: cannot build the JSON document (out of memory)\n");
			json_decref(root);
			ret = 1;
			goto out;
		}
		json_dumpf(root, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(root);
	} else {
		cmd_check_tout("%lld violation%s, %lld occurrence%s in %s\n", (long long)n, n == 1 ? "" : "s",
		       (long long)occ, occ == 1 ? "" : "s", db);
	}
out:
	json_decref(arr);
	store_rows_free(q);
	store_close(st);
	return ret;
}

