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

enum policy_lang policy_sniff(const char *t, size_t len, unsigned *line, unsigned *col,
			      int *json)
{
	static const char *const kw[] = { "table", "flush", "define", "include", "add", "create",
					   "delete", "insert", "destroy", NULL };
	unsigned ln = 1, cl = 1;
	int js = 0;
	enum policy_lang lang = POLICY_IPTABLES;
	size_t i = 0;

	while (i < len) {
		size_t s = i, e;

		while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r'))
			i++;
		for (e = i; e < len && t[e] != '\n'; e++)
			;
		if (i < e && t[i] != '#') {
			cl = (unsigned)(i - s) + 1;
			if (t[i] == '{' && memmem(t + i, len - i, "\"nftables\"", 10)) {
				js = 1;
				lang = POLICY_NFT;
			}
			for (int k = 0; kw[k] && !js; k++) {
				size_t n = strlen(kw[k]);

				if (e - i > n && !memcmp(t + i, kw[k], n) &&
				    (t[i + n] == ' ' || t[i + n] == '\t'))
					lang = POLICY_NFT;
			}
			break;
		}
		i = e + 1;
		ln++;
	}
	if (line)
		*line = ln;
	if (col)
		*col = cl;
	if (json)
		*json = js;
	return lang;
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

/* Drops slot f's hold of its nftables ruleset (freed with its last holder). */
static void nft_unref(struct policy *p, int f)
{
	struct policy_nft *n = p->nft[f];

	p->nft[f] = NULL;
	if (n && --n->refs == 0) {
		nft_ruleset_free(n->rs);
		free(n->text);
		free(n);
	}
}

/* Empties slot f of p. */
static void slot_clear(struct policy *p, int f)
{
	ipt_compiled_free(p->cp[f]);
	ipt_ruleset_free(p->rs[f]);
	p->cp[f] = NULL;
	p->rs[f] = NULL;
	nft_unref(p, f);
}

/* Reads a whole file (at most NFT_MAX_INPUT bytes) into a new NUL-terminated buffer. */
static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1 << 16, n = 0, r;
	char *buf = NULL, *nb;

	if (!f)
		return NULL;
	while ((nb = realloc(buf, cap + 1))) {
		buf = nb;
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap || cap > NFT_MAX_INPUT)
			break;
		cap *= 2;
	}
	if (!nb || ferror(f) || n > NFT_MAX_INPUT) {
		free(buf);
		fclose(f);
		errno = nb ? EFBIG : ENOMEM;
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* The nftables front end: a file (JSON or native syntax, by content) or JSON text into
 * slot f of out, and into slot 1 - f too when both is set. */
static int load_nft(struct policy *out, const struct policy_src *s, int both, int *positioned,
		    char *err, size_t errlen)
{
	struct policy_nft *n = calloc(1, sizeof(*n));
	struct nft_error e;
	int f = s->family == 6;

	memset(&e, 0, sizeof(e));
	if (!n)
		goto nomem;
	if (s->kind == POLICY_FILE) {
		n->rs = nft_load_file(s->path, &e);
		if (n->rs && !nft_looks_json(s->text, s->len))
			n->text = read_whole(s->path, &n->len);	/* rule text by line */
	} else {
		n->rs = nft_load_json(s->text ? s->text : "", s->len, src_name(s), &e);
	}
	if (!n->rs) {
		if (e.line)
			snprintf(err, errlen, "%s:%u:1: %s", e.file, e.line, e.msg);
		else
			snprintf(err, errlen, "%s: %s", e.file[0] ? e.file : src_name(s),
				 e.msg[0] ? e.msg : strerror(errno ? errno : EINVAL));
		if (positioned && e.line)
			*positioned = 1;
		free(n);
		return -1;
	}
	slot_clear(out, f);
	out->nft[f] = n;
	n->refs = 1;
	if (both) {
		slot_clear(out, 1 - f);
		out->nft[1 - f] = n;
		n->refs++;
	}
	return 0;
nomem:
	snprintf(err, errlen, "%s: %s", src_name(s), strerror(ENOMEM));
	return -1;
}

/* The language of a file source, by its first bytes. */
static enum policy_lang file_lang(const struct policy_src *s, struct policy_src *copy,
				  char *head, size_t cap)
{
	FILE *f = fopen(s->path, "r");
	size_t n = 0;

	*copy = *s;
	if (f) {
		n = fread(head, 1, cap, f);
		fclose(f);
	}
	copy->text = head;	/* for load_nft's JSON test only */
	copy->len = n;
	return policy_sniff(head, n, NULL, NULL, NULL);
}

/* Parses and compiles one source into slot f of out (empty). other: the other family
 * has a source of its own (an nftables ruleset then fills this slot only). */
static int load_one(struct policy *out, const struct policy_src *s, const struct rulesrc_reply *live,
		    int other, int *positioned, char *err, size_t errlen)
{
	int f = s->family == 6;
	const char *text = s->text;
	size_t len = s->len;
	char head[8192];
	struct policy_src fs;

	if (s->kind == POLICY_FILE && (s->family == 4 || s->family == 6) &&
	    file_lang(s, &fs, head, sizeof(head)) == POLICY_NFT)
		return load_nft(out, &fs, !other, positioned, err, errlen);
	if (s->kind == POLICY_TEXT && s->lang == POLICY_NFT && (s->family == 4 || s->family == 6))
		return load_nft(out, s, !other, positioned, err, errlen);
	if ((s->kind != POLICY_FILE && s->lang != POLICY_IPTABLES) ||
	    (s->family != 4 && s->family != 6)) {
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
	slot_clear(out, f);
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
	for (i = 0; i < n; i++) {
		int other = 0;
		size_t j;

		for (j = 0; j < n; j++)
			other |= (src[j].family == 6) != (src[i].family == 6);
		if (load_one(&tmp, &src[i], &live, other, positioned, err, errlen) < 0)
			goto out;
	}
	for (f = 0; f < 2; f++) {
		if (policy_has(&tmp, f)) {
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
	slot_clear(to, f);
	to->rs[f] = from->rs[f];
	to->cp[f] = from->cp[f];
	to->nft[f] = from->nft[f];	/* the hold moves: refs unchanged */
	from->rs[f] = NULL;
	from->cp[f] = NULL;
	from->nft[f] = NULL;
}

void policy_free(struct policy *p)
{
	int f;

	if (!p)
		return;
	for (f = 0; f < 2; f++)
		slot_clear(p, f);
	memset(p, 0, sizeof(*p));
}

int policy_has(const struct policy *p, int f)
{
	return p && (p->rs[f] || p->nft[f]);
}
