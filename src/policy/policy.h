/* This file declares the one ruleset loader: every caller (`check --ruleset/--against`,
 * the live audit's intended policy and its SIGHUP reload, the live kernel ruleset the
 * privileged reader sends) names where a ruleset comes from in a struct policy_src and
 * gets back a struct policy, the parsed and compiled ruleset of each family, that the
 * evaluator (check.c, audit) takes. A second policy language (nftables) plugs in as
 * another enum policy_lang beside the iptables front end; the sources stay the same. */
#ifndef SPOOFAUDIT_POLICY_H
#define SPOOFAUDIT_POLICY_H

#include <stddef.h>

#include "policy/ipt.h"

/* Where a ruleset comes from. */
enum policy_kind {
	POLICY_FILE = 0,	/* a file: path */
	POLICY_LIVE,		/* the kernel's, read by the privileged reader (rulesrc.c) */
	POLICY_TEXT		/* text already read (e.g. the collector's rulesrc reply) */
};

/* Which language the text is in. */
enum policy_lang {
	POLICY_IPTABLES = 0	/* iptables-save / ip6tables-save */
};

struct policy_src {
	enum policy_kind kind;
	enum policy_lang lang;
	int family;		/* 4 or 6: the slot of struct policy it fills */
	const char *path;	/* POLICY_FILE: the file; otherwise a name for messages (may be NULL) */
	const char *text;	/* POLICY_TEXT: the text, len bytes */
	size_t len;
};

/* A loaded policy: per family ([0] IPv4, [1] IPv6), NULL when not given. Owns both. */
struct policy {
	struct ipt_ruleset *rs[2];
	struct ipt_compiled *cp[2];
	/* a live ruleset read beside native nftables tables it does not hold: a warning for
	 * the first lines of the output ("" when none) */
	char warn[2][512];
};

/* Loads the n sources into p, each into its family's slot (replacing what was there),
 * all or nothing: on failure p is unchanged. POLICY_LIVE sources are read through the
 * privileged reader, one request for all of them (the caller must be allowed to run
 * iptables-save: root). Returns 0, or -1 with a message in err: "file:line:col: message"
 * for a parse error (*positioned set to 1 when positioned is not NULL), "name: message"
 * otherwise. */
int policy_load(struct policy *p, const struct policy_src *src, size_t n, int *positioned,
		char *err, size_t errlen);
/* Moves family slot f (0/1) of from into to, replacing to's; from's slot becomes empty. */
void policy_move(struct policy *to, struct policy *from, int f);
void policy_free(struct policy *p);	/* NULL-safe; leaves *p empty */

#endif
