/* This file completes the report's verdict once every host is built: the headline (did
 * spoofed packets get through), what changed since the previous period, and how complete
 * the view is; and frees it. report_verdict.c builds the classes and next steps. */
#include "report/report_query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void append(struct report_qctx *q, char **dst, const char *text)
{
	report_q_append(q, dst, ", ", text);
}

/* ---- Across hosts: the headline, what changed, how complete the view is ---- */

static char *changes_text(struct report_qctx *q, const struct report_host *h)
{
	const struct rtable *t = &q->r->tables[RT_TOTALS_CLASS];
	char *out = NULL, *newc = NULL, *rates = NULL, *hist, *s;

	for (size_t i = 0; i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];

		if (strcmp(row[0].s, h->name) || report_spoof_class_index(row[1].s) < 0)
			continue;
		if (h->prev_ok && row[2].i > 0 && row[5].i == 0)
			append(q, &newc, row[1].s);
		if (h->prev_ok && (row[2].i || row[5].i) && (s = report_q_asprintf(q, "%s %lld (was %lld, %s)",
				row[1].s, (long long)row[2].i, (long long)row[5].i, row[8].s))) {
			append(q, &rates, s);
			free(s);
		}
	}
	if (h->hist_days)
		hist = report_q_asprintf(q, "%lld spoofed source%s new (not seen in the %d day%s before)",
				 (long long)h->new_sources, h->new_sources == 1 ? " is" : "s are",
				 h->hist_days, h->hist_days == 1 ? "" : "s");
	else
		hist = report_q_asprintf(q, "no earlier data to tell new sources from known ones");
	if (!h->prev_ok)
		out = report_q_asprintf(q, "The database does not cover the previous period: no "
				"comparison; %s.", hist ? hist : "");
	else
		out = report_q_asprintf(q, "Since the previous period: %s; new classes: %s; %s.",
				rates ? rates : "no spoofed packets in either", newc ? newc : "none",
				hist ? hist : "");
	free(hist);
	free(newc);
	free(rates);
	return out;
}

static char *completeness_text(struct report_qctx *q, const struct report_host *h,
			       int64_t period)
{
	char a[32], b[32];
	const char *loss = h->lost ? " Losses were recorded (see Completeness): counts are "
		"lower bounds." : " No capture loss was recorded.";

	report_duration(period, b, sizeof(b));
	if (h->live_secs >= 0)
		return report_q_asprintf(q, "Live capture ran %s of the period's %s.%s",
				 report_duration(h->live_secs, a, sizeof(a)), b, loss);
	if (h->file_secs >= 0)
		return report_q_asprintf(q, "No live capture: capture files hold %s of packets (first to "
				 "last) in the period's %s.%s", report_duration(h->file_secs, a,
				 sizeof(a)), b, loss);
	return report_q_asprintf(q, "No capture ran in the period's %s.", b);
}

static char *headline(struct report_qctx *q)
{
	struct report *r = q->r;
	struct report_verdict *vd = &r->verdict;
	char *through = NULL, *s;
	uint64_t dropped = 0;
	int unknown = 0;

	if (!r->packets) {
		vd->status = VS_EMPTY;
		return report_q_asprintf(q, "No packets were recorded in this period.");
	}
	if (!r->spoofed_packets) {
		vd->status = VS_NONE;
		return report_q_asprintf(q, "No spoofed packet was seen among %llu packets.",
				 (unsigned long long)r->packets);
	}
	for (int f = FATE_ANSWERED; f <= FATE_PASSED; f++) {
		char *list = NULL;

		for (size_t i = 0; i < vd->nclasses; i++)
			if (vd->classes[i].fate == (enum report_fate)f)
				append(q, &list, report_class_label(vd->classes[i].cls));
		if (list && (s = report_q_asprintf(q, "%s: %s", report_fate_label((enum report_fate)f), list))) {
			report_q_append(q, &through, "; ", s);
			free(s);
		}
		free(list);
	}
	for (size_t i = 0; i < vd->nclasses; i++)
		unknown |= vd->classes[i].fate == FATE_UNKNOWN;
	if (through) {
		vd->status = VS_THROUGH;
		s = report_q_asprintf(q, "Spoofed packets got through (%s).", through);
		free(through);
		return s;
	}
	vd->status = unknown ? VS_UNKNOWN : VS_DROPPED;
	for (size_t i = 0; i < vd->nclasses; i++)
		dropped += vd->classes[i].dropped;
	if (unknown && !dropped)
		return report_q_asprintf(q, "%llu spoofed packets arrived; the recorded data does not tell "
				 "what the kernel did with them (no reply to any was seen).",
				 (unsigned long long)r->spoofed_packets);
	if (unknown)
		return report_q_asprintf(q, "%llu spoofed packets arrived; %llu of them were dropped by the "
				 "kernel, and for the rest the recorded data does not tell (no reply "
				 "to any was seen).", (unsigned long long)r->spoofed_packets,
				 (unsigned long long)dropped);
	return
		report_q_asprintf(q, "%llu spoofed packets arrived and the kernel dropped every one; "
			  "none was answered.", (unsigned long long)r->spoofed_packets);
}

int report_verdict_finish(struct report *r)
{
	struct report_verdict *vd = &r->verdict;
	struct report_qctx q = { .r = r, .h = &r->hosts[0] };
	int64_t cap = -1;

	vd->period_secs = (r->until_us - r->since_us) / REPORT_USEC;
	for (unsigned i = 0; i < r->nhosts && !q.oom; i++) {
		char *c, *k;

		q.h = &r->hosts[i];
		c = changes_text(&q, q.h);
		k = completeness_text(&q, q.h, vd->period_secs);
		if (r->nhosts > 1) {	/* name the host of each sentence */
			char *c2 = c ? report_q_asprintf(&q, "%s: %s", q.h->name, c) : NULL;
			char *k2 = k ? report_q_asprintf(&q, "%s: %s", q.h->name, k) : NULL;

			free(c);
			free(k);
			c = c2;
			k = k2;
		}
		if (c)
			report_q_append(&q, &vd->changes, " ", c);
		if (k)
			report_q_append(&q, &vd->completeness, " ", k);
		free(c);
		free(k);
		if (q.h->live_secs > cap)
			cap = q.h->live_secs;
		else if (cap < 0 && q.h->file_secs > cap)
			cap = q.h->file_secs;
	}
	vd->capture_secs = cap;
	vd->headline = headline(&q);
	return q.oom || !vd->headline ? -1 : 0;
}

void report_verdict_free(struct report_verdict *v)
{
	for (size_t i = 0; i < v->nclasses; i++) {
		free(v->classes[i].host);
		free(v->classes[i].fate_text);
		free(v->classes[i].proof);
		free(v->classes[i].logged_by);
		free(v->classes[i].violations);
	}
	for (size_t i = 0; i < v->nsteps; i++) {
		free(v->steps[i].host);
		free(v->steps[i].text);
		free(v->steps[i].sysctl);
		free(v->steps[i].iptables);
		free(v->steps[i].nft);
		free(v->steps[i].command);
	}
	free(v->classes);
	free(v->steps);
	free(v->headline);
	free(v->changes);
	free(v->completeness);
	memset(v, 0, sizeof(*v));
}
