/* This file declares what the report model's builders share (report_data.c for the
 * database-wide sections, report_interpret.c for those that interpret the traffic): the
 * query context of one database, and helpers that run a reports/ query and fill cells and
 * notes. Internal to the report; functions return 0 or -1 with the message in the
 * context's err, and set oom on allocation failure. */
#ifndef SPOOFAUDIT_REPORT_QUERY_H
#define SPOOFAUDIT_REPORT_QUERY_H

#include <stdint.h>

#include "report/report.h"
#include "store/store.h"

#define REPORT_USEC 1000000LL
#define REPORT_DAY 86400LL

/* What one database's queries share. */
struct report_qctx {
	struct report *r;
	struct report_host *h;
	struct store *st;
	int hi;				/* host index */
	int64_t since_us, until_us;	/* the period queried (current or previous) */
	const char *ifaces;		/* ",eth0,lo," or "" */
	int file_mode;
	int unfinished;			/* runs of the period with no end (q_runs) */
	int oom;
	char *err;
	size_t errlen;
};

struct rcell *report_q_row_add(struct report_qctx *q, struct rtable *t);	/* column 0: host */
void report_q_text(struct report_qctx *q, struct rcell *c, const char *s);
void report_q_int(struct rcell *c, int64_t v);
/* A note in section sec; with several databases it names the host. */
void report_q_note(struct report_qctx *q, enum report_section sec, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A new string (free() it), or NULL with q->oom set. */
char *report_q_asprintf(struct report_qctx *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends sep and text (or text alone, when *dst is NULL) to *dst. */
void report_q_append(struct report_qctx *q, char **dst, const char *sep, const char *text);
/* Prepares reports/FILE with every parameter bound (reports/README.md lists them). */
struct store_rows *report_q_open(struct report_qctx *q, const char *file);
int report_q_step(struct report_qctx *q, struct store_rows *s);	/* 1 row, 0 done, -1 */
/* What the period's runs recorded of one kernel counter: "in_martian_src rose by 60 while
 * the capture ran (...)", or NULL when no run recorded it (report_verdict.c). */
char *report_q_counter_seen(struct report_qctx *q, const char *name);
/* A new row of t from the query's columns: query column i goes to map[i] (0 = skip). */
struct rcell *report_q_copy_row(struct report_qctx *q, struct store_rows *s, struct rtable *t,
				const unsigned *map, unsigned n);
int report_q_table(struct report_qctx *q, const char *file, enum report_table t,
		   const unsigned *map, unsigned n);
/* Protocol name and service ("443", ICMP "8/0") cells. */
void report_q_proto(struct report_qctx *q, struct rcell *name, struct rcell *svc, int64_t proto,
		    int64_t port);
const char *report_q_hook_name(int64_t hook);
/* A cell of the classes of a comma list, spelled out ("bogon_src, own_addr_src"). */
void report_q_class_list(struct report_qctx *q, struct rcell *c, const char *list);

/* The sections report_interpret.c builds (each 0, or -1). */
int report_q_kernel(struct report_qctx *q);
int report_q_timeline(struct report_qctx *q);
int report_q_new_sources(struct report_qctx *q);
/* report_spoofed.c: the top sources, destinations and ports and the TTL table from one
 * read of the period's spoofed flows; the new sources (report_q_new_sources()) are built
 * between the top lists and the TTL table. */
int report_q_spoofed(struct report_qctx *q);
int report_q_nflog(struct report_qctx *q);
int report_q_loopback(struct report_qctx *q);
/* The live policy audit's violations of the period (reports/policy.sql). */
int report_q_policy(struct report_qctx *q);
/* report_verdict.c: the verdict's classes and next steps of one host (after every other
 * section of it), then, once every host is built, the headline, changes and
 * completeness. */
int report_q_verdict(struct report_qctx *q);
/* report_backscatter.c: the step backscatter of the period calls for (*step: a new string,
 * or NULL when there was none). Returns 0, or -1. */
int report_q_backscatter(struct report_qctx *q, char **step);
/* report_suspect.c: the flood episodes of the period (RT_FLOOD), and the step the
 * suspect_src class calls for (*step as report_q_backscatter's). 0, or -1. */
int report_q_flood(struct report_qctx *q);
int report_q_suspect(struct report_qctx *q, char **step);
int report_verdict_finish(struct report *r);
void report_verdict_free(struct report_verdict *v);

#endif
