/* This file gives each rule of an nftables ruleset loaded from JSON a key for comparing
 * two rulesets rule by rule (the live audit's ruleset_differs: the same rule in the
 * intended file, listed back by libnftables, and in the live kernel's listing), and
 * answers which log prefixes name a rule that drops what it logs.
 *
 * A key is a hash of the rule's statements as nft lists them, with object keys in sorted
 * order and without what changes while the rule runs (counter values, set elements'
 * counters): two listings of one rule by the same nft give the same key. A named set a
 * rule looks up adds its elements to the key, so a set that changed changes its rules. */
#include "policy/nft_int.h"
#include "common/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_DEPTH 32

struct nft_setkey {
	const char *family, *table, *name;	/* borrowed from the document */
	uint64_t hash;
};

struct nft_keys {
	struct nft_setkey *v;
	size_t n;
};


static uint64_t mix_str(uint64_t h, const char *s)
{
	return util_fnv(h, s, strlen(s) + 1);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct hctx {
	const struct nft_keys *k;
	const char *family, *table;
};

static uint64_t set_hash(const struct hctx *c, const char *name)
{
	size_t i;

	if (!c->k)
		return 0;
	for (i = 0; i < c->k->n; i++) {
		const struct nft_setkey *s = &c->k->v[i];

		if (!strcmp(s->name, name) && !strcmp(s->table, c->table) &&
		    !strcmp(s->family, c->family))
			return s->hash;
	}
	return 0;
}

/* The canonical hash of j: objects by sorted key, counters' values left out. */
static uint64_t hash_json(const struct hctx *c, json_t *j, uint64_t h, int depth)
{
	const char *key;
	json_t *v;
	size_t i, n;

	if (!j)
		return mix_str(h, "-");
	if (depth > KEY_DEPTH)
		return mix_str(h, "...");
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		const char **keys;

		n = json_object_size(j);
		keys = calloc(n ? n : 1, sizeof(*keys));
		if (!keys)
			return mix_str(h, "?");
		i = 0;
		json_object_foreach(j, key, v)
			keys[i++] = key;
		qsort(keys, n, sizeof(*keys), cmp_cstr);
		h = mix_str(h, "{");
		for (i = 0; i < n; i++) {
			h = mix_str(h, keys[i]);
			if (!strcmp(keys[i], "counter") || !strcmp(keys[i], "packets") ||
			    !strcmp(keys[i], "bytes"))
				continue;	/* what the kernel counts, not what the rule is */
			h = hash_json(c, json_object_get(j, keys[i]), h, depth + 1);
		}
		free(keys);
		return mix_str(h, "}");
	}
	case JSON_ARRAY:
		h = mix_str(h, "[");
		json_array_foreach(j, i, v)
			h = hash_json(c, v, h, depth + 1);
		return mix_str(h, "]");
	case JSON_STRING: {
		const char *s = json_string_value(j);

		h = util_fnv(h, "s", 1);
		h = util_fnv(h, s, json_string_length(j) + 1);
		if (s[0] == '@') {
			uint64_t sh = set_hash(c, s + 1);

			h = util_fnv(h, &sh, sizeof(sh));
		}
		return h;
	}
	case JSON_INTEGER: {
		json_int_t x = json_integer_value(j);

		return util_fnv(util_fnv(h, "i", 1), &x, sizeof(x));
	}
	case JSON_REAL: {
		double x = json_real_value(j);

		return util_fnv(util_fnv(h, "r", 1), &x, sizeof(x));
	}
	case JSON_TRUE:
		return mix_str(h, "t");
	case JSON_FALSE:
		return mix_str(h, "f");
	default:
		return mix_str(h, "n");
	}
}

static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

struct nft_keys *nft_keys_new(json_t *arr)
{
	struct nft_keys *k = calloc(1, sizeof(*k));
	json_t *el, *o;
	size_t i, cap = 0;

	if (!k)
		return NULL;
	json_array_foreach(arr, i, el) {
		const char *kind;
		struct hctx c;

		if (!json_is_object(el) || json_object_size(el) != 1)
			continue;
		kind = json_object_iter_key(json_object_iter(el));
		o = json_object_iter_value(json_object_iter(el));
		if ((strcmp(kind, "set") && strcmp(kind, "map")) || !json_is_object(o))
			continue;
		if (k->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct nft_setkey *p = realloc(k->v, nc * sizeof(*p));

			if (!p) {
				nft_keys_free(k);
				return NULL;
			}
			k->v = p;
			cap = nc;
		}
		memset(&c, 0, sizeof(c));
		k->v[k->n].family = str_of(o, "family");
		k->v[k->n].table = str_of(o, "table");
		k->v[k->n].name = str_of(o, "name");
		/* what the set is: its type, flags and elements (not its handle) */
		k->v[k->n].hash = hash_json(&c, json_object_get(o, "type"), UTIL_FNV_OFFSET, 0);
		k->v[k->n].hash = hash_json(&c, json_object_get(o, "map"), k->v[k->n].hash, 0);
		k->v[k->n].hash = hash_json(&c, json_object_get(o, "flags"), k->v[k->n].hash, 0);
		k->v[k->n].hash = hash_json(&c, json_object_get(o, "elem"), k->v[k->n].hash, 0);
		k->n++;
	}
	return k;
}

void nft_keys_free(struct nft_keys *k)
{
	if (!k)
		return;
	free(k->v);
	free(k);
}

int nft_rule_keys(const struct nft_keys *k, json_t *rule, struct nft_rule *r)
{
	json_t *expr = json_object_get(rule, "expr"), *st;
	struct hctx c;
	size_t i;

	c.k = k;
	c.family = str_of(rule, "family");
	c.table = str_of(rule, "table");
	r->key = r->mkey = UTIL_FNV_OFFSET;
	json_array_foreach(expr, i, st) {
		json_t *lg = json_object_get(st, "log");

		r->key = hash_json(&c, st, r->key, 0);
		if (json_object_get(st, "match"))
			r->mkey = hash_json(&c, st, r->mkey, 0);
		if (json_is_object(lg) && json_is_string(json_object_get(lg, "prefix")) &&
		    !r->log_prefix && !(r->log_prefix = strdup(str_of(lg, "prefix"))))
			return -1;
	}
	return 0;
}

uint64_t nft_rule_key(const struct nft_ruleset *rs, uint32_t rule)
{
	return rule < rs->nrules ? rs->rules[rule].key : 0;
}

/* The rule's verdict when its last statement is a plain accept/drop/reject; -1 else. */
static int last_verdict(const struct nft_ruleset *rs, const struct nft_rule *r)
{
	const struct nft_stmt *s;

	if (!r->n)
		return -1;
	s = &rs->stmts[r->first + r->n - 1];
	if (s->kind != NFT_S_VERDICT || s->verdict == NFT_NONE)
		return -1;
	return rs->verdicts[s->verdict].kind;
}

int nft_log_prefix_drops(const struct nft_ruleset *rs, const char *prefix, char *why,
			 size_t len)
{
	uint32_t i;

	for (i = 0; i < rs->nrules; i++) {
		const struct nft_rule *r = &rs->rules[i];
		const struct nft_chain *ch = &rs->chains[r->chain];
		const char *tn = rs->tables[ch->table].name, *tf = rs->tables[ch->table].family;
		int v;

		if (!r->log_prefix || strcmp(r->log_prefix, prefix) || r->log_group < 0)
			continue;
		v = last_verdict(rs, r);
		if ((v == NFT_V_DROP || v == NFT_V_REJECT) && !r->unknown) {
			snprintf(why, len, "the live rule %s %s %s handle %llu logs with it and %s "
				 "the packets", tf, tn, ch->name, (unsigned long long)r->handle,
				 v == NFT_V_DROP ? "drops" : "rejects");
			return 1;
		}
		if (v < 0 && i + 1 < ch->first + ch->n && r[1].mkey == r->mkey &&
		    !r[1].unknown && ((v = last_verdict(rs, &r[1])) == NFT_V_DROP ||
				      v == NFT_V_REJECT)) {
			snprintf(why, len, "the live rule %s %s %s handle %llu logs with it and handle "
				 "%llu (%s) drops the same packets", tf, tn, ch->name,
				 (unsigned long long)r->handle, (unsigned long long)r[1].handle,
				 v == NFT_V_DROP ? "drop" : "reject");
			return 1;
		}
		if (v < 0 && i + 1 == ch->first + ch->n && ch->hook >= 0 &&
		    ch->policy == IPT_V_DROP) {
			snprintf(why, len, "the live rule %s %s %s handle %llu logs with it as the last "
				 "rule of a chain whose policy is drop", tf, tn, ch->name,
				 (unsigned long long)r->handle);
			return 1;
		}
	}
	return 0;
}
