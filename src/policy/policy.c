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

/* Whether nft table fam/name is one that iptables-nft makes for family f (4 or 6). */
static int ipt_nft_table(int f, const char *fam, const char *name)
{
	static const char *const t[] = { "filter", "nat", "mangle", "raw", "security", NULL };
	int i;

	if (strcmp(fam, f == 6 ? "ip6" : "ip"))
		return 0;
	for (i = 0; t[i]; i++)
		if (!strcmp(name, t[i]))
			return 1;
	return 0;
}

/* The tables of rs that see family f's packets, with their rule counts: "inet guard (2
 * rules), ip filter (1 rule, iptables-nft)" into buf. */
static void nft_tables_text(const struct nft_ruleset *rs, int f, char *buf, size_t len)
{
	struct nft_chain_info ci;
	const char *last_t = NULL, *last_f = NULL;
	size_t used = 0;
	unsigned n = 0;
	uint32_t c, nc = nft_chain_count(rs);

	buf[0] = '\0';
	for (c = 0; c <= nc && used + 1 < len; c++) {
		int more = c < nc && nft_chain_get(rs, c, &ci) == 0;

		if (last_t && (!more || strcmp(ci.table, last_t) || strcmp(ci.family, last_f))) {
			int w = snprintf(buf + used, len - used, "%s%s %s (%u rule%s%s)", used ? ", " : "",
					 last_f, last_t, n, n == 1 ? "" : "s",
					 ipt_nft_table(f ? 6 : 4, last_f, last_t) ? ", iptables-nft" : "");

			used += w > 0 ? (size_t)w : 0;
			last_t = NULL;
		}
		if (!more || (strcmp(ci.family, f ? "ip6" : "ip") && strcmp(ci.family, "inet")))
			continue;
		if (!last_t) {
			last_t = ci.table;
			last_f = ci.family;
			n = 0;
		}
		n += ci.nrules;
	}
	if (used + 1 >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

/* The live slot f from nftables' whole ruleset (the reader's JSON): the host has native
 * nftables tables, so iptables-save's text alone is not what the kernel runs. */
static int load_live_nft(struct policy *out, const struct policy_src *s,
			 const struct rulesrc_reply *live, char *err, size_t errlen)
{
	int f = s->family == 6;
	struct policy_src js = *s;
	char tabs[400];

	if (live->nft_status != RULESRC_OK || !live->nft_json) {
		snprintf(err, errlen, "live: the %s firewall has native nftables tables (%s), and "
			 "nftables' ruleset could not be listed: %.200s", f ? "IPv6" : "IPv4",
			 live->native[f], live->nft_json ? live->nft_json : "no answer");
		return -1;
	}
	js.kind = POLICY_TEXT;
	js.lang = POLICY_NFT;
	js.text = live->nft_json;
	js.len = live->nft_len;
	js.path = "the live nftables ruleset";
	if (out->nft[1 - f] && out->nft[1 - f]->live) {
		/* the other family's slot holds this reply's ruleset already: one parse */
		slot_clear(out, f);
		out->nft[f] = out->nft[1 - f];
		out->nft[f]->refs++;
	} else if (load_nft(out, &js, 0, NULL, err, errlen) < 0) {
		return -1;
	}
	out->nft[f]->live = 1;
	if (!out->nft[f]->text && live->nft_text &&
	    (out->nft[f]->text = strdup(live->nft_text)) != NULL) {
		/* each rule's text from nft's own listing of the same ruleset */
		out->nft[f]->len = live->nft_text_len;
		out->nft[f]->listing = 1;
		nft_map_lines(out->nft[f]->rs, out->nft[f]->text, out->nft[f]->len);
	}
	nft_tables_text(out->nft[f]->rs, f, tabs, sizeof(tabs));
	snprintf(out->origin[f], sizeof(out->origin[f]), "nftables: %s", tabs);
	if (live->legacy[f] || live->both[f])
		snprintf(out->warn[f], sizeof(out->warn[f]), "iptables-legacy tables also hold %s "
			 "rules on the live host; they run beside nftables' and are not evaluated "
			 "here (only nftables' ruleset is)", f ? "IPv6" : "IPv4");
	return 0;
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
	if (s->kind == POLICY_LIVE && live->native[f])
		return load_live_nft(out, s, live, err, errlen);
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
		snprintf(out->origin[f], sizeof(out->origin[f]), "%s (%s)",
			 live->legacy[f] ? "iptables-legacy" : "iptables-nft",
			 live->legacy[f] ? (f ? "ip6tables-legacy-save" : "iptables-legacy-save") :
			 src_name(s));
		if (live->both[f])
			snprintf(out->warn[f], sizeof(out->warn[f]), "iptables-legacy tables also hold "
				 "%s rules on the live host; they run beside the nft ones and are not "
				 "evaluated here (only %s's are)", f ? "IPv6" : "IPv4", src_name(s));
	}
	slot_clear(out, f);
	out->rs[f] = parse_ipt(s, text, len, positioned, err, errlen);
	if (!out->rs[f])
		return -1;
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
			memcpy(p->origin[f], tmp.origin[f], sizeof(p->origin[f]));
		}
	}
	ret = 0;
out:
	rulesrc_reply_free(&live);
	policy_free(&tmp);
	return ret;
}

int policy_load_reply(struct policy *p, int fam, const struct rulesrc_reply *x, char *err,
		      size_t errlen)
{
	struct policy_src s;
	struct policy tmp;
	int f = fam == 6;

	memset(&s, 0, sizeof(s));
	memset(&tmp, 0, sizeof(tmp));
	s.kind = POLICY_LIVE;
	s.lang = POLICY_IPTABLES;
	s.family = f ? 6 : 4;
	if (load_one(&tmp, &s, x, 1, NULL, err, errlen) < 0) {
		policy_free(&tmp);
		return -1;
	}
	policy_move(p, &tmp, f);
	memcpy(p->warn[f], tmp.warn[f], sizeof(p->warn[f]));
	memcpy(p->origin[f], tmp.origin[f], sizeof(p->origin[f]));
	policy_free(&tmp);
	return 0;
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
