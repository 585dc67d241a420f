/* This file follows nft's payload merge, which changes what a rule with two `!=` matches
 * does in the kernel.
 *
 * nft (userspace) joins the payload matches of one rule that read adjacent header
 * fields with the same operator into one load and one compare (nftables src/rule.c
 * stmt_reduce() and payload_do_merge(), src/payload.c payload_can_merge()). For `==` that
 * changes nothing. For `!=` it does: nftables 1.0.6 turns
 *     udp sport != 22 udp dport != 22
 * into `[ payload load 4b @ transport header + 0 ] [ cmp neq 0x16001600 ]`, which matches
 * when EITHER port differs, not when both do (seen with `nft --debug=netlink`). Listing
 * the rule back splits the compare into the two matches again, so the JSON hides it.
 * The fix (no join for OP_NEQ) was posted to netfilter-devel in March 2024, after
 * nftables 1.0.9, and current nftables sources join only `==`. Which release first
 * carried it was not confirmed here: the model takes the join for versions before 1.1.0
 * (1.0.6 checked against the kernel) and none from 1.1.0 on.
 *
 * nft_merge_rewrite() applies the same grouping to a rule's JSON statements and replaces
 * each merged `!=` group by one `!=` match on the concatenation of its fields (which the
 * model already evaluates as "not this tuple"). Where the loading nft's version is not
 * known, the joined compare is followed by an unknown match (what the joined compare
 * rejects, neither form matches; what it accepts, only one may). Applying the join to
 * a listing gives the kernel's grouping back: the listing keeps the order of unmerged
 * statements and shows a merged group as adjacent fields in header order. */
#include "policy/nft_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One candidate: a payload match with a plain value (nft's EXPR_VALUE), == or !=. */
struct cand {
	size_t idx;		/* in the rule's statement array */
	int known;		/* location known */
	uint8_t base;
	uint32_t off, len;	/* bits */
	int ne;
	size_t group;		/* first member's position in the sorted run */
};

/* The location of a payload expression; 0 when it has none we know. */
static int locate(json_t *left, struct cand *k)
{
	json_t *p = json_object_get(left, "payload");

	return json_is_object(p) && nft_payload_loc(p, &k->base, &k->off, &k->len);
}

/* Whether statement st is a merge candidate (fills k). */
static int candidate(json_t *st, struct cand *k)
{
	json_t *m = json_object_get(st, "match"), *left, *right;
	const char *op, *s;

	if (!json_is_object(m))
		return 0;
	left = json_object_get(m, "left");
	right = json_object_get(m, "right");
	if (!json_is_object(left) || !json_object_get(left, "payload") || json_object_size(left) != 1)
		return 0;
	/* EXPR_VALUE: a number or a symbol; not a set, a set reference, a prefix or a range */
	s = json_string_value(right);
	if (!(json_is_integer(right) || (s && s[0] != '@')))
		return 0;
	op = json_string_value(json_object_get(m, "op"));
	if (op && strcmp(op, "==") && strcmp(op, "!="))
		return 0;
	k->ne = op && !strcmp(op, "!=");
	k->known = locate(left, k);
	return 1;
}

/* payload_can_merge() of nftables 1.0.x: adjacent, byte aligned, at most one 16-byte
 * register, and kept apart when both fit a 32-bit fast load but the join would not
 * (unless the link layer, or one is already longer than 32 bits). */
static int can_merge(const struct cand *a, uint32_t alen, const struct cand *b)
{
	uint32_t total = alen + b->len;

	if (!a->known || !b->known || a->base != b->base || a->off + alen != b->off)
		return 0;
	if (a->off % 8 || alen % 8 || b->off % 8 || b->len % 8 || total > 128)
		return 0;
	return total <= 32 || a->base == 0 || alen > 32 || b->len > 32;
}

/* Stable sort of a run by (base, offset), as payload_do_merge()'s qsort over glibc's
 * merge sort; unknown locations last (they merge with nothing). */
static void sort_run(struct cand *c, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct cand t = c[i];

		for (j = i; j > 0; j--) {
			const struct cand *p = &c[j - 1];
			int after = p->known && (!t.known || p->base < t.base ||
						 (p->base == t.base && p->off <= t.off));

			if (after || (!p->known && !t.known))
				break;
			c[j] = c[j - 1];
		}
		c[j] = t;
	}
}

/* Groups one run: c[i].group is the sorted index of the member that keeps the joined
 * compare. Returns RUN_WIDE when a `!=` of unknown location shares the run with another
 * `!=` (it may have been merged with it), RUN_JOINED when a `!=` group has more than one
 * member, else 0. */
enum { RUN_JOINED = 1, RUN_WIDE };

static int group_run(struct cand *c, size_t n)
{
	size_t i, last = 0;
	uint32_t alen = 0;
	int any = 0, ne_unknown = 0, ne = 0;

	sort_run(c, n);
	for (i = 0; i < n; i++) {
		if (c[i].ne) {
			ne++;
			ne_unknown |= !c[i].known;
		}
		if (i > 0 && c[i].ne == c[last].ne && can_merge(&c[last], alen, &c[i])) {
			c[i].group = last;
			alen += c[i].len;
			any |= c[i].ne;
			continue;
		}
		c[i].group = last = i;
		alen = c[i].len;
	}
	return ne_unknown && ne > 1 ? RUN_WIDE : any ? RUN_JOINED : 0;
}

/* A match the loader cannot model, named "merged !=" (field_of() names it by its key). */
static json_t *unknown_ne(void)
{
	return json_pack("{s:{s:s,s:{s:n},s:i}}", "match", "op", "!=", "left", "merged !=",
			 "right", 0);
}

/* The joined `!=` of members (sorted order) as one match on a concatenation; an unknown
 * match when there are too many fields (members have known locations: can_merge()). */
static json_t *joined(json_t *stmts, const struct cand *c, size_t n, size_t g)
{
	json_t *left = json_array(), *right = json_array(), *m;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		json_t *st;

		if (c[i].group != g)
			continue;
		k++;
		st = json_object_get(json_array_get(stmts, c[i].idx), "match");
		if (json_array_append(left, json_object_get(st, "left")) < 0 ||
		    json_array_append(right, json_object_get(st, "right")) < 0)
			goto nomem;
	}
	if (k > NFT_CONCAT_MAX) {
		json_decref(left);
		json_decref(right);
		return unknown_ne();
	}
	m = json_pack("{s:{s:s,s:{s:o},s:{s:o}}}", "match", "op", "!=", "left", "concat", left,
		      "right", "concat", right);
	return m;
nomem:
	json_decref(left);
	json_decref(right);
	return NULL;
}

int nft_merge_mode(const char *version)
{
	unsigned a = 0, b = 0, c = 0;

	if (!version || sscanf(version, "%u.%u.%u", &a, &b, &c) < 2)
		return NFT_MERGE_UNSURE;
	return a < 1 || (a == 1 && b < 1) ? NFT_MERGE_NE : NFT_MERGE_NONE;
}

json_t *nft_merge_rewrite(json_t *stmts, int mode)
{
	size_t n = json_array_size(stmts), i, j, nc = 0;
	struct cand c[NFT_MAX_STMTS];
	uint8_t drop[NFT_MAX_STMTS];
	json_t *put[NFT_MAX_STMTS], *also[NFT_MAX_STMTS];
	json_t *out;
	int change = 0, run;

	if (mode == NFT_MERGE_NONE || !json_is_array(stmts) || n > NFT_MAX_STMTS)
		return json_incref(stmts);
	memset(drop, 0, sizeof(drop));
	memset(put, 0, sizeof(put));
	memset(also, 0, sizeof(also));
	/* stmt_reduce() of nftables 1.0.x: a statement that is not a match ends a run, but
	 * only when the run has two candidates or more (a run of one carries on past it) */
	for (i = 0; i <= n; i++) {
		json_t *st = i < n ? json_array_get(stmts, i) : NULL;

		if (st && json_object_get(st, "match")) {
			struct cand k;

			memset(&k, 0, sizeof(k));
			if (candidate(st, &k)) {
				k.idx = i;
				c[nc++] = k;
			}
			continue;
		}
		if (st && nc < 2)
			continue;
		run = nc >= 2 ? group_run(c, nc) : 0;
		/* a `!=` whose location is unknown beside another `!=` may have been merged
		 * with it: every `!=` of the run is unknown */
		if (run == RUN_WIDE) {
			for (j = 0; j < nc; j++)
				if (c[j].ne) {
					put[c[j].idx] = unknown_ne();
					if (!put[c[j].idx])
						goto nomem;
					change = 1;
				}
		} else if (run == RUN_JOINED) {
			for (j = 0; j < nc; j++) {
				size_t m, first = c[j].idx, members = 0;

				if (c[j].group != j || !c[j].ne)
					continue;
				for (m = 0; m < nc; m++)
					if (c[m].group == j) {
						members++;
						first = c[m].idx < first ? c[m].idx : first;
					}
				if (members < 2)
					continue;
				put[first] = joined(stmts, c, nc, j);
				if (!put[first])
					goto nomem;
				/* version unknown: the joined compare is what may hold (the fields
				 * present, not all equal); whether both must differ is unknown */
				if (mode == NFT_MERGE_UNSURE && !(also[first] = unknown_ne()))
					goto nomem;
				for (m = 0; m < nc; m++)
					if (c[m].group == j && c[m].idx != first)
						drop[c[m].idx] = 1;
				change = 1;
			}
		}
		nc = 0;
	}
	if (!change)
		return json_incref(stmts);
	if (!(out = json_array()))
		goto nomem;
	for (i = 0; i < n; i++) {
		if (drop[i])
			continue;
		if (json_array_append(out, put[i] ? put[i] : json_array_get(stmts, i)) < 0 ||
		    (also[i] && json_array_append(out, also[i]) < 0)) {
			json_decref(out);
			goto nomem;
		}
	}
	for (i = 0; i < n; i++) {
		json_decref(put[i]);
		json_decref(also[i]);
	}
	return out;
nomem:
	for (i = 0; i < n; i++) {
		json_decref(put[i]);
		json_decref(also[i]);
	}
	return NULL;
}
