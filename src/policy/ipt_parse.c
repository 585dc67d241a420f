/* This file contains the iptables-save parser's outer layer: it splits the text into
 * lines, tokenizes them as iptables-restore does (add_param_to_argv), and handles tables,
 * chain declarations, COMMIT and counters, handing rule lines to ipt_rule.c. At the end it
 * groups rules by chain, numbers them, and rejects jump loops. */
#include "policy/ipt_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IPT_CHAIN_MAXLEN 28	/* XT_EXTENSION_MAXNAMELEN - 1 */
#define IPT_TOKEN_MAX 1024	/* iptables-restore's parameter buffer */
#define IPT_LINE_MAX (1u << 20)

/* Splits line (NUL-terminated, no newline) into tokens the way iptables-restore's
 * add_param_to_argv does: blanks separate, a double quote opens a quoted part in which a
 * backslash escapes any character and a closing quote ends the token. Token texts are
 * written into store (at least as large as the line). Returns the token count, or -1
 * with the error set. */
static int tokenize(struct ipt_pstate *ps, const char *line, char *store, struct ipt_tok **toks,
		    size_t *cap)
{
	const char *p;
	char *out = store;
	size_t n = 0, len = 0;
	int quote = 0, escaped = 0, in_tok = 0;
	unsigned start = 0, qcol = 0;

	for (p = line;; p++) {
		char c = *p;
		int end_tok = 0;

		if (c == '\0') {
			if (quote)
				return ipt_perr(ps, qcol, "unterminated quote in `%s'", line + start - 1);
			end_tok = in_tok;
		} else if (quote) {
			if (escaped) {
				escaped = 0;
			} else if (c == '\\') {
				escaped = 1;
				continue;
			} else if (c == '"') {
				quote = 0;
				end_tok = 1;
			}
			if (!end_tok) {
				out[len++] = c;
				continue;
			}
		} else if (c == '"') {
			if (!in_tok) {
				in_tok = 1;
				start = (unsigned)(p - line) + 1;
			}
			quote = 1;
			qcol = (unsigned)(p - line) + 1;
			continue;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			/* an unquoted carriage return separates tokens: kept inside one, it
			 * would print last on a line and read back as a CRLF line end
			 * (fuzz_ipt_parse) */
			end_tok = in_tok;
			if (!end_tok)
				continue;
		} else {
			if (!in_tok) {
				in_tok = 1;
				start = (unsigned)(p - line) + 1;
			}
			out[len++] = c;
			continue;
		}
		if (end_tok) {
			if (len >= IPT_TOKEN_MAX)
				return ipt_perr(ps, start, "parameter too long (over %d bytes)",
						IPT_TOKEN_MAX);
			if (n + 1 > *cap) {
				size_t ncap = *cap ? *cap * 2 : 32;
				struct ipt_tok *t = realloc(*toks, ncap * sizeof(**toks));

				if (!t)
					return ipt_ps_oom(ps);
				*toks = t;
				*cap = ncap;
			}
			out[len] = '\0';
			(*toks)[n].s = out;
			(*toks)[n].col = start;
			(*toks)[n].quoted = qcol >= start;
			n++;
			out += len + 1;
			len = 0;
			in_tok = 0;
			qcol = 0;
		}
		if (c == '\0')
			break;
	}
	return (int)n;
}

/* "[packets:bytes]" */
static int parse_counters(const char *s, uint64_t *pk, uint64_t *by)
{
	char *end;
	const char *p = s + 1;

	if (s[0] != '[' || p[0] < '0' || p[0] > '9')
		return -1;
	errno = 0;
	*pk = strtoull(p, &end, 10);
	if (errno || *end != ':' || end[1] < '0' || end[1] > '9')
		return -1;
	p = end + 1;
	*by = strtoull(p, &end, 10);
	if (errno || end[0] != ']' || end[1] != '\0')
		return -1;
	return 0;
}

static int valid_chain_name(const char *s)
{
	static const char *const reserved[] = {"ACCEPT", "DROP", "QUEUE", "RETURN"};
	size_t i;

	if (s[0] == '\0' || s[0] == '-' || s[0] == '!' || strlen(s) > IPT_CHAIN_MAXLEN)
		return 0;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcmp(s, reserved[i]) == 0)
			return 0;
	return 1;
}

static int do_table(struct ipt_pstate *ps, struct ipt_tok *t, int n)
{
	struct ipt_ruleset *rs = ps->rs;
	const char *name = t[0].s + 1;
	int table, h;

	if (ps->table >= 0)
		return ipt_perr(ps, t[0].col, "`%s' before COMMIT of table `%s'", t[0].s,
				ipt_table_name(ps->table));
	if (n > 1)
		return ipt_perr(ps, t[1].col, "unexpected `%s' after table name", t[1].s);
	table = ipt_table_parse(name);
	if (table < 0)
		return ipt_perr(ps, t[0].col + 1, "unknown table `%s'", name);
	if (rs->table_present[table])
		return ipt_perr(ps, t[0].col, "table `%s' given twice", name);
	rs->table_present[table] = 1;
	rs->table_order[rs->ntables++] = (uint8_t)table;
	ps->table = table;
	ps->table_line = ps->line;
	for (h = 0; h < IPT_HOOK_COUNT; h++) {
		if (!ipt_hook_valid(table, h))
			continue;
		rs->builtin[table][h] = ipt_ps_add_chain(ps, ipt_hook_name(h), table, h);
		if (rs->builtin[table][h] == IPT_NONE)
			return ipt_ps_oom(ps);
	}
	return 0;
}

static int do_chain(struct ipt_pstate *ps, struct ipt_tok *t, int n)
{
	const char *name = t[0].s + 1;
	struct ipt_chain *c;
	uint32_t id;
	int builtin;

	if (ps->table < 0)
		return ipt_perr(ps, t[0].col, "chain `%s' outside a table", name);
	if (!valid_chain_name(name))
		return ipt_perr(ps, t[0].col + 1, "invalid chain name `%s'", name);
	if (n < 2)
		return ipt_perr(ps, t[0].col, "chain `%s' without a policy", name);
	if (n > 3)
		return ipt_perr(ps, t[3].col, "unexpected `%s' after chain counters", t[3].s);
	id = ipt_ps_chain(ps, ps->table, name);
	builtin = id != IPT_NONE && ps->rs->chains[id].hook >= 0;
	if (id != IPT_NONE && !builtin)
		return ipt_perr(ps, t[0].col + 1, "chain `%s' declared twice", name);
	if (!builtin && strcmp(t[1].s, "-") != 0)
		return ipt_perr(ps, t[1].col, "policy `%s' on user chain `%s' (must be `-')", t[1].s,
				name);
	if (builtin && strcmp(t[1].s, "ACCEPT") != 0 && strcmp(t[1].s, "DROP") != 0 &&
	    strcmp(t[1].s, "-") != 0)
		return ipt_perr(ps, t[1].col, "bad policy `%s'", t[1].s);
	if (id == IPT_NONE) {
		id = ipt_ps_add_chain(ps, name, ps->table, -1);
		if (id == IPT_NONE)
			return ipt_ps_oom(ps);
	}
	c = &ps->rs->chains[id];
	c->line = ps->line;
	if (builtin && strcmp(t[1].s, "-") != 0) {
		c->policy = strcmp(t[1].s, "DROP") == 0 ? IPT_V_DROP : IPT_V_ACCEPT;
		c->policy_declared = 1;
	}
	if (n == 3) {
		if (parse_counters(t[2].s, &c->packets, &c->bytes) != 0)
			return ipt_perr(ps, t[2].col, "bad counters `%s'", t[2].s);
		c->has_counters = 1;
	}
	return 0;
}

static int do_rule(struct ipt_pstate *ps, struct ipt_tok *t, int n)
{
	uint64_t pk = 0, by = 0;
	int i = 0, has_counters = 0;
	uint32_t chain;

	if (t[0].s[0] == '[') {
		if (parse_counters(t[0].s, &pk, &by) != 0)
			return ipt_perr(ps, t[0].col, "bad counters `%s'", t[0].s);
		has_counters = 1;
		i = 1;
	}
	if (ps->table < 0)
		return ipt_perr(ps, t[0].col, "rule outside a table (no `*table' line before it)");
	if (i >= n || (strcmp(t[i].s, "-A") != 0 && strcmp(t[i].s, "--append") != 0))
		return ipt_perr(ps, i < n ? t[i].col : t[0].col, "expected `-A CHAIN', got `%s'",
				i < n ? t[i].s : "");
	if (i + 1 >= n)
		return ipt_perr(ps, t[i].col, "option `%s' requires a chain name", t[i].s);
	chain = ipt_ps_chain(ps, ps->table, t[i + 1].s);
	if (chain == IPT_NONE) {
		int other, h = ipt_hook_parse(t[i + 1].s);

		for (other = 0; other < IPT_TABLE_COUNT; other++)
			if (other != ps->table && ipt_ps_chain(ps, other, t[i + 1].s) != IPT_NONE)
				break;
		if (h >= 0 || other < IPT_TABLE_COUNT)
			return ipt_perr(ps, t[i + 1].col, "chain `%s' does not exist in table `%s'",
					t[i + 1].s, ipt_table_name(ps->table));
		return ipt_perr(ps, t[i + 1].col, "chain `%s' not declared", t[i + 1].s);
	}
	return ipt_rule_parse(ps, chain, t + i + 2, (size_t)(n - i - 2), has_counters, pk, by);
}

static int cmp_rule_chain(const void *a, const void *b)
{
	const struct ipt_rule *x = a, *y = b;

	if (x->chain != y->chain)
		return x->chain < y->chain ? -1 : 1;
	/* stable: the line (then the order of comma-expanded copies, kept in num) */
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->num < y->num ? -1 : (x->num > y->num);
}

/* DFS colouring over jump/goto edges; the kernel refuses rulesets with loops. */
static int check_loops(struct ipt_pstate *ps)
{
	struct ipt_ruleset *rs = ps->rs;
	uint8_t *color = calloc(rs->nchains ? rs->nchains : 1, 1);
	uint32_t *stack = malloc((rs->nchains + 1) * sizeof(*stack) * 2);
	uint32_t c, sp;
	int ret = -1;

	if (!color || !stack) {
		ipt_ps_oom(ps);
		goto out;
	}
	for (c = 0; c < rs->nchains; c++) {
		if (color[c])
			continue;
		/* stack of (chain, next rule offset) */
		sp = 0;
		stack[sp++] = c;
		stack[sp++] = 0;
		color[c] = 1;
		while (sp) {
			uint32_t ch = stack[sp - 2], off = stack[sp - 1];
			struct ipt_chain *cc = &rs->chains[ch];

			if (off >= cc->n) {
				color[ch] = 2;
				sp -= 2;
				continue;
			}
			stack[sp - 1]++;
			if ((++ps->ops & 4095) == 0 && ipt_ps_stopped(ps))
				goto out;
			{
				struct ipt_rule *r = &rs->rules[cc->first + off];

				if (r->tkind != IPT_T_JUMP && r->tkind != IPT_T_GOTO)
					continue;
				if (color[r->tchain] == 1) {
					ps->line = r->line;
					ipt_perr(ps, 1, "jump to `%s' makes a loop", rs->chains[r->tchain].name);
					goto out;
				}
				if (color[r->tchain] == 0) {
					color[r->tchain] = 1;
					stack[sp++] = r->tchain;
					stack[sp++] = 0;
				}
			}
		}
	}
	ret = 0;
out:
	free(color);
	free(stack);
	return ret;
}

static int finish(struct ipt_pstate *ps)
{
	struct ipt_ruleset *rs = ps->rs;
	uint32_t i;

	if (rs->nrules)
		qsort(rs->rules, rs->nrules, sizeof(*rs->rules), cmp_rule_chain);
	for (i = 0; i < rs->nchains; i++)
		rs->chains[i].first = rs->nrules;
	for (i = 0; i < rs->nrules; i++) {
		struct ipt_chain *c = &rs->chains[rs->rules[i].chain];

		if (c->n == 0)
			c->first = i;
		rs->rules[i].num = ++c->n;
	}
	/* Chains without rules: first = the next chain's first, keep it in range. */
	for (i = 0; i < rs->nchains; i++)
		if (rs->chains[i].n == 0)
			rs->chains[i].first = 0;
	if (rs->family == 0)
		rs->family = 4;
	return check_loops(ps);
}

/* One tokenized line: a table, a chain declaration, COMMIT or a rule. */
static int do_line(struct ipt_pstate *ps, const char *line, struct ipt_tok *toks, int n)
{
	if (line[0] == '*')
		return do_table(ps, toks, n);
	if (line[0] == ':')
		return do_chain(ps, toks, n);
	if (strcmp(toks[0].s, "COMMIT") != 0)
		return do_rule(ps, toks, n);
	if (ps->table < 0)
		return ipt_perr(ps, toks[0].col, "COMMIT outside a table");
	if (n > 1)
		return ipt_perr(ps, toks[1].col, "unexpected `%s' after COMMIT", toks[1].s);
	ps->table = -1;
	return 0;
}

/* An empty ruleset for ps (ps->rs set); NULL with the error set on ENOMEM. */
static struct ipt_ruleset *ruleset_new(struct ipt_pstate *ps, int family)
{
	struct ipt_ruleset *rs = calloc(1, sizeof(*rs));
	int t, h;

	if (!rs || !(rs->file = strdup(ps->err->file))) {
		free(rs);
		ipt_ps_oom(ps);
		return NULL;
	}
	ps->rs = rs;
	rs->family = family;
	for (t = 0; t < IPT_TABLE_COUNT; t++)
		for (h = 0; h < IPT_HOOK_COUNT; h++)
			rs->builtin[t][h] = IPT_NONE;
	return rs;
}

struct ipt_ruleset *ipt_parse_buffer(const char *buf, size_t len, const char *file, int family,
				     struct ipt_error *err)
{
	return ipt_parse_buffer_opts(buf, len, file, family, NULL, err);
}

struct ipt_ruleset *ipt_parse_buffer_opts(const char *buf, size_t len, const char *file,
					  int family, struct ipt_parse_opts *opts,
					  struct ipt_error *err)
{
	struct ipt_pstate ps;
	struct ipt_ruleset *rs = NULL;
	struct ipt_tok *toks = NULL;
	size_t tcap = 0, pos = 0;
	char *line = NULL, *store = NULL;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "-");
	memset(&ps, 0, sizeof(ps));
	ps.err = err;
	ps.table = -1;
	ps.stop = opts ? opts->stop : NULL;
	if (family != 0 && family != 4 && family != 6) {
		ipt_perr(&ps, 0, "bad family %d", family);
		return NULL;
	}
	rs = ruleset_new(&ps, family);
	if (!rs)
		return NULL;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		int n;
		char *p;

		ps.line++;
		ps.ops++;
		if (ipt_ps_stopped(&ps))
			goto fail;
		if (l > IPT_LINE_MAX) {
			ipt_perr(&ps, 1, "line too long");
			goto fail;
		}
		free(line);
		free(store);
		line = malloc(l + 1);
		store = malloc(l + 1);
		if (!line || !store)
			goto nomem;
		memcpy(line, buf + pos, l);
		line[l] = '\0';
		pos += l + (nl ? 1 : 0);
		if (memchr(line, '\0', l)) {
			ipt_perr(&ps, (unsigned)strlen(line) + 1, "NUL byte in line");
			goto fail;
		}
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		/* trailing blanks never matter outside quotes; leading ones do in iptables
		 * ("  # x" is not a comment there) but we only skip blank lines */
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || line[0] == '#')
			continue;
		n = tokenize(&ps, line, store, &toks, &tcap);
		if (n < 0)
			goto fail;
		ps.ops += (uint64_t)n;
		if (n == 0)
			continue;
		if (do_line(&ps, line, toks, n) != 0)
			goto fail;
	}
	if (ps.table >= 0) {
		ps.line = ps.table_line;
		ipt_perr(&ps, 1, "table `%s' not committed: COMMIT missing at end of file",
			 ipt_table_name(ps.table));
		goto fail;
	}
	if (finish(&ps) != 0)
		goto fail;
	free(line);
	free(store);
	free(toks);
	free(ps.chash);
	if (opts)
		opts->ops = ps.ops;
	return rs;
nomem:
	ipt_ps_oom(&ps);
fail:
	free(line);
	free(store);
	free(toks);
	free(ps.chash);
	if (opts)
		opts->ops = ps.ops;
	ipt_ruleset_free(rs);
	if (errno != ENOMEM && errno != EINTR)
		errno = EINVAL;
	return NULL;
}

struct ipt_ruleset *ipt_parse_file(const char *path, int family, struct ipt_error *err)
{
	return ipt_parse_file_opts(path, family, NULL, err);
}

struct ipt_ruleset *ipt_parse_file_opts(const char *path, int family, struct ipt_parse_opts *opts,
					struct ipt_error *err)
{
	struct ipt_ruleset *rs = NULL;
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int saved;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	if (!f)
		goto ioerr;
	for (;;) {
		size_t got;

		if (len == cap) {
			char *nb;

			if (cap > (1u << 30))
				goto ioerr_big;
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb)
				goto ioerr;
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				goto ioerr;
			break;
		}
	}
	fclose(f);
	f = NULL;
	rs = ipt_parse_buffer_opts(buf, len, path, family, opts, err);
	free(buf);
	return rs;
ioerr_big:
	errno = EFBIG;
ioerr:
	saved = errno;
	snprintf(err->msg, sizeof(err->msg), "%s", strerror(saved));
	if (f)
		fclose(f);
	free(buf);
	errno = saved;
	return NULL;
}

void ipt_ruleset_free(struct ipt_ruleset *rs)
{
	uint32_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->nrules; i++)
		ipt_rule_clear(&rs->rules[i]);
	for (i = 0; i < rs->nchains; i++)
		free(rs->chains[i].name);
	free(rs->rules);
	free(rs->chains);
	free(rs->ifpat);
	free(rs->file);
	free(rs);
}

int ipt_ruleset_family(const struct ipt_ruleset *rs)
{
	return rs->family;
}

uint32_t ipt_rule_count(const struct ipt_ruleset *rs)
{
	return rs->nrules;
}

uint32_t ipt_chain_count(const struct ipt_ruleset *rs)
{
	return rs->nchains;
}

int ipt_table_present(const struct ipt_ruleset *rs, enum ipt_table t)
{
	return (unsigned)t < IPT_TABLE_COUNT && rs->table_present[t];
}

uint32_t ipt_chain_find(const struct ipt_ruleset *rs, enum ipt_table t, const char *name)
{
	uint32_t i;

	for (i = 0; i < rs->nchains; i++)
		if (rs->chains[i].table == t && strcmp(rs->chains[i].name, name) == 0)
			return i;
	return IPT_NONE;
}

int ipt_chain_get(const struct ipt_ruleset *rs, uint32_t chain, struct ipt_chain_info *info)
{
	const struct ipt_chain *c;

	if (chain >= rs->nchains) {
		errno = EINVAL;
		return -1;
	}
	c = &rs->chains[chain];
	info->name = c->name;
	info->table = (enum ipt_table)c->table;
	info->hook = c->hook;
	info->policy = (enum ipt_verdict)c->policy;
	info->policy_declared = c->policy_declared;
	info->line = c->line;
	info->first_rule = c->first;
	info->nrules = c->n;
	return 0;
}

int ipt_rule_get(const struct ipt_ruleset *rs, uint32_t rule, struct ipt_rule_info *info)
{
	const struct ipt_rule *r;

	if (rule >= rs->nrules) {
		errno = EINVAL;
		return -1;
	}
	r = &rs->rules[rule];
	info->chain = r->chain;
	info->table = (enum ipt_table)rs->chains[r->chain].table;
	info->chain_name = rs->chains[r->chain].name;
	info->num = r->num;
	info->line = r->line;
	info->has_counters = r->has_counters;
	info->packets = r->packets;
	info->bytes = r->bytes;
	info->unknown_matches = r->n_unknown;
	info->target = r->tname ? r->tname : "";
	return 0;
}
