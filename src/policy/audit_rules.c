/* This file contains the live audit's ruleset comparisons: a change-detection hash of
 * iptables-save text that ignores comments and counters, the rule-level difference
 * between the intended and the live ruleset (rules added, removed and changed per
 * chain, policies changed), and which NFLOG prefixes name a drop or reject rule. */
#include "policy/audit.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

uint64_t audit_rules_hash(const char *text, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	size_t i = 0;

	while (i < len) {
		size_t e = i;

		while (e < len && text[e] != '\n')
			e++;
		if (text[i] != '#') {
			size_t j = i, stop = e;

			if (text[i] == '[') {	/* "[p:b] -A ..." */
				while (j < e && text[j] != ']')
					j++;
				j = j < e ? j + 2 : i;
			}
			if (text[i] == ':') {	/* ":INPUT ACCEPT [p:b]" */
				size_t k = i;

				while (k < e && text[k] != '[')
					k++;
				if (k < e)
					stop = k;
			}
			while (stop > j && (text[stop - 1] == ' ' || text[stop - 1] == '\r'))
				stop--;
			for (; j < stop; j++)
				h = (h ^ (uint8_t)text[j]) * 1099511628211ull;
			h = (h ^ '\n') * 1099511628211ull;
		}
		i = e + 1;
	}
	return h;
}

uint64_t audit_nft_json_hash(const char *text, size_t len)
{
	static const char *const skip[] = { "\"packets\":", "\"bytes\":", "\"expires\":" };
	uint64_t h = 1469598103934665603ull;
	size_t i = 0, k;

	while (i < len) {
		h = (h ^ (uint8_t)text[i]) * 1099511628211ull;
		for (k = 0; k < 3; k++) {
			size_t n = strlen(skip[k]);

			if (text[i] == '"' && len - i >= n && !memcmp(text + i, skip[k], n)) {
				i += n;
				while (i < len && (text[i] == ' ' || isdigit((unsigned char)text[i])))
					i++;
				break;
			}
		}
		if (k == 3)
			i++;
	}
	return h;
}

/* A rule's canonical text without a counters prefix (malloc'd), or NULL. */
char *audit_rule_text(const struct ipt_ruleset *rs, uint32_t rule)
{
	int n = ipt_rule_format(rs, rule, NULL, 0);
	char *buf, *p;

	if (n < 0 || !(buf = malloc((size_t)n + 1)))
		return NULL;
	ipt_rule_format(rs, rule, buf, (size_t)n + 1);
	if (buf[0] == '[' && (p = strstr(buf, "] ")) != NULL)
		memmove(buf, p + 2, strlen(p + 2) + 1);
	/* iptables-save spells out REJECT's default; a hand-written file usually does not */
	if ((p = strstr(buf, " -j REJECT --reject-with icmp-port-unreachable")) != NULL ||
	    (p = strstr(buf, " -j REJECT --reject-with icmp6-port-unreachable")) != NULL) {
		char *end = p + strlen(" -j REJECT --reject-with icmp-port-unreachable") +
			    (p[strlen(" -j REJECT --reject-with icmp")] == '6');

		if (*end == '\0' || *end == ' ')
			memmove(p + strlen(" -j REJECT"), end, strlen(end) + 1);
	}
	return buf;
}

/* Splits text into tokens at spaces, keeping quoted strings whole. Returns the count (at
 * most max); the tokens point into text, which is modified. */
static size_t tokenize(char *text, char **tok, size_t max)
{
	size_t n = 0;
	char *p = text;

	while (*p && n < max) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		tok[n++] = p;
		while (*p && *p != ' ') {
			if (*p == '"') {
				for (p++; *p && *p != '"'; p++)
					if (*p == '\\' && p[1])
						p++;
				if (*p)
					p++;
			} else {
				p++;
			}
		}
	}
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A rate's unit spelled one way: 5/s, 5/second and 5/sec are one limit. */
static void rate_unit(const char *t, char *out, size_t len)
{
	const char *sl = strchr(t, '/');
	static const char *const units[][2] = {
		{"s", "sec"}, {"sec", "sec"}, {"second", "sec"}, {"m", "min"}, {"min", "min"},
		{"minute", "min"}, {"h", "hour"}, {"hour", "hour"}, {"d", "day"}, {"day", "day"},
	};
	size_t i;

	if (sl && sl > t && t[0] >= '0' && t[0] <= '9')
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(sl + 1, units[i][0])) {
				snprintf(out, len, "%.*s/%s", (int)(sl - t), t, units[i][1]);
				return;
			}
	snprintf(out, len, "%s", t);
}

/* The comparison key of a rule's canonical text: within each -m module and the target,
 * option groups ("[!] --opt value...") sorted, and rate units spelled one way, because
 * iptables-save prints a module's options in its own order ("--nflog-prefix x
 * --nflog-group 5") and its own units ("5/sec"). Malloc'd, or NULL. */
char *audit_rule_key(const char *text)
{
	size_t len = strlen(text), cap = len * 2 + 64, n, i, ng, used = 0, k;
	char *copy = strdup(text), **tok = calloc(len / 2 + 2, sizeof(char *));
	char **grp = calloc(len / 2 + 2, sizeof(char *)), *out = malloc(cap);

	if (!copy || !tok || !grp || !out)
		goto fail;
	n = tokenize(copy, tok, len / 2 + 2);
	out[0] = '\0';
	for (i = 0; i < n;) {
		int seg = (!strcmp(tok[i], "-m") || !strcmp(tok[i], "-j") || !strcmp(tok[i], "-g")) &&
			  i + 1 < n;

		if (!seg) {
			used += (size_t)snprintf(out + used, cap - used, "%s ", tok[i]);
			i++;
			continue;
		}
		used += (size_t)snprintf(out + used, cap - used, "%s %s ", tok[i], tok[i + 1]);
		i += 2;
		/* the segment's option groups, each joined into one string, sorted */
		ng = 0;
		while (i < n && strcmp(tok[i], "-m") && strcmp(tok[i], "-j") && strcmp(tok[i], "-g")) {
			char buf[1024];
			size_t bl = 0;
			int first = 1;

			buf[0] = '\0';
			while (i < n && strcmp(tok[i], "-m") && strcmp(tok[i], "-j") && strcmp(tok[i], "-g")) {
				int starts = !strcmp(tok[i], "!") || !strncmp(tok[i], "--", 2);
				char unit[256];

				if (!first && starts && !(bl >= 2 && !strcmp(buf + bl - 2, "! ")))
					break;
				rate_unit(tok[i], unit, sizeof(unit));
				bl += (size_t)snprintf(buf + bl, sizeof(buf) > bl ? sizeof(buf) - bl : 0,
						       "%s ", unit);
				if (bl >= sizeof(buf))
					bl = sizeof(buf) - 1;
				first = 0;
				i++;
			}
			if (!(grp[ng++] = strdup(buf)))
				goto fail_groups;
		}
		qsort(grp, ng, sizeof(char *), cmp_str);
		for (k = 0; k < ng; k++) {
			used += (size_t)snprintf(out + used, cap > used ? cap - used : 0, "%s", grp[k]);
			if (used >= cap)
				used = cap - 1;
			free(grp[k]);
		}
		continue;
fail_groups:
		for (k = 0; k + 1 < ng; k++)
			free(grp[k]);
		goto fail;
	}
	free(copy);
	free(tok);
	free(grp);
	return out;
fail:
	free(copy);
	free(tok);
	free(grp);
	free(out);
	return NULL;
}

struct side_chain {
	uint32_t first, n;	/* rule ids */
	char **text;		/* display text */
	char **key;		/* comparison key */
};

static void chain_texts_free(struct side_chain *c)
{
	uint32_t i;

	if (c->text)
		for (i = 0; i < c->n; i++)
			free(c->text[i]);
	if (c->key)
		for (i = 0; i < c->n; i++)
			free(c->key[i]);
	free(c->text);
	free(c->key);
	c->text = c->key = NULL;
}

/* A chain of either language, as the diff sees it. */
struct rd_chain {
	char table[80];		/* "filter" (iptables) or "inet filter" (nft) */
	const char *name;
	int tid;		/* iptables: enum ipt_table */
	int hook, declared;	/* declared: the chain has a policy of its own */
	enum ipt_verdict policy;
	unsigned line;
	uint32_t first, n;
};

static uint32_t rd_count(const struct policy_rules *r)
{
	return r->lang == POLICY_NFT ? nft_chain_count(r->nft->rs) : ipt_chain_count(r->ipt);
}

/* Chain c of r; -1 when absent or, for nftables, in a table that does not see family fam
 * (ip: IPv4, ip6: IPv6, inet: both; arp, bridge and netdev tables are not compared). */
static int rd_get(const struct policy_rules *r, int fam, uint32_t c, struct rd_chain *o)
{
	memset(o, 0, sizeof(*o));
	if (c == IPT_NONE)
		return -1;
	if (r->lang == POLICY_NFT) {
		struct nft_chain_info ci;

		if (nft_chain_get(r->nft->rs, c, &ci) < 0 ||
		    (strcmp(ci.family, "inet") && strcmp(ci.family, "netdev") &&
		     strcmp(ci.family, fam ? "ip6" : "ip")))
			return -1;
		snprintf(o->table, sizeof(o->table), "%s %s", ci.family, ci.table);
		o->name = ci.name;
		o->hook = ci.hook;
		o->declared = ci.type[0] != '\0';	/* a base chain */
		o->policy = ci.policy;
		o->first = ci.first_rule;
		o->n = ci.nrules;
	} else {
		struct ipt_chain_info ci;

		if (ipt_chain_get(r->ipt, c, &ci) < 0)
			return -1;
		snprintf(o->table, sizeof(o->table), "%s", ipt_table_name(ci.table));
		o->name = ci.name;
		o->tid = ci.table;
		o->hook = ci.hook;
		o->declared = ci.policy_declared;
		o->policy = ci.policy;
		o->line = ci.line;
		o->first = ci.first_rule;
		o->n = ci.nrules;
	}
	return 0;
}

uint32_t audit_chain_named(const struct policy_rules *r, int fam, const char *table,
			   const char *name)
{
	uint32_t c, n = rd_count(r);
	struct rd_chain x;

	for (c = 0; c < n; c++)
		if (rd_get(r, fam, c, &x) == 0 && !strcmp(x.name, name) && !strcmp(x.table, table))
			return c;
	return IPT_NONE;
}

/* The chain of r like x (same table and name), or IPT_NONE. */
static uint32_t rd_find(const struct policy_rules *r, int fam, const struct rd_chain *x,
			const struct policy_rules *xr)
{
	if (r->lang == POLICY_IPTABLES && xr->lang == POLICY_IPTABLES)
		return ipt_chain_find(r->ipt, (enum ipt_table)x->tid, x->name);
	return audit_chain_named(r, fam, x->table, x->name);
}

/* A rule's display text and comparison key (malloc'd); -1 ENOMEM. nftables rules show
 * their line of the file (native syntax) or their handle (JSON), and compare by
 * nft_rule_key(). */
static int rule_text_key(const struct policy_rules *r, uint32_t rule, char **text, char **key)
{
	char buf[1024];
	struct nft_rule_info ri;

	if (r->lang == POLICY_IPTABLES) {
		*text = audit_rule_text(r->ipt, rule);
		*key = *text ? audit_rule_key(*text) : NULL;
		return *key ? 0 : -1;
	}
	if (nft_rule_get(r->nft->rs, rule, &ri) < 0)
		return -1;
	if (policy_rule_text(r, rule, buf, sizeof(buf)) <= 0)
		snprintf(buf, sizeof(buf), "handle %llu", (unsigned long long)ri.handle);
	*text = strdup(buf);
	snprintf(buf, sizeof(buf), "%016llx",
		 (unsigned long long)nft_rule_key(r->nft->rs, rule));
	*key = strdup(buf);
	return *text && *key ? 0 : -1;
}

static int chain_texts(const struct policy_rules *r, const struct rd_chain *ch,
		       struct side_chain *c)
{
	uint32_t i;

	memset(c, 0, sizeof(*c));
	if (!ch)
		return 0;
	c->first = ch->first;
	c->n = ch->n;
	c->text = calloc(c->n ? c->n : 1, sizeof(char *));
	c->key = calloc(c->n ? c->n : 1, sizeof(char *));
	if (!c->text || !c->key)
		return -1;
	for (i = 0; i < c->n; i++)
		if (rule_text_key(r, c->first + i, &c->text[i], &c->key[i]) < 0)
			return -1;
	return 0;
}

/* Matches the rules of one chain on both sides: longest common subsequence when the chain
 * is small enough, else in order by equal text. mi/ml get 1 for matched rules. */
static int match_chain(const struct side_chain *a, const struct side_chain *b, uint8_t *mi,
		       uint8_t *ml)
{
	uint32_t i, j;

	if ((uint64_t)a->n * b->n <= 4000000u && a->n && b->n) {
		uint32_t w = b->n + 1;
		uint16_t *t = calloc((size_t)(a->n + 1) * w, sizeof(uint16_t));

		if (!t)
			return -1;
		for (i = a->n; i-- > 0;)
			for (j = b->n; j-- > 0;)
				t[i * w + j] = !strcmp(a->key[i], b->key[j]) ?
					       (uint16_t)(t[(i + 1) * w + j + 1] + 1) :
					       (t[(i + 1) * w + j] > t[i * w + j + 1] ?
						t[(i + 1) * w + j] : t[i * w + j + 1]);
		for (i = 0, j = 0; i < a->n && j < b->n;) {
			if (!strcmp(a->key[i], b->key[j])) {
				mi[a->first + i] = ml[b->first + j] = 1;
				i++, j++;
			} else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) {
				i++;
			} else {
				j++;
			}
		}
		free(t);
		return 0;
	}
	for (i = 0, j = 0; i < a->n; i++) {	/* big chains: greedy in order */
		uint32_t k;

		for (k = j; k < b->n; k++)
			if (!ml[b->first + k] && !strcmp(a->key[i], b->key[k])) {
				mi[a->first + i] = ml[b->first + k] = 1;
				j = k + 1;
				break;
			}
	}
	return 0;
}

int audit_rules_diff(const struct policy_rules *in, const struct policy_rules *lv, int fam,
		     uint8_t *mi, uint8_t *ml, audit_rdiff_fn fn, void *arg)
{
	uint32_t c, nci = rd_count(in), ncl = rd_count(lv);

	memset(mi, 0, policy_rule_count(in));
	memset(ml, 0, policy_rule_count(lv));
	if (in->lang != lv->lang) {
		errno = EXDEV;
		return -1;
	}
	/* chains of the intended ruleset, and live chains of the same table and name */
	for (c = 0; c < nci + ncl; c++) {
		struct rd_chain ci, cl;
		struct side_chain a, b;
		struct audit_rdiff d;
		uint32_t other = IPT_NONE, i, j;
		int is_live = c >= nci, have_l = 0;

		if (rd_get(is_live ? lv : in, fam, is_live ? c - nci : c, is_live ? &cl : &ci) < 0)
			continue;
		if (!is_live) {
			other = rd_find(lv, fam, &ci, in);
			have_l = rd_get(lv, fam, other, &cl) == 0;
		} else if (rd_find(in, fam, &cl, lv) != IPT_NONE) {
			continue;	/* done from the intended side */
		}
		memset(&d, 0, sizeof(d));
		d.table = is_live ? cl.table : ci.table;
		d.chain = is_live ? cl.name : ci.name;
		if (chain_texts(in, is_live ? NULL : &ci, &a) < 0 ||
		    chain_texts(lv, is_live || have_l ? &cl : NULL, &b) < 0 ||
		    (a.n && b.n && match_chain(&a, &b, mi, ml) < 0)) {
			chain_texts_free(&a);
			chain_texts_free(&b);
			errno = ENOMEM;
			return -1;
		}
		if (!is_live && have_l && ci.hook >= 0 && ci.policy != cl.policy &&
		    (ci.declared || cl.declared)) {
			d.op = AUDIT_RD_POLICY;
			d.intended_policy = ci.policy;
			d.live_policy = cl.policy;
			d.line_i = ci.line;
			fn(arg, &d);
		}
		/* unmatched rules, paired in order as "changed" when both sides have one at the
		 * same place between two matched rules */
		for (i = 0, j = 0; i < a.n || j < b.n;) {
			int ui = i < a.n && !mi[a.first + i], ul = j < b.n && !ml[b.first + j];

			d.op = 0;
			d.rule_i = d.rule_l = IPT_NONE;
			d.text_i = d.text_l = NULL;
			if (ui && ul) {
				d.op = AUDIT_RD_CHANGED;
				d.rule_i = a.first + i;
				d.rule_l = b.first + j;
				d.text_i = a.text[i];
				d.text_l = b.text[j];
				i++, j++;
			} else if (ui) {
				d.op = AUDIT_RD_REMOVED;
				d.rule_i = a.first + i;
				d.text_i = a.text[i];
				i++;
			} else if (ul) {
				d.op = AUDIT_RD_ADDED;
				d.rule_l = b.first + j;
				d.text_l = b.text[j];
				j++;
			} else {
				i += i < a.n;
				j += j < b.n;
				continue;
			}
			fn(arg, &d);
		}
		chain_texts_free(&a);
		chain_texts_free(&b);
	}
	return 0;
}

/* The --nflog-prefix argument of a rule's text, unquoted, into buf; 0, or -1 if none. */
static int nflog_prefix_of(const char *text, char *buf, size_t len)
{
	const char *p = strstr(text, " --nflog-prefix ");
	size_t k = 0;

	if (!p)
		return -1;
	p += strlen(" --nflog-prefix ");
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (k + 1 < len)
				buf[k++] = *p;
		}
	} else {
		for (; *p && *p != ' '; p++)
			if (k + 1 < len)
				buf[k++] = *p;
	}
	buf[k] = '\0';
	return 0;
}

/* The text before " -j " (the matches), length into *n. */
static const char *matches_of(const char *text, size_t *n)
{
	const char *j = strstr(text, " -j ");

	*n = j ? (size_t)(j - text) : strlen(text);
	return text;
}

int audit_prefix_drops(const struct policy_rules *pr, const char *prefix, char *why, size_t len)
{
	const struct ipt_ruleset *rs;
	uint32_t r, n;
	char pfx[128];

	if (!strncasecmp(prefix, "drop", 4) || !strncasecmp(prefix, "reject", 6)) {
		snprintf(why, len, "its prefix `%s' says drop/reject (convention)", prefix);
		return 1;
	}
	if (!pr)
		return 0;
	if (pr->lang == POLICY_NFT)
		return nft_log_prefix_drops(pr->nft->rs, prefix, why, len);
	rs = pr->ipt;
	n = ipt_rule_count(rs);
	for (r = 0; r < n; r++) {
		struct ipt_rule_info ri, rn;
		struct ipt_chain_info ci;
		char *t, *tn = NULL;
		int hit = 0;

		if (ipt_rule_get(rs, r, &ri) < 0 || strcmp(ri.target, "NFLOG"))
			continue;
		if (!(t = audit_rule_text(rs, r)))
			continue;
		if (nflog_prefix_of(t, pfx, sizeof(pfx)) < 0 || strcmp(pfx, prefix)) {
			free(t);
			continue;
		}
		ipt_chain_get(rs, ri.chain, &ci);
		if (ri.num < ci.nrules && ipt_rule_get(rs, r + 1, &rn) == 0 &&
		    (!strcmp(rn.target, "DROP") || !strcmp(rn.target, "REJECT")) &&
		    (tn = audit_rule_text(rs, r + 1)) != NULL) {
			size_t a, b;
			const char *ma = matches_of(t, &a), *mb = matches_of(tn, &b);

			if (a == b && !memcmp(ma, mb, a)) {
				snprintf(why, len, "the live rule %s %s #%u logs with it and #%u (%s) "
					 "drops the same packets", ipt_table_name(ri.table), ri.chain_name,
					 ri.num, rn.num, rn.target);
				hit = 1;
			}
		} else if (ri.num == ci.nrules && ci.hook >= 0 && ci.policy == IPT_V_DROP) {
			snprintf(why, len, "the live rule %s %s #%u logs with it as the last rule of a "
				 "chain whose policy is DROP", ipt_table_name(ri.table), ri.chain_name,
				 ri.num);
			hit = 1;
		}
		free(tn);
		free(t);
		if (hit)
			return 1;
	}
	return 0;
}
