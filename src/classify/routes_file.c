/* This file reads the route snapshot from files and options: a saved JSON dump of
 * `ip -j route show table all`, `ip -6 -j route show table all` or `ip -j rule show`
 * (jansson), and --route 'PREFIX dev IF' specifications. */
#include "classify/routes_file.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ROUTES_FILE_MAX_BYTES (256u << 20)	/* a dump larger than this is refused */

/* The family of an address text: 6 with a ':', 4 with a '.', else 0. */
static int text_family(const char *s)
{
	return !s ? 0 : strchr(s, ':') ? 6 : strchr(s, '.') ? 4 : 0;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Parses "default", "A.B.C.D/N", "ADDR" (full length) or "0" (ip's zero prefix) of family
 * fam (0: from the text). */
static int parse_dst(const char *s, int fam, struct prefix *p)
{
	if (!s)
		return -1;
	if (strcmp(s, "default") == 0 || strcmp(s, "all") == 0 || strcmp(s, "0") == 0) {
		memset(p, 0, sizeof(*p));
		p->family = (uint8_t)(fam ? fam : 4);
		return 0;
	}
	return prefix_parse(s, fam, p);
}

/* One object of an `ip -j route` dump. */
static int json_route(struct rtsnap *s, const json_t *o, int fam, char *err, size_t errlen)
{
	struct rt_route r;
	const json_t *nhs = json_object_get(o, "nexthops"), *nh;
	const char *type = jstr(o, "type"), *table = jstr(o, "table");
	size_t i;
	int t;

	memset(&r, 0, sizeof(r));
	r.table = RTSNAP_TABLE_MAIN;
	if (parse_dst(jstr(o, "dst"), fam, &r.dst) < 0) {
		snprintf(err, errlen, "bad \"dst\" %s", jstr(o, "dst") ? jstr(o, "dst") : "(none)");
		return -1;
	}
	t = type ? rtsnap_type_parse(type) : RT_UNICAST;
	r.type = (uint8_t)(t < 0 ? RT_OTHER : t);
	if (table && rtsnap_table_parse(table, &r.table) < 0) {
		snprintf(err, errlen, "bad \"table\" %s", table);
		return -1;
	}
	if (json_is_integer(json_object_get(o, "table")))
		r.table = (uint32_t)json_integer_value(json_object_get(o, "table"));
	if (json_is_integer(json_object_get(o, "metric")))
		r.metric = (uint32_t)json_integer_value(json_object_get(o, "metric"));
	if (json_object_get(o, "tos") || json_object_get(o, "dsfield"))
		r.tos = 1;		/* a tos route: not modelled */
	if (jstr(o, "dev"))
		r.dev[r.n_nh++] = jstr(o, "dev");
	json_array_foreach(nhs, i, nh)
		if (r.n_nh < RTSNAP_MAX_NH && jstr(nh, "dev"))
			r.dev[r.n_nh++] = jstr(nh, "dev");
	if (rtsnap_add_route(s, &r) < 0) {
		snprintf(err, errlen, "%s", errno == ENOSPC ? "too many routes or devices" :
			 "bad route");
		return -1;
	}
	return 0;
}

/* Keys of an `ip -j rule` object the model evaluates; any other selects on something it
 * does not (iif, oif, fwmark, uidrange, ipproto, sport, dport, tos, l3mdev, goto...). */
static int rule_key_known(const char *k)
{
	static const char *const known[] = { "priority", "src", "srclen", "dst", "dstlen",
					     "table", "not", "action", "protocol", "flags" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(k, known[i]) == 0)
			return 1;
	return 0;
}

/* A rule's from/to: "all", or an address with an optional "srclen"/"dstlen". */
static int rule_prefix(const json_t *o, const char *key, const char *lenkey, int fam,
		       struct prefix *p)
{
	const char *a = jstr(o, key);
	const json_t *len = json_object_get(o, lenkey);
	char buf[96];

	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)fam;
	if (!a || strcmp(a, "all") == 0)
		return 0;
	if (len && !json_is_integer(len))
		return -1;
	if (len)
		snprintf(buf, sizeof(buf), "%s/%lld", a, (long long)json_integer_value(len));
	else
		snprintf(buf, sizeof(buf), "%s", a);
	if (strcmp(a, "0") == 0)
		return 0;
	return prefix_parse(buf, fam, p);
}

/* One object of an `ip -j rule show` dump. */
static int json_rule(struct rtsnap *s, const json_t *o, int fam, char *err, size_t errlen)
{
	static const char *const acts[] = { [RA_BLACKHOLE] = "blackhole",
		[RA_UNREACHABLE] = "unreachable", [RA_PROHIBIT] = "prohibit", [RA_NOP] = "nop",
		[RA_GOTO] = "goto" };
	struct rt_rule r;
	const char *k, *act = jstr(o, "action"), *table = jstr(o, "table");
	const json_t *v;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.family = (uint8_t)fam;
	r.action = RA_TABLE;
	r.priority = (uint32_t)json_integer_value(json_object_get(o, "priority"));
	r.invert = json_object_get(o, "not") != NULL;
	json_object_foreach((json_t *)o, k, v)
		if (!rule_key_known(k))
			r.unsupported = 1;
	if (rule_prefix(o, "src", "srclen", fam, &r.from) < 0 ||
	    rule_prefix(o, "dst", "dstlen", fam, &r.to) < 0) {
		snprintf(err, errlen, "bad rule \"src\" or \"dst\"");
		return -1;
	}
	if (act) {
		r.action = 0;
		for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
			if (acts[i] && strcmp(acts[i], act) == 0)
				r.action = (uint8_t)i;
		if (!r.action || r.action == RA_GOTO)
			r.unsupported = 1;
	}
	if (r.action == RA_TABLE && (!table || rtsnap_table_parse(table, &r.table) < 0)) {
		snprintf(err, errlen, "bad rule \"table\" %s", table ? table : "(none)");
		return -1;
	}
	if (rtsnap_add_rule(s, &r) < 0) {
		snprintf(err, errlen, "too many rules");
		return -1;
	}
	return 0;
}

/* The family an entry's addresses show, or 0 ("default dev wg0" shows none). */
static int entry_family(const json_t *o)
{
	static const char *const keys[] = { "dst", "gateway", "prefsrc", "src" };
	const json_t *nh;
	size_t j, k;
	int f;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if ((f = text_family(jstr(o, keys[k]))) != 0)
			return f;
	json_array_foreach(json_object_get(o, "nexthops"), j, nh)
		if ((f = text_family(jstr(nh, "gateway"))) != 0)
			return f;
	return 0;
}

/* The family of the first entry that shows one: an entry that shows none takes the
 * family of the entry before it (a dump of both families lists IPv4 first, then IPv6). */
static int dump_family(const json_t *a)
{
	const json_t *o;
	size_t i;
	int f;

	json_array_foreach(a, i, o)
		if ((f = entry_family(o)) != 0)
			return f;
	return 4;
}

int rtsnap_load_json(struct rtsnap *s, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = NULL, *o;
	struct stat st;
	size_t i;
	int fam, ret = -1;

	if (stat(path, &st) < 0 || st.st_size > (off_t)ROUTES_FILE_MAX_BYTES) {
		snprintf(err, errlen, "%s", errno ? strerror(errno) : "file too large");
		return -1;
	}
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "line %d: %s", je.line, je.text);
		return -1;
	}
	if (!json_is_array(root)) {
		snprintf(err, errlen, "not a JSON array (expected `ip -j route show table all`)");
		goto out;
	}
	fam = dump_family(root);
	json_array_foreach(root, i, o) {
		char e1[160] = "";
		int rc;

		if (!json_is_object(o)) {
			snprintf(err, errlen, "entry %zu: not an object", i + 1);
			goto out;
		}
		if (entry_family(o))
			fam = entry_family(o);
		rc = json_object_get(o, "priority") ? json_rule(s, o, fam, e1, sizeof(e1)) :
		     json_route(s, o, fam, e1, sizeof(e1));
		if (rc < 0) {
			snprintf(err, errlen, "entry %zu: %s", i + 1, e1);
			goto out;
		}
	}
	ret = 0;
out:
	json_decref(root);
	return ret;
}

int rtsnap_parse_spec(struct rtsnap *s, const char *spec, char *err, size_t errlen)
{
	char buf[256], *tok, *save = NULL;
	struct rt_route r;
	int t, have_dst = 0;

	memset(&r, 0, sizeof(r));
	r.table = RTSNAP_TABLE_MAIN;
	if (!spec || strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "too long");
		return -1;
	}
	strcpy(buf, spec);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *arg = NULL;

		if (!strcmp(tok, "dev") || !strcmp(tok, "table") || !strcmp(tok, "metric")) {
			arg = strtok_r(NULL, " \t", &save);
			if (!arg) {
				snprintf(err, errlen, "`%s' needs a value", tok);
				return -1;
			}
		}
		if (!strcmp(tok, "dev")) {
			if (r.n_nh >= RTSNAP_MAX_NH)
				goto bad;
			r.dev[r.n_nh++] = arg;
		} else if (!strcmp(tok, "table")) {
			if (rtsnap_table_parse(arg, &r.table) < 0)
				goto bad;
		} else if (!strcmp(tok, "metric")) {
			uint32_t m;

			if (rtsnap_table_parse(arg, &m) < 0)	/* a number, as a table id is */
				goto bad;
			r.metric = m;
		} else if (!have_dst && (t = rtsnap_type_parse(tok)) >= 0 && r.type == 0) {
			r.type = (uint8_t)t;
		} else if (!have_dst && parse_dst(tok, 0, &r.dst) == 0) {
			have_dst = 1;
		} else {
			goto bad;
		}
		continue;
bad:
		snprintf(err, errlen, "bad word `%s'", tok);
		return -1;
	}
	if (!have_dst || (r.type == RT_UNICAST && r.n_nh == 0)) {
		snprintf(err, errlen, "expected 'PREFIX dev IF' or 'TYPE PREFIX'");
		return -1;
	}
	if (rtsnap_add_route(s, &r) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	return 0;
}
