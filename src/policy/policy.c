/* This file contains the one ruleset loader (see policy.h): sources read (file, the
 * privileged reader, or text), parsed by the language's front end, compiled. */
#include "policy/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/rulesrc.h"

#define LIVE_TIMEOUT_MS 60000

static const char *src_name(const struct policy_src *s)
{
	if (s->path)
		return s->path;
	if (s->kind == POLICY_FILE)
		return "?";
	return s->family == 6 ? "ip6tables-save" : "iptables-save";
}

/* Whether text is an nftables ruleset rather than iptables-save text: its first statement
 * (after blank and comment lines) is one of nft's, or it is nft's JSON. Sets *line and
 * *col (1-based) and *what to that statement's kind. */
static int nft_sniff(const char *t, size_t len, unsigned *line, unsigned *col, const char **what)
{
	static const char *const kw[] = { "table", "flush", "define", "include", "add", "create",
					   "delete", "insert", "destroy", NULL };
	size_t i = 0;

	*line = 1;
	while (i < len) {
		size_t s = i, e;

		while (i < len && (t[i] == ' ' || t[i] == '\t'))
			i++;
		for (e = i; e < len && t[e] != '\n'; e++)
			;
		if (i < e && t[i] != '#') {
			*col = (unsigned)(i - s) + 1;
			if (t[i] == '{' && memmem(t + i, len - i, "\"nftables\"", 10)) {
				*what = "nft's JSON (nft -j list ruleset)";
				return 1;
			}
			for (int k = 0; kw[k]; k++) {
				size_t n = strlen(kw[k]);

				if (e - i > n && !memcmp(t + i, kw[k], n) &&
				    (t[i + n] == ' ' || t[i + n] == '\t')) {
					*what = "nft's native syntax (nft list ruleset, /etc/nftables.conf)";
					return 1;
				}
			}
			return 0;
		}
		i = e + 1;
		(*line)++;
	}
	return 0;
}

/* A message for an nftables file given where iptables-save text is read. */
static int nft_message(const struct policy_src *s, const char *text, size_t len, char *err,
		       size_t errlen)
{
	char buf[8192];
	unsigned line, col;
	const char *what;
	size_t n = 0;
	FILE *f;

	if (s->kind == POLICY_FILE) {
		if (!(f = fopen(s->path, "r")))
			return 0;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		text = buf;
		len = n;
	}
	if (!text || !nft_sniff(text, len, &line, &col, &what))
		return 0;
	snprintf(err, errlen, "%s:%u:%u: this is an nftables ruleset (%s), not %s text; this "
		 "version reads iptables-save rulesets only. A host whose iptables rules live in "
		 "nftables through iptables-nft prints them as iptables text with `%s`; a native "
		 "nftables ruleset cannot be checked yet", src_name(s), line, col, what,
		 s->family == 6 ? "ip6tables-save" : "iptables-save",
		 s->family == 6 ? "ip6tables-save" : "iptables-save");
	return 1;
}

/* The iptables front end: text (or a file) into a parsed ruleset. */
static struct ipt_ruleset *parse_ipt(const struct policy_src *s, const char *text, size_t len,
				     int *positioned, char *err, size_t errlen)
{
	struct ipt_ruleset *rs;
	struct ipt_error e;

	memset(&e, 0, sizeof(e));
	errno = 0;
	if (s->kind == POLICY_FILE)
		rs = ipt_parse_file(s->path, s->family, &e);
	else
		rs = ipt_parse_buffer(text ? text : "", len, src_name(s), s->family, &e);
	if (rs)
		return rs;
	if (nft_message(s, text, len, err, errlen)) {
		if (positioned)
			*positioned = 1;
		return NULL;
	}
	if (e.line) {
		snprintf(err, errlen, "%s:%u:%u: %s", e.file, e.line, e.col, e.msg);
		if (positioned)
			*positioned = 1;
	} else {
		snprintf(err, errlen, "%s: %s", src_name(s),
			 e.msg[0] ? e.msg : strerror(errno ? errno : EINVAL));
	}
	return NULL;
}

/* Reads the live rulesets through the privileged reader. Returns 0 with *x filled, or -1. */
static int read_live(struct rulesrc_reply *x, char *err, size_t errlen)
{
	struct rulesrc r;
	int rc;

	if (!rulesrc_can_read()) {
		snprintf(err, errlen, "live: reading the kernel's ruleset (iptables-save) needs root");
		return -1;
	}
	if (rulesrc_start(&r, err, errlen) < 0)
		return -1;
	rc = rulesrc_request(&r) < 0 ? -1 : rulesrc_wait(&r, LIVE_TIMEOUT_MS, x);
	rulesrc_stop(&r);
	if (rc != 1) {
		snprintf(err, errlen, "live: %s", rc == 0 ? "the ruleset reader did not answer in time" :
			 "the ruleset reader failed");
		return -1;
	}
	return 0;
}

/* Parses and compiles one source into slot f of out (empty). */
static int load_one(struct policy *out, const struct policy_src *s, const struct rulesrc_reply *live,
		    int *positioned, char *err, size_t errlen)
{
	int f = s->family == 6;
	const char *text = s->text;
	size_t len = s->len;

	if (s->lang != POLICY_IPTABLES || (s->family != 4 && s->family != 6)) {
		snprintf(err, errlen, "%s: unsupported policy source", src_name(s));
		return -1;
	}
	if (s->kind == POLICY_LIVE) {
		if (live->status[f] != RULESRC_OK) {
			const char *m = live->text[f] ? live->text[f] : "failed";
			size_t n = strlen(m);

			while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
				n--;	/* the program's own newline */
			snprintf(err, errlen, "%s: %.*s", src_name(s), (int)n, m);
			return -1;
		}
		text = live->text[f];
		len = live->len[f];
		if (live->native[f])
			snprintf(out->warn[f], sizeof(out->warn[f]), "the live host also filters %s "
				 "traffic in native nftables tables that %s does not show and this "
				 "version does not evaluate: %s", f ? "IPv6" : "IPv4", src_name(s),
				 live->native[f]);
	}
	ipt_ruleset_free(out->rs[f]);
	ipt_compiled_free(out->cp[f]);
	out->cp[f] = NULL;
	out->rs[f] = parse_ipt(s, text, len, positioned, err, errlen);
	if (!out->rs[f])
		return -1;
	if (live && s->kind == POLICY_LIVE && live->native[f] && !ipt_rule_count(out->rs[f])) {
		/* never an empty ruleset standing for a firewall this version cannot read */
		snprintf(err, errlen, "live: the %s firewall is native nftables (%s), which this "
			 "version cannot read yet, and %s shows no rule: comparing with that would "
			 "be wrong", f ? "IPv6" : "IPv4", live->native[f], src_name(s));
		return -1;
	}
	out->cp[f] = ipt_compile(out->rs[f]);
	if (!out->cp[f]) {
		snprintf(err, errlen, "%s: %s", src_name(s), strerror(errno ? errno : ENOMEM));
		return -1;
	}
	return 0;
}

int policy_load(struct policy *p, const struct policy_src *src, size_t n, int *positioned,
		char *err, size_t errlen)
{
	struct rulesrc_reply live;
	struct policy tmp;
	size_t i;
	int need_live = 0, ret = -1, f;

	memset(&live, 0, sizeof(live));
	memset(&tmp, 0, sizeof(tmp));
	if (positioned)
		*positioned = 0;
	for (i = 0; i < n; i++)
		need_live |= src[i].kind == POLICY_LIVE;
	if (need_live && read_live(&live, err, errlen) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (load_one(&tmp, &src[i], &live, positioned, err, errlen) < 0)
			goto out;
	for (i = 0; i < n; i++) {
		f = src[i].family == 6;
		if (tmp.rs[f]) {
			policy_move(p, &tmp, f);
			memcpy(p->warn[f], tmp.warn[f], sizeof(p->warn[f]));
		}
	}
	ret = 0;
out:
	rulesrc_reply_free(&live);
	policy_free(&tmp);
	return ret;
}

void policy_move(struct policy *to, struct policy *from, int f)
{
	ipt_compiled_free(to->cp[f]);
	ipt_ruleset_free(to->rs[f]);
	to->rs[f] = from->rs[f];
	to->cp[f] = from->cp[f];
	from->rs[f] = NULL;
	from->cp[f] = NULL;
}

void policy_free(struct policy *p)
{
	int f;

	if (!p)
		return;
	for (f = 0; f < 2; f++) {
		ipt_compiled_free(p->cp[f]);
		ipt_ruleset_free(p->rs[f]);
	}
	memset(p, 0, sizeof(*p));
}
