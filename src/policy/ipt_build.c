/* This file contains the parser's builders: the error reporter, growable arrays, and the
 * functions that add chains, rules and interface patterns to the ruleset being built, plus
 * the small helpers every rule-level parser shares. It sits at the bottom of the parser:
 *
 *   ipt_parse.c  (lines, tokens, tables, chain declarations, COMMIT, final checks)
 *     -> ipt_rule.c  (one rule: core options, -m, -j)
 *          -> ipt_mopt.c (match options)   -> ipt_build.c, ipt_names.c
 *          -> ipt_target.c (target meaning) -> ipt_build.c, ipt_names.c
 *          -> ipt_build.c
 *     -> ipt_build.c
 *
 * Nothing here calls a function of the files above it. */
#include "policy/ipt_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ipt_perr(struct ipt_pstate *ps, unsigned col, const char *fmt, ...)
{
	va_list ap;

	ps->err->line = ps->line;
	ps->err->col = col;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

int ipt_ps_oom(struct ipt_pstate *ps)
{
	ipt_perr(ps, 0, "out of memory");
	errno = ENOMEM;
	return -1;
}

int ipt_grow(void **arr, uint32_t *cap, uint32_t n, size_t sz)
{
	void *p;
	uint32_t ncap;

	if (n < *cap)
		return 0;
	if (*cap > UINT32_MAX / 2)
		return -1;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, (size_t)ncap * sz);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static uint32_t chain_hash(int table, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)table;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h;
}

/* The slot of (table, name) in ps->chash: the one holding it, or the empty one where it
 * goes. chash_cap > 0. */
static uint32_t chain_slot(struct ipt_pstate *ps, int table, const char *name)
{
	uint32_t mask = ps->chash_cap - 1, i = chain_hash(table, name) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t id = ps->chash[i];

		ps->ops++;
		if (id == 0 || (ps->rs->chains[id - 1].table == table &&
				strcmp(ps->rs->chains[id - 1].name, name) == 0))
			return i;
	}
}

uint32_t ipt_ps_chain(struct ipt_pstate *ps, int table, const char *name)
{
	uint32_t id;

	if (!ps->chash_cap)
		return IPT_NONE;
	id = ps->chash[chain_slot(ps, table, name)];
	return id ? id - 1 : IPT_NONE;
}

/* Makes room in the chain index for one more chain (rehashing when half full). */
static int chain_index_grow(struct ipt_pstate *ps)
{
	uint32_t *old = ps->chash, ocap = ps->chash_cap, i;

	if (ocap && ps->rs->nchains + 1 <= ocap / 2)
		return 0;
	if (ocap > UINT32_MAX / 4)
		return -1;
	ps->chash_cap = ocap ? ocap * 2 : 64;
	ps->chash = calloc(ps->chash_cap, sizeof(*ps->chash));
	if (!ps->chash) {
		ps->chash = old;
		ps->chash_cap = ocap;
		return -1;
	}
	for (i = 0; i < ocap; i++) {
		uint32_t id = old[i];

		if (id)
			ps->chash[chain_slot(ps, ps->rs->chains[id - 1].table,
					     ps->rs->chains[id - 1].name)] = id;
	}
	free(old);
	return 0;
}

int ipt_ps_stopped(struct ipt_pstate *ps)
{
	if (!ps->stop || !*ps->stop)
		return 0;
	ipt_perr(ps, 0, "interrupted");
	errno = EINTR;
	return 1;
}

int ipt_ps_ifpat(struct ipt_pstate *ps, const char *name)
{
	struct ipt_ruleset *rs = ps->rs;
	size_t len = strlen(name);
	int wild = len > 0 && name[len - 1] == '+';
	uint32_t i;

	if (wild)
		len--;
	for (i = 0; i < rs->nifpat; i++)
		if (rs->ifpat[i].wildcard == wild && rs->ifpat[i].len == len &&
		    memcmp(rs->ifpat[i].name, name, len) == 0)
			return (int)i;
	if (len >= IPT_IFNAMSIZ || rs->nifpat >= INT16_MAX)
		return -1;
	if (ipt_grow((void **)&rs->ifpat, &ps->cap_ifpat, rs->nifpat, sizeof(*rs->ifpat)) != 0)
		return -1;
	memset(&rs->ifpat[rs->nifpat], 0, sizeof(rs->ifpat[0]));
	memcpy(rs->ifpat[rs->nifpat].name, name, len);
	rs->ifpat[rs->nifpat].len = (uint8_t)len;
	rs->ifpat[rs->nifpat].wildcard = (uint8_t)wild;
	return (int)rs->nifpat++;
}

int ipt_ps_add_rule(struct ipt_pstate *ps, const struct ipt_rule *r)
{
	struct ipt_ruleset *rs = ps->rs;

	if (rs->nrules == IPT_NONE - 1 ||
	    ipt_grow((void **)&rs->rules, &ps->cap_rules, rs->nrules, sizeof(*rs->rules)) != 0)
		return -1;
	rs->rules[rs->nrules++] = *r;
	return 0;
}

uint32_t ipt_ps_add_chain(struct ipt_pstate *ps, const char *name, int table, int hook)
{
	struct ipt_ruleset *rs = ps->rs;
	struct ipt_chain *c;

	if (ipt_grow((void **)&rs->chains, &ps->cap_chains, rs->nchains, sizeof(*rs->chains)) != 0 ||
	    chain_index_grow(ps) != 0)
		return IPT_NONE;
	c = &rs->chains[rs->nchains];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	if (!c->name)
		return IPT_NONE;
	c->table = (uint8_t)table;
	c->hook = (int8_t)hook;
	c->policy = hook >= 0 ? IPT_V_ACCEPT : IPT_V_UNKNOWN;
	/* a name not yet in the table (callers look it up first): its empty slot */
	ps->chash[chain_slot(ps, table, name)] = rs->nchains + 1;
	return rs->nchains++;
}

int ipt_push_str(char ***argv, uint16_t *argc, const char *s)
{
	char **nv;

	if (*argc == UINT16_MAX)
		return -1;
	nv = realloc(*argv, ((size_t)*argc + 1) * sizeof(char *));
	if (!nv)
		return -1;
	*argv = nv;
	nv[*argc] = strdup(s);
	if (!nv[*argc])
		return -1;
	(*argc)++;
	return 0;
}

int ipt_nomem(struct ipt_rctx *c)
{
	return ipt_perr(c->ps, 0, "out of memory");
}

/* Sets the ruleset family from a family-specific construct, or checks it. */
int ipt_family_hint(struct ipt_rctx *c, int fam, const struct ipt_tok *t, const char *what)
{
	struct ipt_ruleset *rs = c->ps->rs;

	if (rs->family == 0)
		rs->family = fam;
	if (rs->family != fam)
		return ipt_perr(c->ps, t->col, "%s `%s' in an IPv%d ruleset", what, t->s,
				rs->family);
	return 0;
}
