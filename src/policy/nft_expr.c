/* This file loads the statements of one nft JSON rule (libnftables-json(5): match,
 * counter, log, verdicts, vmap, nat, notrack, ...) and the named sets and maps into the
 * model of nft_int.h. What is not modelled becomes an unknown statement (three-valued)
 * named by its JSON key, never an error. */
#include "policy/nft_int.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Fills the message and yields -1. */
#define lerr(c, ...) (snprintf((c)->msg, (c)->msglen, __VA_ARGS__), -1)

struct pmap {
	const char *proto, *field;
	int f;
};

static const struct pmap metas[] = {
	{"meta", "l4proto", NF_L4PROTO}, {"meta", "nfproto", NF_NFPROTO},
	{"meta", "iifname", NF_IIFNAME}, {"meta", "oifname", NF_OIFNAME},
	{"meta", "iif", NF_IIF}, {"meta", "oif", NF_OIF}, {"meta", "pkttype", NF_PKTTYPE},
	{NULL, NULL, 0}};

/* One field of a key; -1 when not modelled (*what names it). */
static int field_of(json_t *e, const char **what)
{
	json_t *o;
	const char *b;
	const struct pmap *m;
	const struct nft_hfield *h;

	if ((o = json_object_get(e, "payload"))) {
		h = nft_hfield_find(json_string_value(json_object_get(o, "protocol")),
				    json_string_value(json_object_get(o, "field")));
		if (h && h->f >= 0)
			return h->f;
		*what = "payload";
		return -1;
	}
	if ((o = json_object_get(e, "meta"))) {
		b = json_string_value(json_object_get(o, "key"));
		for (m = metas; b && m->proto; m++)
			if (!strcmp(m->field, b))
				return m->f;
		*what = "meta";
		return -1;
	}
	if ((o = json_object_get(e, "ct"))) {
		b = json_string_value(json_object_get(o, "key"));
		if (b && !strcmp(b, "state") && !json_object_get(o, "dir"))
			return NF_CT_STATE;
		*what = "ct";
		return -1;
	}
	*what = json_is_object(e) && json_object_size(e) == 1 ? json_object_iter_key(json_object_iter(e))
							       : "expression";
	if (!strcmp(*what, "fib"))
		*what = "fib";
	return -1;
}

/* The key of a match or vmap into s (nkeys, key[], mask). 0, 1 when not modelled. */
static int load_key(struct nft_lctx *c, json_t *left, struct nft_stmt *s, const char **what)
{
	json_t *o, *e;
	size_t i;
	int f;

	if ((o = json_object_get(left, "&")) && json_is_array(o) && json_array_size(o) == 2) {
		uint8_t hi[NFT_FLEN_MAX];

		f = field_of(json_array_get(o, 0), what);
		if (f < 0 || nft_value_parse(json_array_get(o, 1), f, s->mask, hi) < 0)
			return f < 0 ? 1 : (*what = "bitwise", 1);
		s->has_mask = 1;
		s->nkeys = 1;
		s->key[0] = (uint8_t)f;
		return 0;
	}
	if ((o = json_object_get(left, "concat"))) {
		if (!json_is_array(o) || json_array_size(o) < 1 || json_array_size(o) > NFT_CONCAT_MAX)
			return lerr(c, "concatenation of %s1 to 4 fields expected", "");
		json_array_foreach(o, i, e) {
			f = field_of(e, what);
			if (f < 0)
				return 1;
			s->key[i] = (uint8_t)f;
		}
		s->nkeys = (uint8_t)json_array_size(o);
		return 0;
	}
	f = field_of(left, what);
	if (f < 0)
		return 1;
	s->nkeys = 1;
	s->key[0] = (uint8_t)f;
	return 0;
}

static int new_set(struct nft_lctx *c, const char *name, uint32_t *id)
{
	struct nft_ruleset *rs = c->rs;
	struct nft_set *st;

	if (nft_grow((void **)&rs->sets, &rs->cap_sets, rs->nsets, sizeof(*rs->sets), NFT_MAX_ELEMS) < 0)
		return lerr(c, "too many sets%s", "");
	st = &rs->sets[rs->nsets];
	memset(st, 0, sizeof(*st));
	st->table = c->table;
	st->first = rs->nelems;
	if (name && !(st->name = strdup(name)))
		return lerr(c, "out of memory%s", "");
	*id = rs->nsets++;
	return 0;
}

static int load_verdict(struct nft_lctx *c, json_t *v, uint32_t *out);

/* Appends one element (value, prefix, range, concat; {"elem": {"val": ...}}) of a set
 * with fields flen/keys to the last set. 0, 1 when not modelled, -1 on error. */
static int add_elem(struct nft_lctx *c, const uint8_t *keys, int nkeys, json_t *v, json_t *data)
{
	struct nft_ruleset *rs = c->rs;
	struct nft_elem *el;
	json_t *w;
	int i, off = 0;

	if (json_is_object(v) && (w = json_object_get(v, "elem")))
		v = json_object_get(w, "val");
	if (nft_grow((void **)&rs->elems, &rs->cap_elems, rs->nelems, sizeof(*rs->elems),
		     NFT_MAX_ELEMS) < 0)
		return lerr(c, "too many set elements (at most %s)", "4000000");
	el = &rs->elems[rs->nelems];
	memset(el, 0, sizeof(*el));
	el->verdict = NFT_NONE;
	w = json_object_get(v, "concat");
	if (nkeys > 1 && (!json_is_array(w) || (int)json_array_size(w) != nkeys))
		return 1;
	for (i = 0; i < nkeys; i++) {
		json_t *x = nkeys > 1 ? json_array_get(w, (size_t)i) : v;

		if (nft_value_parse(x, keys[i], el->lo + off, el->hi + off) < 0)
			return 1;
		off += nft_field_len(keys[i]);
	}
	if (data && load_verdict(c, data, &el->verdict) < 0)
		return -1;
	rs->nelems++;
	rs->sets[rs->nsets - 1].n++;
	return 0;
}

/* The right-hand side of a match as a set (anonymous unless "@name"). */
static int load_right(struct nft_lctx *c, json_t *right, struct nft_stmt *s, int is_map)
{
	struct nft_ruleset *rs = c->rs;
	const char *str = json_string_value(right);
	json_t *arr = json_is_object(right) ? json_object_get(right, "set") : NULL, *e;
	size_t i;
	int k, v;

	if (str && str[0] == '@') {
		for (s->set = 0; s->set < rs->nsets; s->set++) {
			const struct nft_set *st = &rs->sets[s->set];

			if (st->name && st->table == c->table && !strcmp(st->name, str + 1))
				break;
		}
		if (s->set == rs->nsets)
			return lerr(c, "unknown set `%s'", str);
		if (rs->sets[s->set].nfields != s->nkeys)
			return 1;
		for (k = 0; k < s->nkeys; k++)
			if (rs->sets[s->set].flen[k] != nft_field_len(s->key[k]))
				return 1;
		return rs->sets[s->set].unknown ? 1 : 0;
	}
	if (new_set(c, NULL, &s->set) < 0)
		return -1;
	rs->sets[s->set].is_map = (uint8_t)is_map;
	rs->sets[s->set].nfields = s->nkeys;
	for (k = 0; k < s->nkeys; k++)
		rs->sets[s->set].flen[k] = (uint8_t)nft_field_len(s->key[k]);
	if (!arr)
		return add_elem(c, s->key, s->nkeys, right, NULL);
	if (!json_is_array(arr))
		return lerr(c, "bad set%s", "");
	json_array_foreach(arr, i, e) {
		if (is_map && (!json_is_array(e) || json_array_size(e) != 2))
			return lerr(c, "bad map element%s", "");
		v = add_elem(c, s->key, s->nkeys, is_map ? json_array_get(e, 0) : e,
			     is_map ? json_array_get(e, 1) : NULL);
		if (v)
			return v;
	}
	return 0;
}

static int load_verdict(struct nft_lctx *c, json_t *v, uint32_t *out)
{
	static const char *const names[] = {"accept", "drop", "reject", "continue", "return",
					    "jump", "goto", "queue"};
	struct nft_ruleset *rs = c->rs;
	struct nft_verdict vd = {0, NFT_NONE};
	const char *key;
	unsigned k;

	if (!json_is_object(v) || json_object_size(v) != 1)
		return lerr(c, "bad verdict%s", "");
	key = json_object_iter_key(json_object_iter(v));
	for (k = 0; k < sizeof(names) / sizeof(names[0]) && strcmp(key, names[k]); k++)
		;
	if (k == sizeof(names) / sizeof(names[0]))
		return lerr(c, "unknown verdict `%s'", key);
	vd.kind = (uint8_t)k;
	if (k == NFT_V_JUMP || k == NFT_V_GOTO) {
		const char *t = json_string_value(json_object_get(json_object_get(v, key), "target"));

		if (!t)
			return lerr(c, "%s without a target", key);
		vd.chain = c->chain_of(rs, c->table, t);
		if (vd.chain == NFT_NONE)
			return lerr(c, "jump to unknown chain `%s'", t);
	}
	if (nft_grow((void **)&rs->verdicts, &rs->cap_verdicts, rs->nverdicts,
		     sizeof(*rs->verdicts), NFT_MAX_ELEMS) < 0)
		return lerr(c, "too many verdicts%s", "");
	rs->verdicts[rs->nverdicts] = vd;
	*out = rs->nverdicts++;
	return 0;
}

static int is_verdict(const char *k)
{
	static const char *const v[] = {"accept", "drop", "reject", "continue", "return",
					"jump", "goto", "queue", NULL};
	int i;

	for (i = 0; v[i]; i++)
		if (!strcmp(v[i], k))
			return 1;
	return 0;
}

/* 1 when s is an IPv4 or IPv6 address (into out, IPv4 in the first 4 bytes), else 2. */
static uint8_t inet_pton_any(const char *s, uint8_t *out)
{
	memset(out, 0, 16);
	return inet_pton(AF_INET, s, out) == 1 || inet_pton(AF_INET6, s, out) == 1 ? 1 : 2;
}

static void nat_stmt(json_t *o, struct nft_stmt *s)
{
	json_t *a = json_object_get(o, "addr"), *p = json_object_get(o, "port");
	const char *as = json_string_value(a);

	if (as) {
		s->has_addr = inet_pton_any(as, s->addr);
	} else if (a) {
		s->has_addr = 2;	/* a map or an expression: not known */
	}
	if (json_is_integer(p) && json_integer_value(p) >= 0 && json_integer_value(p) <= 65535) {
		s->has_port = 1;
		s->port = (uint16_t)json_integer_value(p);
	} else if (p) {
		s->has_port = 2;
	}
}

/* The right side of a fib type match: a type name or a set of them, into the RTN_* bits
 * of *mask. 0, or 1 (a name not known). */
static int fib_types(json_t *r, uint16_t *mask)
{
	static const char *const rtn[] = {"unspec", "unicast", "local", "broadcast", "anycast",
					  "multicast", "blackhole", "unreachable", "prohibit",
					  "throw", "nat", "xresolve"};
	json_t *set = json_object_get(r, "set"), *v;
	size_t i, k;

	if (!set)
		set = r;
	if (json_is_string(set)) {
		for (k = 0; k < 12 && strcmp(json_string_value(set), rtn[k]); k++)
			;
		*mask |= (uint16_t)(k < 12 ? 1u << k : 0);
		return k == 12;
	}
	if (!json_is_array(set) || !json_array_size(set))
		return 1;
	json_array_foreach(set, i, v)
		if (fib_types(v, mask))
			return 1;
	return 0;
}

/* A fib expression compared with right (nft_fib.c decides it): 0, or 1 (a form not
 * modelled: oif compared with an interface, unknown flags). */
static int load_fib(json_t *fib, json_t *right, struct nft_stmt *s)
{
	static const char *const fl[] = {"saddr", "daddr", "mark", "iif", "oif"};
	const char *res = json_string_value(json_object_get(fib, "result"));
	json_t *f = json_object_get(fib, "flags"), *v;
	size_t i, k;

	s->kind = NFT_S_FIB;
	if (json_is_string(f)) {
		for (k = 0; k < 5 && strcmp(json_string_value(f), fl[k]); k++)
			;
		if (k == 5)
			return 1;
		s->fib_flags = (uint8_t)(1u << k);
	} else if (json_is_array(f)) {
		json_array_foreach(f, i, v) {
			for (k = 0; k < 5 && (!json_is_string(v) || strcmp(json_string_value(v), fl[k])); k++)
				;
			if (k == 5)
				return 1;
			s->fib_flags |= (uint8_t)(1u << k);
		}
	} else {
		return 1;
	}
	if (!res || (s->op != NFT_OP_EQ && s->op != NFT_OP_NE))
		return 1;
	if ((!strcmp(res, "oif") || !strcmp(res, "oifname")) && json_is_boolean(right)) {
		s->fib_result = NFT_FIB_R_OIF;
		s->fib_want = json_is_true(right);
		return 0;
	}
	if (!strcmp(res, "type") && !fib_types(right, &s->fib_want)) {
		s->fib_result = NFT_FIB_R_TYPE;
		return 0;
	}
	return 1;
}

/* The right side of == or != on one field: a reversed range (nft_value_reversed) as the
 * anonymous set of what it selects, compared with ==; anything else by load_right. */
static int load_reversed(struct nft_lctx *c, json_t *right, struct nft_stmt *s)
{
	struct nft_ruleset *rs = c->rs;
	struct nft_elem el;
	int none;

	memset(&el, 0, sizeof(el));
	el.verdict = NFT_NONE;
	if (!nft_value_reversed(right, s->key[0], s->op == NFT_OP_NE, el.lo, el.hi, &none))
		return load_right(c, right, s, 0);
	s->op = NFT_OP_EQ;
	if (new_set(c, NULL, &s->set) < 0)
		return -1;
	rs->sets[s->set].nfields = 1;
	rs->sets[s->set].flen[0] = (uint8_t)nft_field_len(s->key[0]);
	if (none)
		return 0;
	if (nft_grow((void **)&rs->elems, &rs->cap_elems, rs->nelems, sizeof(*rs->elems),
		     NFT_MAX_ELEMS) < 0)
		return lerr(c, "too many set elements (at most %s)", "4000000");
	rs->elems[rs->nelems++] = el;
	rs->sets[s->set].n++;
	return 0;
}

/* One "match" statement. */
static int load_match(struct nft_lctx *c, json_t *o, struct nft_stmt *s, const char **what)
{
	static const char *const ops[] = {"==", "!=", "<", ">", "<=", ">=", "in"};
	const char *op = json_string_value(json_object_get(o, "op"));
	int k, v;

	if (!op)
		op = "==";
	for (k = 0; k < 7 && strcmp(op, ops[k]); k++)
		;
	if (k == 7)
		return lerr(c, "unknown operator `%s'", op);
	s->op = (uint8_t)k;
	if (json_is_object(json_object_get(json_object_get(o, "left"), "fib"))) {
		*what = "fib";
		return load_fib(json_object_get(json_object_get(o, "left"), "fib"),
				json_object_get(o, "right"), s);
	}
	v = load_key(c, json_object_get(o, "left"), s, what);
	if (v)
		return v;
	if (k >= NFT_OP_LT && k <= NFT_OP_GE && s->nkeys != 1)
		return lerr(c, "`%s' on a concatenation", op);
	if ((k == NFT_OP_EQ || k == NFT_OP_NE) && s->nkeys == 1)
		v = load_reversed(c, json_object_get(o, "right"), s);
	else
		v = load_right(c, json_object_get(o, "right"), s, 0);
	if (v == 1)
		*what = "value";
	return v;
}

static const char *const nop_stmts[] = {"counter", "log", "mangle", "set", "dup", "fwd",
					"ct helper", "ct timeout", "ct expectation", "secmark",
					"synproxy", "tproxy", "flow", NULL};

/* The hidden dependency of a family-specific reject ("icmp", "icmpv6", "tcp reset"). */
static void deps(struct nft_rule *r, const char *what)
{
	if (!strcmp(what, "icmp"))
		r->need_fam = 4;
	else if (!strcmp(what, "icmpv6"))
		r->need_fam = 6;
	else if (!strcmp(what, "tcp reset"))
		r->need_proto = 6;
}

/* One statement: fills s; 0, 1 (not modelled: *what), -1 error. */
static int load_stmt(struct nft_lctx *c, json_t *st, struct nft_stmt *s, struct nft_rule *r,
		     const char **what)
{
	const char *key, *fam;
	json_t *o;
	int i;

	if (!json_is_object(st) || json_object_size(st) != 1)
		return lerr(c, "a statement is an object with one key%s", "");
	key = json_object_iter_key(json_object_iter(st));
	o = json_object_iter_value(json_object_iter(st));
	*what = key;
	if (!strcmp(key, "match")) {
		s->kind = NFT_S_MATCH;
		return load_match(c, o, s, what);
	}
	if (is_verdict(key)) {
		const char *rt = json_string_value(json_object_get(o, "type"));

		if (rt && !strcmp(key, "reject"))
			deps(r, rt);
		s->kind = NFT_S_VERDICT;
		return load_verdict(c, st, &s->verdict);
	}
	if (!strcmp(key, "vmap")) {
		s->kind = NFT_S_VMAP;
		i = load_key(c, json_object_get(o, "key"), s, what);
		return i ? i : load_right(c, json_object_get(o, "data"), s, 1);
	}
	if (!strcmp(key, "dnat") || !strcmp(key, "snat") || !strcmp(key, "masquerade") ||
	    !strcmp(key, "redirect")) {
		s->kind = key[0] == 'd' ? NFT_S_DNAT : key[0] == 'r' ? NFT_S_REDIRECT : NFT_S_SNAT;
		nat_stmt(o, s);
		fam = json_string_value(json_object_get(o, "family"));
		/* nft_nat_inet_eval: a nat of the other family does nothing (continue) */
		s->nat_fam = (uint8_t)(!fam ? 0 : !strcmp(fam, "ip") ? 4 : !strcmp(fam, "ip6") ? 6 : 0);
		c->rs->ct_fam |= nft_fam_bits(s->nat_fam ? s->nat_fam : c->rs->tables[c->table].fam);
		*what = "nat map";
		return s->has_addr == 2 || s->has_port == 2 ? 2 : 0;
	}
	if (!strcmp(key, "notrack")) {
		s->kind = NFT_S_NOTRACK;
		return 0;
	}
	if (!strcmp(key, "xt")) {
		/* iptables-nft's extensions nft cannot show; `-m comment` always holds */
		const char *t = json_string_value(json_object_get(o, "type"));
		const char *n = json_string_value(json_object_get(o, "name"));

		if (t && n && !strcmp(t, "match") && !strcmp(n, "comment")) {
			s->kind = NFT_S_NOP;
			return 0;
		}
		return 1;
	}
	for (i = 0; nop_stmts[i]; i++)
		if (!strcmp(key, nop_stmts[i])) {
			s->kind = NFT_S_NOP;
			if (!strcmp(key, "counter") && !r->has_counter && json_is_object(o)) {
				r->has_counter = 1;
				r->packets = (uint64_t)json_integer_value(json_object_get(o, "packets"));
				r->bytes = (uint64_t)json_integer_value(json_object_get(o, "bytes"));
			} else if (!strcmp(key, "log") && json_is_integer(json_object_get(o, "group"))) {
				r->log_group = (int32_t)json_integer_value(json_object_get(o, "group"));
			}
			/* mangles (meta mark set, ...) have effects not modelled */
			return strcmp(key, "counter") && strcmp(key, "log") ? 2 : 0;
		}
	return 1;	/* limit, quota, meter, connlimit, xt, ...: may or may not hold */
}

/* what (a JSON key, freed with the document) as a string that lives as long as the
 * program: the name when it is one nft prints, else "statement". */
static const char *static_name(const char *what)
{
	static const char *const names[] = {
		"limit", "quota", "meter", "fib", "payload", "meta", "ct", "value", "bitwise",
		"nat map", "mangle", "set", "dup", "fwd", "xt", "connlimit", "queue", "numgen",
		"jhash", "symhash", "osf", "exthdr", "rt", "socket", "ipsec", "tproxy", "synproxy",
		"secmark", "ct helper", "ct timeout", "ct expectation", "flow", "last", "map",
		"expression", "concat", "tcp option", "sctp chunk", "dccp option", "hash",
		"merged !=", NULL};
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], what))
			return names[i];
	return "statement";
}

/* Whether a statement holds a ct expression or statement (any key: nft_ct_get_init and
 * nft_ct_set_init register conntrack). */
static int has_ct(json_t *j, int depth)
{
	const char *k;
	json_t *v;
	size_t i;

	if (depth > 16)
		return 0;
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (has_ct(v, depth + 1))
				return 1;
		return 0;
	}
	json_object_foreach(j, k, v)
		if (!strcmp(k, "ct") || !strncmp(k, "ct ", 3) || has_ct(v, depth + 1))
			return 1;
	return 0;
}

static int load_stmts(struct nft_lctx *c, json_t *expr, struct nft_rule *r);

int nft_rule_load(struct nft_lctx *c, json_t *expr, struct nft_rule *r)
{
	struct nft_ruleset *rs = c->rs;
	json_t *raw;
	int v;

	r->first = rs->nstmts;
	r->n = 0;
	r->log_group = -1;
	r->unknown_what = "";
	if (!json_is_array(expr))
		return lerr(c, "rule without an expr array%s", "");
	if (json_array_size(expr) > NFT_MAX_STMTS)
		return lerr(c, "rule with more than %s statements", "64");
	if (!(expr = nft_merge_rewrite(expr, c->merge)))
		return lerr(c, "out of memory%s", "");
	raw = nft_raw_rewrite(expr);
	json_decref(expr);
	if (!raw)
		return lerr(c, "out of memory%s", "");
	v = load_stmts(c, raw, r);
	json_decref(raw);
	return v;
}

/* The statements of one rule (nft_rule_load, after the payload merge). */
static int load_stmts(struct nft_lctx *c, json_t *expr, struct nft_rule *r)
{
	struct nft_ruleset *rs = c->rs;
	size_t i;
	json_t *st;
	int hit = -1;

	r->tail_nop = 1;
	json_array_foreach(expr, i, st) {
		struct nft_stmt s;
		const char *what = "";
		uint32_t nsets = rs->nsets, nelems = rs->nelems;
		int v;

		memset(&s, 0, sizeof(s));
		s.set = s.verdict = NFT_NONE;
		v = load_stmt(c, st, &s, r, &what);
		if (v < 0)
			return -1;
		if (v == 1) {
			/* drop a half-built anonymous set */
			rs->nsets = nsets;
			rs->nelems = nelems;
			if (s.kind == NFT_S_VMAP)
				s.kind = NFT_S_VERDICT, s.verdict = NFT_NONE;	/* unknown verdict */
			else
				s.kind = NFT_S_UNKNOWN_MATCH;
		}
		if (v) {
			if (!r->unknown++)
				r->unknown_what = static_name(what);
		}
		if (has_ct(st, 0))
			rs->ct_fam |= nft_fam_bits(rs->tables[c->table].fam);
		if (hit < 0 && s.kind != NFT_S_MATCH && s.kind != NFT_S_UNKNOWN_MATCH &&
		    s.kind != NFT_S_FIB)
			hit = (int)i;
		/* counter, log, comment (load_stmt 0): no effect on where the packet goes */
		if (hit >= 0 && (s.kind != NFT_S_NOP || v != 0))
			r->tail_nop = 0;
		if (nft_grow((void **)&rs->stmts, &rs->cap_stmts, rs->nstmts, sizeof(s),
			     UINT32_MAX / 2) < 0)
			return lerr(c, "out of memory%s", "");
		rs->stmts[rs->nstmts++] = s;
		r->n++;
	}
	r->hitpos = hit < 0 ? r->n : (uint32_t)hit;
	return 0;
}

/* A named set's type: field kind per "type" name; -1 not modelled. */
static int type_field(const char *t)
{
	static const struct { const char *n; int f; } types[] = {
		{"ipv4_addr", NF_IP_SADDR}, {"ipv6_addr", NF_IP6_SADDR}, {"inet_service", NF_TH_DPORT},
		{"inet_proto", NF_L4PROTO}, {"ifname", NF_IIFNAME}, {"ct_state", NF_CT_STATE},
		{"icmp_type", NF_ICMP_TYPE}, {"icmpv6_type", NF_ICMP6_TYPE}, {"pkt_type", NF_PKTTYPE},
		{"nf_proto", NF_NFPROTO}, {"tcp_flag", NF_TCP_FLAGS}};
	size_t i;

	for (i = 0; t && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i].n, t))
			return types[i].f;
	return -1;
}

int nft_set_load(struct nft_lctx *c, json_t *obj, int is_map)
{
	struct nft_ruleset *rs = c->rs;
	const char *name = json_string_value(json_object_get(obj, "name"));
	json_t *type = json_object_get(obj, "type"), *elem = json_object_get(obj, "elem"), *e;
	const char *map = json_string_value(json_object_get(obj, "map"));
	uint8_t keys[NFT_CONCAT_MAX];
	struct nft_set *st;
	uint32_t id;
	size_t i, n = json_is_array(type) ? json_array_size(type) : 1;
	int v;

	if (!name || strlen(name) > 255)
		return lerr(c, "set without a name%s", "");
	if (new_set(c, name, &id) < 0)
		return -1;
	st = &rs->sets[id];
	st->is_map = (uint8_t)is_map;
	if (n < 1 || n > NFT_CONCAT_MAX || (is_map && (!map || strcmp(map, "verdict")))) {
		st->unknown = 1;
		return 0;
	}
	st->nfields = (uint8_t)n;
	for (i = 0; i < n; i++) {
		int f = type_field(json_string_value(json_is_array(type) ? json_array_get(type, i) : type));

		if (f < 0) {
			st->unknown = 1;
			return 0;
		}
		keys[i] = (uint8_t)f;
		st->flen[i] = (uint8_t)nft_field_len(f);
	}
	if (!elem)
		return 0;
	if (!json_is_array(elem))
		return lerr(c, "set `%s': elem is not an array", name);
	json_array_foreach(elem, i, e) {
		if (is_map && (!json_is_array(e) || json_array_size(e) != 2))
			return lerr(c, "map `%s': bad element", name);
		v = add_elem(c, keys, (int)n, is_map ? json_array_get(e, 0) : e,
			     is_map ? json_array_get(e, 1) : NULL);
		if (v < 0)
			return -1;
		if (v == 1) {
			rs->sets[id].unknown = 1;
			return 0;
		}
	}
	return 0;
}
