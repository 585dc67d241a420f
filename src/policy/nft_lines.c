/* This file gives rules loaded from nft's native syntax their source line: nft's JSON
 * carries none, so the file is scanned for rule statements (the statements of a `chain
 * NAME { ... }` block inside `table [FAMILY] NAME { ... }`, and top-level `add rule`
 * commands), in order, and a chain's rules get the lines of that chain's statements when
 * both counts agree. A chain whose counts differ keeps line 0 (the caller names the rule by
 * handle). `flush ruleset` forgets what came before; `include`, `insert`, `replace` and
 * `delete` make the order unknowable: then nothing is mapped. */
#include "policy/nft_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAMEMAX 64

struct srule {
	char fam[8], table[NAMEMAX], chain[NAMEMAX];
	uint32_t line;
	char dev[NAMEMAX];	/* sc->d: an ingress chain's device */
};

struct scan {
	struct srule *r;
	uint32_t n, cap;
	struct srule *d;	/* ingress chains' devices (one each, in chain) */
	uint32_t nd, capd;
	char fam[8], table[NAMEMAX], chain[NAMEMAX];
	int depth;		/* brace depth: 1 in a table, 2 in a chain or set, 3+ within */
	int in_chain;
	int abort;
};

/* Copies the next word of s (letters, digits, _-.$@) into out; returns what follows. */
static const char *word(const char *s, const char *end, char *out, size_t len)
{
	size_t n = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s < end && *s == '"') {
		for (s++; s < end && *s != '"'; s++)
			if (n + 1 < len)
				out[n++] = *s;
		s += s < end;
	} else {
		for (; s < end && (isalnum((unsigned char)*s) || strchr("_-.$@/", *s)); s++)
			if (n + 1 < len)
				out[n++] = *s;
	}
	out[n] = '\0';
	return s;
}

static int add(struct scan *sc, const char *fam, const char *table, const char *chain,
	       uint32_t line)
{
	struct srule *r;

	if (nft_grow((void **)&sc->r, &sc->cap, sc->n, sizeof(*sc->r), NFT_MAX_RULES) < 0)
		return -1;
	r = &sc->r[sc->n++];
	snprintf(r->fam, sizeof(r->fam), "%s", fam);
	snprintf(r->table, sizeof(r->table), "%s", table);
	snprintf(r->chain, sizeof(r->chain), "%s", chain);
	r->line = line;
	return 0;
}

static int is_family(const char *w)
{
	return !strcmp(w, "ip") || !strcmp(w, "ip6") || !strcmp(w, "inet") || !strcmp(w, "arp") ||
	       !strcmp(w, "bridge") || !strcmp(w, "netdev");
}

/* `type filter hook ingress device "X"` / `devices = { X, Y }` of the current chain: its
 * devices into sc->d. */
static void devices(struct scan *sc, const char *p, const char *end)
{
	char w[NAMEMAX];
	int ingress = 0;

	while (p < end) {
		p = word(p, end, w, sizeof(w));
		if (!w[0]) {
			p++;	/* "=", "{", ",", "}", ";" */
			continue;
		}
		if (!strcmp(w, "hook")) {
			p = word(p, end, w, sizeof(w));
			ingress = !strcmp(w, "ingress");
		} else if (ingress && (!strcmp(w, "device") || !strcmp(w, "devices"))) {
			int many = !strcmp(w, "devices");

			while (p < end && (*p == ' ' || *p == '\t' || *p == '=' || *p == '{'))
				p++;
			do {
				while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
					p++;
				p = word(p, end, w, sizeof(w));
				if (w[0] && nft_grow((void **)&sc->d, &sc->capd, sc->nd, sizeof(*sc->d),
						     NFT_MAX_CHAINS) == 0) {
					struct srule *d = &sc->d[sc->nd++];

					snprintf(d->fam, sizeof(d->fam), "%s", sc->fam);
					snprintf(d->table, sizeof(d->table), "%s", sc->table);
					snprintf(d->chain, sizeof(d->chain), "%s", sc->chain);
					snprintf(d->dev, sizeof(d->dev), "%s", w);
				}
			} while (many && w[0] && p < end && *p != '}');
			return;
		}
	}
}

/* One statement (s..end, no newline or ';' at depth) starting on line. */
static void statement(struct scan *sc, const char *s, const char *end, uint32_t line)
{
	char w[NAMEMAX], a[NAMEMAX], b[NAMEMAX], c[NAMEMAX];
	const char *p = word(s, end, w, sizeof(w));

	if (!w[0])
		return;
	if (sc->depth == 0) {
		if (!strcmp(w, "include") || !strcmp(w, "insert") || !strcmp(w, "replace") ||
		    !strcmp(w, "delete") || !strcmp(w, "destroy")) {
			sc->abort = 1;
		} else if (!strcmp(w, "flush")) {
			word(p, end, a, sizeof(a));
			if (!strcmp(a, "ruleset"))
				sc->n = 0;
			else
				sc->abort = 1;	/* flush table/chain: rules gone from the middle */
		} else if (!strcmp(w, "add") || !strcmp(w, "create")) {
			p = word(p, end, a, sizeof(a));
			if (strcmp(a, "rule"))
				return;
			p = word(p, end, a, sizeof(a));
			p = word(p, end, b, sizeof(b));
			if (is_family(a)) {
				word(p, end, c, sizeof(c));
				add(sc, a, b, c, line);
			} else {
				add(sc, "ip", a, b, line);
			}
		}
		return;
	}
	if (sc->in_chain && sc->depth == 2 && !strcmp(w, "type"))
		devices(sc, p, end);
	if (sc->in_chain && sc->depth == 2 && strcmp(w, "type") && strcmp(w, "policy") &&
	    strcmp(w, "comment") && strcmp(w, "device") && strcmp(w, "devices") &&
	    add(sc, sc->fam, sc->table, sc->chain, line) < 0)
		sc->abort = 1;
}

/* The opening of a block: `table [fam] name {` (depth 0) or `chain name {` (depth 1). */
static void opening(struct scan *sc, const char *s, const char *end)
{
	char w[NAMEMAX], a[NAMEMAX], b[NAMEMAX];
	const char *p = word(s, end, w, sizeof(w));

	if (sc->depth == 0 && !strcmp(w, "table")) {
		p = word(p, end, a, sizeof(a));
		if (is_family(a)) {
			word(p, end, b, sizeof(b));
			snprintf(sc->fam, sizeof(sc->fam), "%.7s", a);
			snprintf(sc->table, sizeof(sc->table), "%s", b);
		} else {
			snprintf(sc->fam, sizeof(sc->fam), "ip");
			snprintf(sc->table, sizeof(sc->table), "%s", a);
		}
	} else if (sc->depth == 1) {
		sc->in_chain = !strcmp(w, "chain");
		if (sc->in_chain)
			word(p, end, sc->chain, sizeof(sc->chain));
	}
}

/* Whether the statement s..end starts with `table` (a block; `define x = { ... }` and
 * `add element ... { ... }` are not). */
static int is_table(const char *s, const char *end)
{
	char w[NAMEMAX];

	word(s, end, w, sizeof(w));
	return !strcmp(w, "table");
}

static void scan_text(struct scan *sc, const char *t, size_t len)
{
	const char *end = t + len, *st = t, *p;
	uint32_t line = 1, st_line = 1;
	int quote = 0, inner = 0;

	for (p = t; p < end && !sc->abort; p++) {
		if (quote) {
			quote = *p != '"';
		} else if (*p == '"') {
			quote = 1;
		} else if (*p == '#') {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if (st == p)
				st = nl ? nl : end;
			p = (nl ? nl : end) - 1;
			continue;
		} else if (*p == '\\' && p + 1 < end && p[1] == '\n') {
			p++;
			line++;
			continue;
		} else if (*p == '{' && inner == 0 && (sc->depth == 1 || (sc->depth == 0 && is_table(st, p)))) {
			opening(sc, st, p);
			sc->depth++;
			st = p + 1;
			st_line = line;
			continue;
		} else if (*p == '{') {
			inner++;	/* an anonymous set, or a set/map block */
		} else if (*p == '}' && inner > 0) {
			inner--;
		} else if (*p == '}') {
			statement(sc, st, p, st_line);
			sc->depth -= sc->depth > 0;
			if (sc->depth <= 1)
				sc->in_chain = 0;
			st = p + 1;
			st_line = line;
			continue;
		} else if ((*p == '\n' || *p == ';') && inner == 0) {
			statement(sc, st, p, st_line);
			st = p + 1;
			st_line = line + (*p == '\n');
		}
		if (*p == '\n') {
			line++;
			if (st == p + 1)
				st_line = line;
		}
		/* skip leading blanks of a statement so that its line is its first word's */
		if (st == p + 1)
			while (st < end && (*st == ' ' || *st == '\t'))
				st++;
	}
	if (!sc->abort)
		statement(sc, st, end, st_line);
}

/* The devices the text gives ingress chain ch ("a\nb\n", malloc'd), or NULL: none. */
static char *chain_devs_of(const struct scan *sc, const struct nft_table *t,
			   const struct nft_chain *ch)
{
	char *s = NULL;
	size_t i;

	for (i = 0; i < sc->nd; i++)
		if (!strcmp(sc->d[i].fam, t->family) && !strcmp(sc->d[i].table, t->name) &&
		    !strcmp(sc->d[i].chain, ch->name) && nft_devs_add(&s, sc->d[i].dev) < 0) {
			free(s);
			return NULL;
		}
	return s;
}

int nft_map_lines(struct nft_ruleset *rs, const char *text, size_t len)
{
	struct scan sc;
	uint32_t c, i, k, n, mapped = 0;

	memset(&sc, 0, sizeof(sc));
	scan_text(&sc, text, len);
	if (sc.abort) {
		free(sc.r);
		free(sc.d);
		return 0;
	}
	for (c = 0; c < rs->nchains; c++) {
		struct nft_chain *ch = &rs->chains[c];
		const struct nft_table *t = &rs->tables[ch->table];

		if (ch->hook == NFT_HOOK_INGRESS && !ch->devs)
			ch->devs = chain_devs_of(&sc, t, ch);
		for (n = 0, i = 0; i < sc.n; i++)
			n += !strcmp(sc.r[i].fam, t->family) && !strcmp(sc.r[i].table, t->name) &&
			     !strcmp(sc.r[i].chain, ch->name);
		if (n != ch->n)
			continue;
		for (k = 0, i = 0; i < sc.n; i++)
			if (!strcmp(sc.r[i].fam, t->family) && !strcmp(sc.r[i].table, t->name) &&
			    !strcmp(sc.r[i].chain, ch->name))
				rs->rules[ch->first + k++].line = sc.r[i].line;
		mapped += n;
	}
	free(sc.r);
	free(sc.d);
	return (int)mapped;
}
