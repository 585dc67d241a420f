/* This file tests that the report's time functions stay defined for every int64 input (a
 * tampered or corrupt database can hold any timestamp): formatting the extremes, and
 * days around "now" at the ends of the range. Expected dates come from the proleptic
 * Gregorian day count (Hinnant's civil_from_days, worked out outside this code). One
 * case per row. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"

#define US 1000000LL
#define DAY_US (86400LL * US)

static const struct {
	int64_t us;
	const char *iso;	/* TF_ISO in UTC */
} format_rows[] = {
	{ INT64_MIN, "-290308-12-21T19:59:05Z" },
	{ INT64_MIN + 1, "-290308-12-21T19:59:05Z" },
	{ -1000001, "1969-12-31T23:59:58Z" },
	{ -1000000, "1969-12-31T23:59:59Z" },
	{ -1, "1969-12-31T23:59:59Z" },
	{ 0, "1970-01-01T00:00:00Z" },
	{ 1789948800000000LL, "2026-09-21T00:00:00Z" },
	{ INT64_MAX, "294247-01-10T04:00:54Z" },
};

static void test_format_extremes(void **state)
{
	char buf[64];
	(void)state;

	for (size_t i = 0; i < sizeof(format_rows) / sizeof(format_rows[0]); i++) {
		report_format_time(format_rows[i].us, 1, TF_ISO, buf, sizeof(buf));
		if (strcmp(buf, format_rows[i].iso))
			fail_msg("row %zu: %lld formats as `%s', want `%s'", i,
				 (long long)format_rows[i].us, buf, format_rows[i].iso);
		/* every format, local time too: defined, terminated, not empty */
		for (int utc = 0; utc < 2; utc++)
			for (int f = TF_ISO; f <= TF_SHORT; f++) {
				memset(buf, 'x', sizeof(buf));
				report_format_time(format_rows[i].us, utc, (enum report_tfmt)f, buf,
						   sizeof(buf));
				assert_non_null(memchr(buf, '\0', sizeof(buf)));
				assert_true(buf[0] != '\0');
			}
	}
}

static void test_day_at_extremes(void **state)
{
	int64_t since = 0, until = 0;
	(void)state;

	/* the day holding INT64_MAX ends past it: no such period */
	assert_int_equal(report_parse_day("today", 1, INT64_MAX, &since, &until), -1);
	/* the day before it fits whole */
	assert_int_equal(report_parse_day("yesterday", 1, INT64_MAX, &since, &until), 0);
	assert_true(until - since == DAY_US);
	assert_true(since % DAY_US == 0);
	assert_true(until <= INT64_MAX - (INT64_MAX % DAY_US));
	/* before the epoch: refused, never wrapped */
	assert_int_equal(report_parse_day("today", 1, INT64_MIN, &since, &until), -1);
	assert_int_equal(report_parse_day("yesterday", 0, INT64_MIN, &since, &until), -1);
	assert_int_equal(report_parse_time("today", 1, INT64_MAX, &since), -1);
	assert_int_equal(report_parse_time("yesterday", 1, INT64_MIN, &since), -1);
	assert_int_equal(report_parse_time("@9223372036854775807", 1, 0, &since), -1);
	assert_int_equal(report_parse_time("@253402300799", 1, 0, &since), 0);
	assert_true(since == 253402300799LL * US);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_extremes),
		cmocka_unit_test(test_day_at_extremes),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
