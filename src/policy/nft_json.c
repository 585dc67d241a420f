/* This file loads an nftables ruleset from `nft -j list ruleset` JSON
 * (libnftables-json(5)) with jansson: tables, chains, named sets and verdict maps, then
 * rules (nft_expr.c), grouped by chain in the order listed. Every count and length is
 * bounded (nft.h); a malformed document fails cleanly with a message. */
#include "policy/nft_int.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nft_grow(void **arr, uint32_t *cap, uint32_t n, size_t sz, uint32_t limit)
{
	uint32_t nc;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= limit) {
		errno = E2BIG;
		return -1;
	}
	nc = *cap ? *cap * 2 : 16;
	if (nc > limit)
		nc = limit;
	p = realloc(*arr, (size_t)nc * sz);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

void nft_ruleset_free(struct nft_ruleset *rs)
{
	uint32_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->ntables; i++)
		free(rs->tables[i].name);
	for (i = 0; i < rs->nchains; i++) {
		free(rs->chains[i].name);
		free(rs->chains[i].devs);
	}
	for (i = 0; i < rs->nsets; i++)
		free(rs->sets[i].name);
	for (i = 0; i < rs->nrules; i++)
		free(rs->rules[i].log_prefix);
	free(rs->tables);
	free(rs->chains);
	free(rs->rules);
	free(rs->stmts);
	free(rs->sets);
	free(rs->elems);
	free(rs->verdicts);
	free(rs);
}

static uint32_t table_find(const struct nft_ruleset *rs, const char *fam, const char *name)
{
	uint32_t i;

	for (i = 0; i < rs->ntables; i++)
		if (!strcmp(rs->tables[i].family, fam) && !strcmp(rs->tables[i].name, name))
			return i;
	return NFT_NONE;
}

static uint32_t chain_of(const struct nft_ruleset *rs, uint32_t table, const char *name)
{
	uint32_t i;

	for (i = 0; i < rs->nchains; i++)
		if (rs->chains[i].table == table && !strcmp(rs->chains[i].name, name))
			return i;
	return NFT_NONE;
}

/* The object of a list item, unwrapping {"add": {...}}; *kind gets its key. */
static json_t *item(json_t *el, const char **kind)
{
	json_t *o;

	if (!json_is_object(el) || json_object_size(el) != 1)
		return NULL;
	*kind = json_object_iter_key(json_object_iter(el));
	o = json_object_iter_value(json_object_iter(el));
	if ((!strcmp(*kind, "add") || !strcmp(*kind, "create")) && json_is_object(o) &&
	    json_object_size(o) == 1) {
		*kind = json_object_iter_key(json_object_iter(o));
		o = json_object_iter_value(json_object_iter(o));
	}
	return json_is_object(o) ? o : NULL;
}

/* The table an object names; NFT_NONE with the message set. */
static uint32_t obj_table(struct nft_lctx *c, json_t *o)
{
	const char *fam = json_string_value(json_object_get(o, "family"));
	const char *t = json_string_value(json_object_get(o, "table"));
	uint32_t id = fam && t ? table_find(c->rs, fam, t) : NFT_NONE;

	if (id == NFT_NONE)
		snprintf(c->msg, c->msglen, "unknown table `%s %s'", fam ? fam : "?", t ? t : "?");
	return id;
}

static int add_table(struct nft_lctx *c, json_t *o, uint32_t *cap)
{
	struct nft_ruleset *rs = c->rs;
	const char *fam = json_string_value(json_object_get(o, "family"));
	const char *name = json_string_value(json_object_get(o, "name"));
	struct nft_table *t;

	if (!fam || !name || strlen(fam) >= sizeof(t->family) || strlen(name) > 255) {
		snprintf(c->msg, c->msglen, "table without a family or a name");
		return -1;
	}
	if (table_find(rs, fam, name) != NFT_NONE)
		return 0;
	if (nft_grow((void **)&rs->tables, cap, rs->ntables, sizeof(*t), NFT_MAX_CHAINS) < 0) {
		snprintf(c->msg, c->msglen, "too many tables");
		return -1;
	}
	t = &rs->tables[rs->ntables];
	memset(t, 0, sizeof(*t));
	snprintf(t->family, sizeof(t->family), "%s", fam);
	t->fam = !strcmp(fam, "ip") ? 4 : !strcmp(fam, "ip6") ? 6 :
		 !strcmp(fam, "inet") || !strcmp(fam, "netdev") ? 46 : 0;
	if (!(t->name = strdup(name)))
		return -1;
	rs->ntables++;
	return 0;
}

/* An ingress chain's devices ("dev": a name or an array of them) into ch->devs; none
 * listed (nft 1.0.6) leaves it NULL: not known. */
static int chain_devs(json_t *dev, struct nft_chain *ch)
{
	size_t i;
	json_t *d;

	if (json_is_string(dev) && nft_devs_add(&ch->devs, json_string_value(dev)) < 0)
		return -1;
	json_array_foreach(dev, i, d)
		if (json_is_string(d) && nft_devs_add(&ch->devs, json_string_value(d)) < 0)
			return -1;
	return 0;
}

static int add_chain(struct nft_lctx *c, json_t *o, uint32_t *cap)
{
	static const char *const hooks[] = {"prerouting", "input", "forward", "output",
					    "postrouting", "ingress"};
	struct nft_ruleset *rs = c->rs;
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *hook = json_string_value(json_object_get(o, "hook"));
	const char *type = json_string_value(json_object_get(o, "type"));
	const char *pol = json_string_value(json_object_get(o, "policy"));
	uint32_t t = obj_table(c, o);
	struct nft_chain *ch;
	int h;

	if (t == NFT_NONE)
		return -1;
	if (!name || strlen(name) > 255) {
		snprintf(c->msg, c->msglen, "chain without a name");
		return -1;
	}
	if (chain_of(rs, t, name) != NFT_NONE)
		return 0;
	if (nft_grow((void **)&rs->chains, cap, rs->nchains, sizeof(*ch), NFT_MAX_CHAINS) < 0) {
		snprintf(c->msg, c->msglen, "too many chains (at most %u)", NFT_MAX_CHAINS);
		return -1;
	}
	ch = &rs->chains[rs->nchains];
	memset(ch, 0, sizeof(*ch));
	ch->table = t;
	ch->hook = -1;
	ch->type = 3;
	for (h = 0; hook && h < NFT_HOOK_COUNT; h++)
		if (!strcmp(hook, hooks[h]))
			ch->hook = (int8_t)h;
	if (ch->hook == NFT_HOOK_INGRESS && chain_devs(json_object_get(o, "dev"), ch) < 0)
		return -1;
	if (hook) {
		ch->type = type && !strcmp(type, "nat") ? 1 : type && !strcmp(type, "route") ? 2 : 0;
		ch->prio = (int32_t)json_integer_value(json_object_get(o, "prio"));
	}
	ch->policy = pol && !strcmp(pol, "drop") ? IPT_V_DROP : IPT_V_ACCEPT;
	ch->handle = (uint64_t)json_integer_value(json_object_get(o, "handle"));
	if (!(ch->name = strdup(name)))
		return -1;
	rs->nchains++;
	return 0;
}

/* Pass 3: the rules, appended in order, then grouped by chain (stable). */
static int add_rules(struct nft_lctx *c, json_t *arr, struct nft_error *err)
{
	struct nft_ruleset *rs = c->rs;
	struct nft_rule *tmp = NULL;
	struct nft_keys *keys = nft_keys_new(arr);
	uint32_t cap = 0, n = 0, i, *pos = NULL;
	const char *kind;
	json_t *el, *o;
	size_t k;
	int ret = -1;

	if (!keys)
		goto out;
	json_array_foreach(arr, k, el) {
		struct nft_rule r;
		const char *cn;

		o = item(el, &kind);
		if (!o || strcmp(kind, "rule"))
			continue;
		memset(&r, 0, sizeof(r));
		if ((c->table = obj_table(c, o)) == NFT_NONE)
			goto out;
		cn = json_string_value(json_object_get(o, "chain"));
		r.chain = cn ? chain_of(rs, c->table, cn) : NFT_NONE;
		r.handle = (uint64_t)json_integer_value(json_object_get(o, "handle"));
		if (r.chain == NFT_NONE) {
			snprintf(c->msg, c->msglen, "rule in unknown chain `%s'", cn ? cn : "?");
			goto out;
		}
		if (nft_grow((void **)&tmp, &cap, n, sizeof(r), NFT_MAX_RULES) < 0) {
			snprintf(c->msg, c->msglen, "too many rules (at most %u)", NFT_MAX_RULES);
			goto out;
		}
		if (nft_rule_load(c, json_object_get(o, "expr"), &r) < 0) {
			char m[NFT_MSG_MAX];

			snprintf(m, sizeof(m), "%s", c->msg);
			snprintf(c->msg, c->msglen, "table %s, chain %s, rule handle %llu: %s",
				 rs->tables[c->table].name, cn, (unsigned long long)r.handle, m);
			goto out;
		}
		tmp[n++] = r;
		if (nft_rule_keys(keys, o, &tmp[n - 1]) < 0)
			goto out;
	}
	rs->rules = calloc(n ? n : 1, sizeof(*rs->rules));
	pos = calloc(rs->nchains + 1, sizeof(*pos));
	if (!rs->rules || !pos)
		goto out;
	for (i = 0; i < n; i++)
		rs->chains[tmp[i].chain].n++;
	for (i = 0; i < rs->nchains; i++) {
		rs->chains[i].first = i ? rs->chains[i - 1].first + rs->chains[i - 1].n : 0;
		pos[i] = rs->chains[i].first;
	}
	for (i = 0; i < n; i++)
		rs->rules[pos[tmp[i].chain]++] = tmp[i];
	rs->nrules = n;
	ret = 0;
out:
	(void)err;
	if (ret < 0)
		for (i = 0; i < n; i++)
			free(tmp[i].log_prefix);
	nft_keys_free(keys);
	free(tmp);
	free(pos);
	return ret;
}

static int load_root(struct nft_lctx *c, json_t *root, struct nft_error *err)
{
	json_t *arr = json_object_get(root, "nftables"), *el, *o;
	uint32_t tcap = 0, ccap = 0;
	const char *kind;
	size_t k;
	int pass;

	if (!json_is_array(arr)) {
		snprintf(c->msg, c->msglen, "not nft JSON: no \"nftables\" array");
		return -1;
	}
	/* the nft that listed the rules (nft -j list ruleset) says its version; taken as
	 * the version that loaded them, which decides how `!=` matches were joined */
	c->merge = NFT_MERGE_UNSURE;
	json_array_foreach(arr, k, el)
		if ((o = item(el, &kind)) && !strcmp(kind, "metainfo"))
			c->merge = nft_merge_mode(json_string_value(json_object_get(o, "version")));
	for (pass = 0; pass < 3; pass++)
		json_array_foreach(arr, k, el) {
			o = item(el, &kind);
			if (!o)
				continue;
			if (pass == 0 && !strcmp(kind, "table") && add_table(c, o, &tcap) < 0)
				return -1;
			if (pass == 1 && !strcmp(kind, "chain") && add_chain(c, o, &ccap) < 0)
				return -1;
			if (pass == 2 && (!strcmp(kind, "set") || !strcmp(kind, "map"))) {
				if ((c->table = obj_table(c, o)) == NFT_NONE ||
				    nft_set_load(c, o, kind[0] == 'm') < 0)
					return -1;
			}
		}
	return add_rules(c, arr, err);
}

struct nft_ruleset *nft_load_json(const char *buf, size_t len, const char *file,
				  struct nft_error *err)
{
	struct nft_ruleset *rs = NULL;
	struct nft_lctx c;
	json_error_t je;
	json_t *root = NULL;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "-");
	if (len > NFT_MAX_INPUT) {
		snprintf(err->msg, sizeof(err->msg), "input larger than %u bytes", NFT_MAX_INPUT);
		goto fail;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		err->line = (unsigned)(je.line > 0 ? je.line : 0);
		snprintf(err->msg, sizeof(err->msg), "bad JSON: %s", je.text);
		goto fail;
	}
	rs = calloc(1, sizeof(*rs));
	if (!rs) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto fail;
	}
	c.rs = rs;
	c.table = NFT_NONE;
	c.msg = err->msg;
	c.msglen = sizeof(err->msg);
	c.chain_of = chain_of;
	if (load_root(&c, root, err) < 0) {
		if (!err->msg[0])
			snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto fail;
	}
	json_decref(root);
	return rs;
fail:
	json_decref(root);
	nft_ruleset_free(rs);
	errno = EINVAL;
	return NULL;
}

int nft_looks_json(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r')
			return buf[i] == '{';
	return 0;
}

uint32_t nft_rule_count(const struct nft_ruleset *rs)
{
	return rs->nrules;
}

uint32_t nft_chain_count(const struct nft_ruleset *rs)
{
	return rs->nchains;
}

static const char *const ctypes[] = {"filter", "nat", "route", ""};

int nft_chain_get(const struct nft_ruleset *rs, uint32_t chain, struct nft_chain_info *info)
{
	const struct nft_chain *c;

	if (chain >= rs->nchains) {
		errno = EINVAL;
		return -1;
	}
	c = &rs->chains[chain];
	info->table = rs->tables[c->table].name;
	info->family = rs->tables[c->table].family;
	info->name = c->name;
	info->hook = c->hook;
	info->prio = c->prio;
	info->type = ctypes[c->type & 3];
	info->policy = (enum ipt_verdict)c->policy;
	info->handle = c->handle;
	info->first_rule = c->first;
	info->nrules = c->n;
	return 0;
}

int nft_rule_get(const struct nft_ruleset *rs, uint32_t rule, struct nft_rule_info *info)
{
	const struct nft_rule *r;
	const struct nft_chain *c;

	if (rule >= rs->nrules) {
		errno = EINVAL;
		return -1;
	}
	r = &rs->rules[rule];
	c = &rs->chains[r->chain];
	info->chain = r->chain;
	info->table = rs->tables[c->table].name;
	info->family = rs->tables[c->table].family;
	info->chain_name = c->name;
	info->handle = r->handle;
	info->line = r->line;
	info->has_counter = r->has_counter;
	info->packets = r->packets;
	info->bytes = r->bytes;
	info->log_group = r->log_group;
	info->unknown = r->unknown;
	info->unknown_what = r->unknown_what;
	info->hitpos = r->hitpos;
	return 0;
}
