/* This file contains the report's time handling: parsing --day, --since and --until in
 * local time or UTC, and formatting times for people and for JSON. */
#include "report/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USEC 1000000LL
/* Years accepted: far enough apart for any capture, small enough for time_t math. */
#define YEAR_MIN 1970
#define YEAR_MAX 9999

/* Seconds since the epoch of a broken-down time in local time or UTC; tm_isdst = -1 lets
 * mktime() decide. Returns -1 on failure. */
static int64_t tm_to_secs(struct tm *tm, int utc)
{
	time_t t;

	tm->tm_isdst = -1;
	errno = 0;
	t = utc ? timegm(tm) : mktime(tm);
	if (t == (time_t)-1 && errno)
		return -1;
	return (int64_t)t;
}

/* Parses exactly "YYYY-MM-DD" at s, checking the day exists. */
static int parse_date(const char *s, struct tm *tm)
{
	int y, m, d, n = 0;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (strlen(s) < 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return -1;
	for (int i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return -1;
	if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	return 0;
}

/* Seconds of us, rounded down (toward the past) without overflow for any int64. */
static int64_t floor_secs(int64_t us)
{
	int64_t s = us / USEC;

	return us % USEC < 0 ? s - 1 : s;
}

/* The broken-down calendar day of now_us, shifted by delta days, at midnight. Returns 0,
 * or -1 when the C library cannot break that time down. */
static int day_of(int64_t now_us, int utc, int delta, struct tm *tm)
{
	time_t t = (time_t)floor_secs(now_us);

	if (!(utc ? gmtime_r(&t, tm) : localtime_r(&t, tm)))
		return -1;
	tm->tm_hour = tm->tm_min = tm->tm_sec = 0;
	tm->tm_mday += delta;
	return 0;
}

int report_parse_day(const char *arg, int utc, int64_t now_us, int64_t *since_us,
		     int64_t *until_us)
{
	struct tm tm, next;
	int64_t a, b;

	if (!strcmp(arg, "today")) {
		if (day_of(now_us, utc, 0, &tm) < 0)
			return -1;
	} else if (!strcmp(arg, "yesterday")) {
		if (day_of(now_us, utc, -1, &tm) < 0)
			return -1;
	} else if (strlen(arg) != 10 || parse_date(arg, &tm) < 0) {
		return -1;
	}
	next = tm;
	next.tm_mday++;
	a = tm_to_secs(&tm, utc);
	b = tm_to_secs(&next, utc);
	/* both ends must be microsecond counts an int64 holds */
	if (a < 0 || b <= a || b > INT64_MAX / USEC)
		return -1;
	*since_us = a * USEC;
	*until_us = b * USEC;
	return 0;
}

int report_parse_time(const char *arg, int utc, int64_t now_us, int64_t *us)
{
	struct tm tm;
	int h = 0, mi = 0, sec = 0, n = 0;
	size_t len = strlen(arg);
	int64_t s;

	if (!strcmp(arg, "now")) {
		*us = now_us;
		return 0;
	}
	if (!strcmp(arg, "today") || !strcmp(arg, "yesterday")) {
		int64_t until;

		return report_parse_day(arg, utc, now_us, us, &until);
	}
	if (arg[0] == '@') {
		char *end;
		long long v;

		if (arg[1] < '0' || arg[1] > '9')
			return -1;
		errno = 0;
		v = strtoll(arg + 1, &end, 10);
		if (errno || *end || v > 253402300799LL)	/* 9999-12-31T23:59:59Z */
			return -1;
		*us = (int64_t)v * USEC;
		return 0;
	}
	if (len < 10 || parse_date(arg, &tm) < 0)
		return -1;
	if (len > 10) {
		const char *t = arg + 11;

		if (arg[10] != 'T' && arg[10] != ' ')
			return -1;
		if (strlen(t) == 5) {
			if (sscanf(t, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
				return -1;
		} else if (strlen(t) == 8) {
			if (sscanf(t, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 || n != 8)
				return -1;
		} else {
			return -1;
		}
		for (const char *c = t; *c; c++)
			if (*c != ':' && (*c < '0' || *c > '9'))
				return -1;
		if (h > 23 || mi > 59 || sec > 59)
			return -1;
	}
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	s = tm_to_secs(&tm, utc);
	if (s < 0 || s > INT64_MAX / USEC)
		return -1;
	*us = s * USEC;
	return 0;
}

char *report_format_time(int64_t us, int utc, enum report_tfmt fmt, char *buf, size_t len)
{
	time_t t = (time_t)floor_secs(us);
	struct tm tm;
	char off[8];

	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm))) {
		snprintf(buf, len, "@%lld", (long long)t);	/* no calendar date for it */
		return buf;
	}
	switch (fmt) {
	case TF_ISO:
		if (utc) {
			strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
		} else {
			strftime(off, sizeof(off), "%z", &tm);	/* +0200 -> +02:00 */
			if (strlen(off) == 5)
				snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%.3s:%.2s",
					 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
					 tm.tm_min, tm.tm_sec, off, off + 3);
			else
				strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm);
		}
		break;
	case TF_DATE:
		strftime(buf, len, "%Y-%m-%d", &tm);
		break;
	case TF_MINUTE:
		strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
		break;
	case TF_SHORT:
		strftime(buf, len, "%m-%d %H:%M", &tm);
		break;
	}
	return buf;
}
