/* This file tests the report's building blocks: parsing days and times (local, UTC, DST
 * days), formatting, the sparkline, table widths against the 80-column text report, the
 * spoofed-class lists of reports/ *.sql against the classifier, CSV quoting, the pcapng
 * writer's block layout, and the store's read-side statements. One case per row. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "classify/classify.h"
#include "common/embedded.h"
#include "report/export_pcapng.h"
#include "report/report.h"
#include "store/store.h"

#define US 1000000LL
/* 2026-09-21 12:00:00 UTC, "now" for the relative cases */
#define NOW (1789992000LL * US)

struct day_case {
	const char *tz, *arg;
	int utc, ok;
	int64_t since, hours;	/* since in seconds since the epoch */
};

static const struct day_case day_cases[] = {
	{ "UTC", "2026-09-21", 1, 1, 1789948800, 24 },
	{ "UTC", "today", 1, 1, 1789948800, 24 },
	{ "UTC", "yesterday", 1, 1, 1789862400, 24 },
	{ "Europe/Berlin", "2026-09-21", 0, 1, 1789941600, 24 },	/* CEST, UTC+2 */
	{ "Europe/Berlin", "2026-03-29", 0, 1, 1774738800, 23 },	/* spring forward */
	{ "Europe/Berlin", "2026-10-25", 0, 1, 1792879200, 25 },	/* fall back */
	{ "Europe/Berlin", "2026-09-21", 1, 1, 1789948800, 24 },	/* --utc wins */
	{ "America/Bogota", "2026-09-21", 0, 1, 1789966800, 24 },
	{ "Asia/Kolkata", "2026-09-21", 0, 1, 1789929000, 24 },	/* UTC+5:30 */
	{ "UTC", "2024-02-29", 1, 1, 1709164800, 24 },
	{ "UTC", "2026-02-29", 1, 0, 0, 0 },
	{ "UTC", "2026-02-30", 1, 0, 0, 0 },
	{ "UTC", "2026-13-01", 1, 0, 0, 0 },
	{ "UTC", "2026-9-21", 1, 0, 0, 0 },
	{ "UTC", "2026-09-21x", 1, 0, 0, 0 },
	{ "UTC", "26-09-21", 1, 0, 0, 0 },
	{ "UTC", "tomorrow", 1, 0, 0, 0 },
	{ "UTC", "", 1, 0, 0, 0 },
	{ "UTC", "+026-09-21", 1, 0, 0, 0 },
};

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void test_parse_day(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(day_cases) / sizeof(day_cases[0]); i++) {
		const struct day_case *c = &day_cases[i];
		int64_t a = -1, b = -1;
		int rc;

		set_tz(c->tz);
		rc = report_parse_day(c->arg, c->utc, NOW, &a, &b);
		if (rc != (c->ok ? 0 : -1) || (c->ok && (a != c->since * US || b - a != c->hours * 3600 * US)))
			fail_msg("case %zu (%s %s utc=%d): rc %d since %lld hours %lld", i, c->tz, c->arg,
				 c->utc, rc, (long long)(a / US), (long long)((b - a) / 3600 / US));
	}
	set_tz("UTC");
}

struct time_case {
	const char *arg;
	int ok;
	int64_t secs;
};

static const struct time_case time_cases[] = {
	{ "2026-09-21", 1, 1789948800 },
	{ "2026-09-21T06:30", 1, 1789972200 },
	{ "2026-09-21 06:30:15", 1, 1789972215 },
	{ "now", 1, 1789992000 },
	{ "today", 1, 1789948800 },
	{ "yesterday", 1, 1789862400 },
	{ "@0", 1, 0 },
	{ "@1789948800", 1, 1789948800 },
	{ "@-5", 0, 0 },
	{ "@", 0, 0 },
	{ "@12x", 0, 0 },
	{ "2026-09-21T24:00", 0, 0 },
	{ "2026-09-21T06:60", 0, 0 },
	{ "2026-09-21T6:30", 0, 0 },
	{ "2026-09-21X06:30", 0, 0 },
	{ "2026-09-21T06:30:15Z", 0, 0 },
	{ "2026-09-21T06:3a", 0, 0 },
};

static void test_parse_time(void **state)
{
	(void)state;
	set_tz("UTC");
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		const struct time_case *c = &time_cases[i];
		int64_t t = -1;
		int rc = report_parse_time(c->arg, 1, NOW, &t);

		if (rc != (c->ok ? 0 : -1) || (c->ok && t != c->secs * US))
			fail_msg("case %zu (%s): rc %d t %lld", i, c->arg, rc, (long long)t);
	}
}

static void test_format_time(void **state)
{
	char buf[64];

	(void)state;
	set_tz("Europe/Berlin");
	assert_string_equal(report_format_time(1789948800 * US, 0, TF_ISO, buf, sizeof(buf)),
			    "2026-09-21T02:00:00+02:00");
	assert_string_equal(report_format_time(1789948800 * US, 1, TF_ISO, buf, sizeof(buf)),
			    "2026-09-21T00:00:00Z");
	assert_string_equal(report_format_time(1789948800 * US, 0, TF_SHORT, buf, sizeof(buf)),
			    "09-21 02:00");
	set_tz("Asia/Kolkata");
	assert_string_equal(report_format_time(1789948800 * US, 0, TF_ISO, buf, sizeof(buf)),
			    "2026-09-21T05:30:00+05:30");
	set_tz("UTC");
	assert_string_equal(report_format_time(1789948800 * US + 999999, 1, TF_MINUTE, buf, sizeof(buf)),
			    "2026-09-21 00:00");
}

static void test_human(void **state)
{
	static const struct { uint64_t v; const char *s; } cases[] = {
		{ 0, "0" }, { 999, "999" }, { 1000, "1.00k" }, { 1234, "1.23k" }, { 99949, "99.9k" },
		{ 999499, "999k" }, { 999950, "1.00M" }, { 1500000, "1.50M" }, { 12345678901ull, "12.3G" },
		{ UINT64_MAX, "18.4E" },
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(report_human(cases[i].v, buf, sizeof(buf)), cases[i].s))
			fail_msg("case %zu: %llu -> %s, want %s", i, (unsigned long long)cases[i].v, buf,
				 cases[i].s);
}

static void test_sparkline(void **state)
{
	const uint64_t v[] = { 0, 1, 50, 100, 1000 };
	char buf[64];

	(void)state;
	assert_string_equal(report_sparkline(v, 5, 1000, 1, buf, sizeof(buf)), " ...@");
	assert_string_equal(report_sparkline(v, 5, 1000, 0, buf, sizeof(buf)),
			    " \u2581\u2581\u2581\u2588");
	assert_string_equal(report_sparkline(v, 5, 0, 1, buf, sizeof(buf)), "     ");
	/* a buffer too small stops at a whole glyph */
	assert_string_equal(report_sparkline(v, 5, 1000, 0, buf, 8), " \u2581\u2581");
}

/* Every table's text columns (two spaces apart, two of indent) fit 80 columns. */
static void test_table_widths(void **state)
{
	(void)state;
	for (int t = 0; t < RT_COUNT; t++) {
		const struct rtable *tab = report_table_template((enum report_table)t);
		int w = 0, n = 0;

		for (unsigned c = 0; c < tab->ncols; c++)
			if (tab->cols[c].width && tab->cols[c].type != RC_HOST) {
				w += tab->cols[c].width;
				n++;
				if ((int)strlen(tab->cols[c].title) > tab->cols[c].width)
					fail_msg("%s.%s: title wider than the column", tab->name,
						 tab->cols[c].name);
			}
		if (2 + w + 2 * (n - 1) > 80)
			fail_msg("table %s is %d columns wide", tab->name, 2 + w + 2 * (n - 1));
		assert_int_equal(tab->cols[0].type, RC_HOST);
	}
	/* the runs columns the unfinished-run note and JSON read by index */
	assert_string_equal(report_table_template(RT_RUNS)->cols[REPORT_RUN_ID].name, "run");
	assert_string_equal(report_table_template(RT_RUNS)->cols[REPORT_RUN_STARTED].name, "started");
	assert_string_equal(report_table_template(RT_RUNS)->cols[REPORT_RUN_ENDED].name, "ended");
	assert_string_equal(report_table_template(RT_RUNS)->cols[REPORT_RUN_LAST_STATS].name, "last_stats");
}

/* report_spoof_classes and every `class IN (...)` list in reports/ *.sql name exactly the
 * classes classify_is_spoof() is true for. */
static void test_spoof_lists(void **state)
{
	int want = 0, seen_lists = 0;

	(void)state;
	for (int c = 0; c < CLS_COUNT; c++)
		want += classify_is_spoof((enum spoof_class)c);
	assert_int_equal(want, REPORT_NSPOOF);
	for (int i = 0; i < REPORT_NSPOOF; i++) {
		int found = 0;

		for (int c = 0; c < CLS_COUNT; c++)
			found |= classify_is_spoof((enum spoof_class)c) &&
				 !strcmp(classify_class_name((enum spoof_class)c), report_spoof_classes[i]);
		if (!found)
			fail_msg("%s is not a spoofed class", report_spoof_classes[i]);
	}
	for (unsigned f = 0; embedded_reports[f].name; f++) {
		const char *p = embedded_reports[f].text;

		while ((p = strstr(p, "class IN ("))) {
			const char *end = strchr(p, ')');
			int n = 0;

			assert_non_null(end);
			for (int i = 0; i < REPORT_NSPOOF; i++) {
				char q[64];
				const char *hit;

				snprintf(q, sizeof(q), "'%s'", report_spoof_classes[i]);
				hit = strstr(p, q);
				n += hit && hit < end;
			}
			if (n != REPORT_NSPOOF)
				fail_msg("%s: a class list names %d of the %d spoofed classes",
					 embedded_reports[f].name, n, REPORT_NSPOOF);
			seen_lists++;
			p = end;
		}
	}
	assert_true(seen_lists >= 8);
}

static void test_pcapng_layout(void **state)
{
	struct export_pcapng w;
	char *buf = NULL;
	size_t len = 0, off = 0;
	FILE *f = open_memstream(&buf, &len);
	uint8_t pkt[61];
	uint32_t types[4], n = 0;

	(void)state;
	memset(pkt, 0xab, sizeof(pkt));
	assert_non_null(f);
	assert_int_equal(export_pcapng_begin(&w, f, "spoofaudit test"), 0);
	assert_int_equal(export_pcapng_iface(&w, "eth0", 1), 0);
	assert_int_equal(export_pcapng_iface(&w, "eth0", 1), 0);	/* same: same id */
	assert_int_equal(export_pcapng_packet(&w, 0, 1789948800123456ull, pkt, 61, 70), 0);
	assert_int_equal(export_pcapng_packet(&w, 1, 0, pkt, 1, 1), -1);	/* no iface 1 */
	assert_int_equal(export_pcapng_packet(&w, 0, 0, pkt, 61, 60), -1);	/* caplen > wirelen */
	assert_int_equal(fclose(f), 0);
	/* walk the blocks: each starts and ends with its total length, a multiple of 4 */
	while (off + 12 <= len && n < 4) {
		uint32_t t, l, l2;

		memcpy(&t, buf + off, 4);
		memcpy(&l, buf + off + 4, 4);
		assert_true(l % 4 == 0 && off + l <= len);
		memcpy(&l2, buf + off + l - 4, 4);
		assert_int_equal(l, l2);
		types[n++] = t;
		if (t == 6) {
			uint32_t th, tl, cl, ol;

			memcpy(&th, buf + off + 12, 4);
			memcpy(&tl, buf + off + 16, 4);
			memcpy(&cl, buf + off + 20, 4);
			memcpy(&ol, buf + off + 24, 4);
			assert_int_equal(((uint64_t)th << 32) | tl, 1789948800123456ull);
			assert_int_equal(cl, 61);
			assert_int_equal(ol, 70);
			assert_int_equal(l, 28 + 64 + 4);
			assert_memory_equal(buf + off + 28, pkt, 61);
		}
		off += l;
	}
	assert_int_equal(off, len);
	assert_int_equal(n, 3);
	assert_int_equal(types[0], 0x0A0D0D0A);
	assert_int_equal(types[1], 1);
	assert_int_equal(types[2], 6);
	free(buf);
}

static void test_store_rows(void **state)
{
	char dir[] = "/tmp/test_report.XXXXXX", path[128], err[256];
	struct store *st;
	struct store_rows *q;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.db", dir);
	st = store_open(path, STORE_OPEN_CREATE, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_query_int(st, "PRAGMA auto_vacuum"), 2);	/* incremental */
	q = store_rows_prepare(st, "t", "SELECT :a + 1, :s, :b, NULL");
	assert_non_null(q);
	assert_int_equal(store_rows_bind_int(q, ":a", 41), 0);
	assert_int_equal(store_rows_bind_int(q, ":unused", 1), 0);	/* a no-op */
	assert_int_equal(store_rows_bind_text(q, ":s", "x"), 0);
	assert_int_equal(store_rows_bind_blob(q, ":b", "\0\1", 2), 0);
	assert_int_equal(store_rows_step(q), 1);
	assert_int_equal(store_rows_ncols(q), 4);
	assert_int_equal(store_col_int(q, 0), 42);
	assert_string_equal(store_col_text(q, 1), "x");
	assert_int_equal(store_col_blob(q, 2, &n) != NULL, 1);
	assert_int_equal(n, 2);
	assert_true(store_col_isnull(q, 3));
	assert_string_equal(store_col_text(q, 3), "");
	assert_int_equal(store_rows_step(q), 0);
	store_rows_free(q);
	assert_null(store_rows_prepare(st, "bad.sql", "SELEKT 1"));
	assert_non_null(strstr(store_errmsg(st), "bad.sql"));
	store_close(st);
	assert_int_equal(store_file_version(path, err, sizeof(err)), store_latest_version());
	snprintf(path, sizeof(path), "%s/none.db", dir);
	assert_int_equal(store_file_version(path, err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* CSV cells: RFC 4180 quoting, and OWASP's neutralisation of text a spreadsheet would
 * evaluate (= + - @ TAB CR first: quoted, a single quote before), but not of plain
 * numbers, and never of integer columns. Expected cells written by hand. */
struct csv_case {
	const char *text;	/* the decode_errors "reason" (a text column) */
	int64_t count;		/* its "count" (an integer column) */
	const char *line;	/* the record line */
};

static const struct csv_case csv_cases[] = {
	{ "plain", 1, "h,plain,1\r\n" },
	{ "a,b", 2, "h,\"a,b\",2\r\n" },
	{ "say \"hi\"", 3, "h,\"say \"\"hi\"\"\",3\r\n" },
	{ "=1+1", 4, "h,\"'=1+1\",4\r\n" },
	{ "=HYPERLINK(\"http://x/\",\"y\")", 5, "h,\"'=HYPERLINK(\"\"http://x/\"\",\"\"y\"\")\",5\r\n" },
	{ "+cmd", 6, "h,\"'+cmd\",6\r\n" },
	{ "-2+3", 7, "h,\"'-2+3\",7\r\n" },
	{ "@SUM(A1)", 8, "h,\"'@SUM(A1)\",8\r\n" },
	{ "\t=1", 9, "h,\"'\t=1\",9\r\n" },
	{ "\rx", 10, "h,\"'\rx\",10\r\n" },
	{ "-", 11, "h,\"'-\",11\r\n" },
	{ "-12", -12, "h,-12,-12\r\n" },		/* plain numbers stay numbers */
	{ "+20%", 0, "h,+20%,0\r\n" },
	{ "-3.5", 12, "h,-3.5,12\r\n" },
	{ "-3.", 13, "h,\"'-3.\",13\r\n" },
	{ "-1e3", 14, "h,\"'-1e3\",14\r\n" },
	{ "a=1", 15, "h,a=1,15\r\n" },		/* only the first character counts */
	{ "", 16, "h,,16\r\n" },
};

static void test_csv_cells(void **state)
{
	struct report r;
	struct rtable *t;
	struct rcell cells[3];
	char *out = NULL;
	size_t len = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (int i = 0; i < RT_COUNT; i++)
		r.tables[i] = *report_table_template((enum report_table)i);
	t = &r.tables[RT_DECODE_ERRORS];
	assert_int_equal(t->ncols, 3);
	t->cells = cells;
	t->nrows = 1;
	for (size_t i = 0; i < sizeof(csv_cases) / sizeof(csv_cases[0]); i++) {
		const struct csv_case *c = &csv_cases[i];
		FILE *f = open_memstream(&out, &len);
		const char *nl;

		assert_non_null(f);
		memset(cells, 0, sizeof(cells));
		cells[0].s = (char *)"h";
		cells[1].s = (char *)c->text;
		cells[2].i = c->count;
		assert_int_equal(report_write_csv(&r, "decode_errors", f), 0);
		fclose(f);
		nl = strstr(out, "\r\n");
		assert_non_null(nl);
		if (strcmp(nl + 2, c->line))
			fail_msg("case %zu: %s, want %s", i, nl + 2, c->line);
		free(out);
		out = NULL;
	}
}

/* Durations as the coverage line writes them: two units at most, no "0.0 h". */
static void test_duration(void **state)
{
	static const struct { int64_t secs; const char *want; } cases[] = {
		{ 0, "0 s" }, { 59, "59 s" }, { 60, "1 min" }, { 100, "1 min 40 s" },
		{ 3599, "59 min 59 s" }, { 3600, "1 h" }, { 11520, "3 h 12 min" },
		{ 11545, "3 h 12 min" }, { 86400, "1 d" }, { 90000, "1 d 1 h" },
		{ 82800, "23 h" }, { 90000 + 59, "1 d 1 h" }, { -5, "0 s" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(report_duration(cases[i].secs, buf, sizeof(buf)), cases[i].want))
			fail_msg("%lld s: \"%s\", want \"%s\"", (long long)cases[i].secs, buf,
				 cases[i].want);
}

/* Every class the classifier names has a human label of its own. */
static void test_class_labels(void **state)
{
	(void)state;
	for (int c = 0; c < CLS_COUNT; c++) {
		const char *n = classify_class_name((enum spoof_class)c);
		const char *l = report_class_label(n);

		if (!strcmp(l, n) || strlen(l) > 26)
			fail_msg("%s: label \"%s\" (missing, or wider than the text column)", n, l);
	}
	assert_string_equal(report_class_label("spoof_loopback_src"), "forged loopback source");
	assert_string_equal(report_class_label("no_such_class"), "no_such_class");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_day),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_human),
		cmocka_unit_test(test_sparkline),
		cmocka_unit_test(test_table_widths),
		cmocka_unit_test(test_spoof_lists),
		cmocka_unit_test(test_pcapng_layout),
		cmocka_unit_test(test_store_rows),
		cmocka_unit_test(test_csv_cells),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_class_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
