/* This file contains the live policy audit's violations: one signature builder keyed by
 * the violation kinds' table, the rate-limited lines (alert.c), the pending rows merged by
 * signature and written at every collector flush, and the summaries of repeats. */
#include "policy/audit_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify/classify.h"
#include "common/util.h"

uint64_t audit_hash(const void *p, size_t n, uint64_t h)
{
	h = util_fnv(h, p, n);
	return h ^ (h >> 29);
}

void audit_sig(char *buf, size_t len, enum audit_kind kind, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(buf, len, "%s|", audit_kind_names[kind]);
	if (n < 0 || (size_t)n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	va_end(ap);
}

void audit_pend_free(struct pend *p)
{
	free(p->sig);
	free(p->flow);
	free(p->iface);
	free(p->intended);
	free(p->live);
	free(p->evidence);
	free(p->message);
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

static void pend_evidence(struct pend *p, struct flow_entry *e, uint64_t ts)
{
	unsigned i;

	if (!e || !ts)
		return;
	for (i = 0; i < p->nev; i++)
		if (p->ev[i].e == e && p->ev[i].ts == ts)
			return;
	if (p->nev < PEND_EV) {
		p->ev[p->nev].e = e;
		p->ev[p->nev].ts = ts;
		p->nev++;
	}
}

static struct pend *pend_new(struct audit *a)
{
	if (a->npend == PEND_MAX && !a->flushing)
		collector_flush(a->c, 0);	/* writes them (audit_on_flush) */
	if (a->npend == PEND_MAX)
		return NULL;
	memset(&a->pend[a->npend], 0, sizeof(a->pend[0]));
	return &a->pend[a->npend++];
}

static struct sigent *sig_get(struct audit *a, uint64_t h, int *isnew)
{
	struct sigent *oldest = NULL;
	unsigned i;

	*isnew = 0;
	for (i = 0; i < SIG_PROBE; i++) {
		struct sigent *s = &a->sigs[(h + i) & (SIG_SLOTS - 1)];

		if (s->used && s->h == h)
			return s;
		if (!s->used) {
			oldest = s;
			break;
		}
		if (!oldest || s->last_seen < oldest->last_seen)
			oldest = s;
	}
	/* forget the oldest (its counts are in the table already or pending) */
	memset(oldest, 0, sizeof(*oldest));
	oldest->used = 1;
	oldest->h = h;
	*isnew = 1;
	return oldest;
}

static int take_token(struct audit *a, uint64_t now)
{
	double rate = a->o.lines_per_s ? a->o.lines_per_s : 1, burst = rate * 10;

	a->tokens += (double)(now - a->tokens_usec) * rate / 1e6;
	a->tokens_usec = now;
	if (a->tokens > burst)
		a->tokens = burst;
	if (a->tokens < 1)
		return 0;
	a->tokens -= 1;
	return 1;
}

void audit_violation(struct audit *a, const struct vio *v)
{
	uint64_t now = util_now_usec(), h = audit_hash(v->sig, strlen(v->sig), 1469598103934665603ull);
	const char *strength = v->weak ? "weak" : "strong";
	char msg[2048];
	struct sigent *s;
	struct pend *p;
	int isnew, line = 0;
	uint64_t count = v->count ? v->count : 1;

	snprintf(msg, sizeof(msg), "%s%s%s%s%s%s%s%s%s", v->flow ? v->flow : "",
		 v->intended && *v->intended ? "; intended: " : "", v->intended ? v->intended : "",
		 v->live && *v->live ? "; live: " : "", v->live ? v->live : "",
		 v->evidence && *v->evidence ? "; evidence: " : "", v->evidence ? v->evidence : "",
		 v->weak ? " (weak evidence)" : "", "");
	a->s.violations += count;
	a->s.kind[v->kind] += count;
	s = sig_get(a, h, &isnew);
	s->last_seen = now;
	s->total += count;
	if (isnew || v->force ||
	    (!s->since_line && now - s->last_line >= (uint64_t)a->o.repeat_s * 1000000u)) {
		if (take_token(a, now)) {
			struct alert_line l;

			memset(&l, 0, sizeof(l));
			l.kind = audit_kind_names[v->kind];
			l.strength = strength;
			l.ts_usec = now;
			l.flow = v->flow;
			l.intended = v->intended;
			l.live = v->live;
			l.evidence = v->evidence;
			l.text = msg;
			l.total = s->total;
			alert_emit(a->o.alert, &l);
			a->s.lines++;
			line = 1;
		} else {
			a->s.lines_suppressed++;
			s->since_line++;
		}
		s->last_line = now;
		s->kind = audit_kind_names[v->kind];
		s->strength = strength;
		snprintf(s->text, sizeof(s->text), "%.*s", (int)sizeof(s->text) - 1, msg);
	} else {
		s->since_line++;
		a->s.lines_suppressed++;
	}
	/* the row: merge into this flush's pending row of the same signature */
	if (s->pend_gen == a->pend_gen + 1 && s->pend >= 0 && (size_t)s->pend < a->npend &&
	    a->pend[s->pend].h == h) {
		p = &a->pend[s->pend];
	} else {
		p = pend_new(a);
		if (!p)
			return;	/* the database keeps failing: the line went out, the row waits */
		p->h = h;
		p->sig = dup0(v->sig);
		p->flow = dup0(v->flow);
		p->iface = dup0(v->iface);
		p->intended = dup0(v->intended);
		p->live = dup0(v->live);
		p->evidence = dup0(v->evidence);
		p->message = dup0(msg);
		p->kind = audit_kind_names[v->kind];
		p->strength = strength;
		p->cls = v->cls;
		p->e = v->e;
		p->ee = v->ee;
		p->flow_id = v->flow_id;
		p->family = v->family;
		p->proto = v->proto;
		p->dport = v->dport;
		p->first = now;
		s->pend = (int)(p - a->pend);
		s->pend_gen = a->pend_gen + 1;
	}
	p->last = now;
	p->count += count;
	p->packets += v->packets;
	p->lines += (uint64_t)line;
	if (!p->ee && v->ee)
		p->ee = v->ee;
	pend_evidence(p, v->ee, v->ev_ts[0]);
	pend_evidence(p, v->e, v->ev_ts[1]);
}

/* The row of pending violation p, its flows' row ids taken from their entries. */
static void pend_row(const struct audit *a, const struct pend *p, struct store_violation *sv)
{
	memset(sv, 0, sizeof(*sv));
	sv->run_id = a->run_id;
	sv->sig = p->sig;
	sv->kind = p->kind;
	sv->strength = p->strength;
	sv->first_usec = p->first;
	sv->last_usec = p->last;
	sv->count = p->count;
	sv->packets = p->packets;
	sv->lines = p->lines;
	sv->flow_id = p->e ? p->e->db_id : p->flow_id;
	sv->evidence_flow_id = p->ee ? p->ee->db_id : 0;
	sv->flow = p->flow;
	sv->iface = p->iface;
	sv->cls = p->cls;
	sv->family = p->family;
	sv->proto = p->proto;
	sv->dport = p->dport;
	sv->intended = p->intended;
	sv->live = p->live;
	sv->evidence = p->evidence;
	sv->message = p->message;
}

static void pend_clear(struct audit *a)
{
	size_t i;

	for (i = 0; i < a->npend; i++)
		audit_pend_free(&a->pend[i]);
	a->npend = 0;
	a->pend_gen++;
}

/* collector_flush() hook without a writer thread: writes the pending violations (their
 * flows have row ids now). */
int audit_on_flush(void *arg)
{
	struct audit *a = arg;
	size_t i;
	unsigned k;

	if (!a->npend)
		return 0;
	a->flushing = 1;
	if (store_begin(a->st) < 0)
		goto fail;
	for (i = 0; i < a->npend; i++) {
		struct pend *p = &a->pend[i];
		struct store_violation sv;
		int64_t id;

		pend_row(a, p, &sv);
		id = store_violation_upsert(a->st, &sv);
		if (id < 0)
			goto fail;
		for (k = 0; k < p->nev; k++)
			if (p->ev[k].e->db_id > 0 &&
			    store_violation_evidence_add(a->st, id, p->ev[k].e->db_id, p->ev[k].ts) < 0)
				goto fail;
	}
	if (store_commit(a->st) < 0)
		goto fail;
	pend_clear(a);
	a->flushing = 0;
	return 0;
fail:
	snprintf(a->c->err, sizeof(a->c->err), "violations: %s", store_errmsg(a->st));
	store_rollback(a->st);
	a->flushing = 0;
	return -1;
}

/* collector_handoff() hook with a writer thread: moves the pending violations into b, the
 * batch that carries the last of their flows; the writer finds the flows' rows by key
 * once it has written them. Without memory they wait for the next handoff. */
void audit_on_handoff(void *arg, struct store_batch *b)
{
	struct audit *a = arg;
	size_t i;
	unsigned k;

	if (!a->npend || b->vio)
		return;
	b->vio = calloc(a->npend, sizeof(*b->vio));
	if (!b->vio)
		return;
	for (i = 0; i < a->npend; i++) {
		struct pend *p = &a->pend[i];
		struct store_vio_row *r = &b->vio[i];
		char **own[] = { &p->sig, &p->flow, &p->iface, &p->intended, &p->live,
				 &p->evidence, &p->message };

		pend_row(a, p, &r->v);
		for (k = 0; k < sizeof(own) / sizeof(own[0]); k++) {
			r->own[k] = *own[k];	/* the row's now: r->v points at them */
			*own[k] = NULL;
		}
		if (p->e) {
			r->key = p->e->key;
			r->has_key = 1;
		}
		if (p->ee) {
			r->evkey = p->ee->key;
			r->has_evkey = 1;
		}
		for (k = 0; k < p->nev && k < STORE_VIO_EV; k++) {
			r->ev[k].key = p->ev[k].e->key;
			r->ev[k].ts = p->ev[k].ts;
		}
		r->nev = k;
	}
	b->n_vio = a->npend;
	pend_clear(a);
}

/* ---- periodic ---- */

/* Summaries of the lines rate-limited within the repeat window. */
void audit_tick_repeats(struct audit *a, uint64_t now)
{
	size_t i;

	for (i = 0; i < SIG_SLOTS; i++) {
		struct sigent *s = &a->sigs[i];

		if (s->used && s->since_line && now - s->last_line >= (uint64_t)a->o.repeat_s * 1000000u) {
			struct alert_line l;

			memset(&l, 0, sizeof(l));
			l.kind = s->kind;
			l.strength = s->strength;
			l.ts_usec = now;
			l.text = s->text;
			l.repeated = s->since_line;
			l.total = s->total;
			l.window_s = (unsigned)((now - s->last_line) / 1000000u);
			alert_emit(a->o.alert, &l);
			a->s.lines++;
			s->since_line = 0;
			s->last_line = now;
		}
	}
}
