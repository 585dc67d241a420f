/* This file reads the kernel's drop counters (kcounters.h) from /proc: every length and
 * number it parses is bounded, and a file or field that is missing leaves that counter
 * unread rather than zero. */
#include "classify/kcounters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kcounter_names[KC_COUNT] = {
	[KC_IN_MARTIAN_SRC] = "in_martian_src",
	[KC_IN_MARTIAN_DST] = "in_martian_dst",
	[KC_IP6_IN_HDR_ERRORS] = "Ip6InHdrErrors",
	[KC_IP6_IN_ADDR_ERRORS] = "Ip6InAddrErrors",
	[KC_IP_RPFILTER] = "IPReversePathFilter",
};

static FILE *open_in(const char *proc, const char *rel)
{
	char path[512];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", proc, rel) >= sizeof(path))
		return NULL;
	return fopen(path, "re");
}

/* Splits line into at most max whitespace-separated fields, in place. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	for (char *t = strtok(line, " \t\n"); t && n < max; t = strtok(NULL, " \t\n"))
		f[n++] = t;
	return n;
}

static int parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -1;
	v = strtoull(s, &end, base);
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* rt_cache: a header of column names, then one row of hex numbers per CPU. */
static void read_rt_cache(struct kcounters *k, const char *proc)
{
	enum { MAXF = 64 };
	char line[2048], *f[MAXF];
	int col[2] = { -1, -1 }, n, i;
	uint64_t sum[2] = { 0, 0 }, v;
	FILE *fp = open_in(proc, "net/stat/rt_cache");

	if (!fp)
		return;
	if (fgets(line, sizeof(line), fp)) {
		n = split(line, f, MAXF);
		for (i = 0; i < n; i++) {
			if (!strcmp(f[i], "in_martian_src"))
				col[0] = i;
			else if (!strcmp(f[i], "in_martian_dst"))
				col[1] = i;
		}
	}
	while (col[0] >= 0 && col[1] >= 0 && fgets(line, sizeof(line), fp)) {
		n = split(line, f, MAXF);
		for (i = 0; i < 2; i++) {
			if (col[i] >= n || parse_u64(f[col[i]], 16, &v) < 0)
				goto out;
			sum[i] += v;
		}
	}
	if (col[0] >= 0 && col[1] >= 0) {
		k->val[KC_IN_MARTIAN_SRC] = sum[0];
		k->val[KC_IN_MARTIAN_DST] = sum[1];
		k->ok[KC_IN_MARTIAN_SRC] = k->ok[KC_IN_MARTIAN_DST] = 1;
	}
out:
	fclose(fp);
}

/* snmp6: "Name value" per line. */
static void read_snmp6(struct kcounters *k, const char *proc)
{
	char line[256], *f[3];
	uint64_t v;
	FILE *fp = open_in(proc, "net/snmp6");

	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (split(line, f, 3) != 2 || parse_u64(f[1], 10, &v) < 0)
			continue;
		for (int c = KC_IP6_IN_HDR_ERRORS; c <= KC_IP6_IN_ADDR_ERRORS; c++)
			if (!strcmp(f[0], kcounter_names[c])) {
				k->val[c] = v;
				k->ok[c] = 1;
			}
	}
	fclose(fp);
}

/* netstat: pairs of lines, "TcpExt: names..." then "TcpExt: values...". */
static void read_netstat(struct kcounters *k, const char *proc)
{
	enum { MAXF = 256 };
	char names[8192], vals[8192];
	char *fn[MAXF], *fv[MAXF];
	uint64_t v;
	FILE *fp = open_in(proc, "net/netstat");

	if (!fp)
		return;
	while (fgets(names, sizeof(names), fp) && fgets(vals, sizeof(vals), fp)) {
		int n = split(names, fn, MAXF), m = split(vals, fv, MAXF);

		if (n != m || n < 2 || strcmp(fn[0], "TcpExt:") || strcmp(fv[0], "TcpExt:"))
			continue;
		for (int i = 1; i < n; i++)
			if (!strcmp(fn[i], kcounter_names[KC_IP_RPFILTER]) &&
			    parse_u64(fv[i], 10, &v) == 0) {
				k->val[KC_IP_RPFILTER] = v;
				k->ok[KC_IP_RPFILTER] = 1;
			}
	}
	fclose(fp);
}

int kcounters_read(struct kcounters *k, const char *proc)
{
	int n = 0;

	memset(k, 0, sizeof(*k));
	read_rt_cache(k, proc);
	read_snmp6(k, proc);
	read_netstat(k, proc);
	for (int c = 0; c < KC_COUNT; c++)
		n += k->ok[c];
	return n;
}
