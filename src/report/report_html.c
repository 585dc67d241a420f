/* This file writes the report as one self-contained HTML page: the template
 * reports/report.html with the verdict first, then the same sections as the text report, tables a person can
 * read, and inline SVG charts (spoofed packets per hour, packets per interface). Nothing
 * is loaded from outside the file. */
#include "report/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/textsafe.h"

/* One colour per spoofed class, in report_spoof_classes[] order. */
static const char *const class_colors[REPORT_NSPOOF] = {
	"#c0392b", "#e67e22", "#8e44ad", "#2c7fb8", "#16a085", "#7f8c8d", "#d35400",
};

/* Writes raw HTML-escaped, after text_term has shown control characters and invalid
 * UTF-8 as "\xNN" text (as the text report does): no byte from a database reaches the
 * page as markup or as a control character. Out of memory, every byte outside printable
 * ASCII becomes '?'. */
static void esc(FILE *f, const char *raw)
{
	char *t = text_term_dup(raw);
	const char *s = t ? t : raw;

	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			fputc(t || (*s >= 0x20 && *s < 0x7f) ? *s : '?', f);
		}
	}
	free(t);
}

/* The text report's columns, plus those a wide page has room for; raw numbers that a
 * formatted column already shows (protocol and port numbers, TTL bounds) stay in JSON. */
static int col_visible(const struct report *r, const struct rcol *col)
{
	static const char *const extra[] = { "flows", "peer_addrs", "first_seen", "last_seen",
					     "classes", "ifaces", "prev_packets", "label", "other" };

	if (col->type == RC_HOST)
		return r->nhosts > 1;
	if (col->width || col->type == RC_BYTES)
		return 1;
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (!strcmp(col->name, extra[i]))
			return 1;
	return 0;
}

static void html_table(FILE *f, const struct report *r, const struct rtable *t)
{
	char buf[64];

	fputs("<h3>", f);
	esc(f, t->title);
	fputs("</h3>\n", f);
	if (!t->nrows) {
		fputs("<p class=\"empty\">", f);
		esc(f, t->empty);
		fputs("</p>\n", f);
		return;
	}
	fprintf(f, "<table data-table=\"%s\">\n<tr>", t->name);
	for (unsigned c = 0; c < t->ncols; c++) {
		const struct rcol *col = &t->cols[c];

		if (!col_visible(r, col))
			continue;
		fputs("<th>", f);
		esc(f, col->title);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		fputs("<tr>", f);
		for (unsigned c = 0; c < t->ncols; c++) {
			const struct rcol *col = &t->cols[c];
			const struct rcell *cell = report_cell(t, i, c);
			int num = col->type == RC_INT || col->type == RC_BYTES;

			if (!col_visible(r, col))
				continue;
			fputs(num ? "<td class=\"n\">" : (!strcmp(col->name, "addr") ||
			      !strcmp(col->name, "src") || !strcmp(col->name, "dst")) ?
			      "<td class=\"a\">" : "<td>", f);
			/* byte counts readable (1.2M); packets and flows exact */
			esc(f, report_cell_text(r, col, cell, col->type != RC_INT, buf, sizeof(buf)));
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html_notes(FILE *f, const struct report *r, enum report_section s)
{
	int any = 0;

	for (size_t i = 0; i < r->nnotes; i++) {
		if (r->notes[i].section != s)
			continue;
		if (!any)
			fputs("<ul class=\"notes\">\n", f);
		any = 1;
		fputs("<li>", f);
		esc(f, r->notes[i].text);
		fputs("</li>\n", f);
	}
	if (any)
		fputs("</ul>\n", f);
}

/* The TTL histogram of one flood episode (its JSON [[ttl, openings], ...] cell) as bars
 * over TTL 0..255, the band found shaded: one inline SVG, no script. */
static void svg_flood_hist(FILE *f, const char *json, const char *band, size_t n)
{
	const int W = 780, H = 150, L = 50, B = 22, T = 10;
	uint64_t h[256] = { 0 }, max = 0;
	unsigned lo = 0, hi = 0;
	const char *p = json;
	double bw = (double)(W - L - 10) / 256;

	while (p && (p = strchr(p, '[')) != NULL) {
		unsigned t;
		unsigned long long v;

		if (sscanf(p, "[%u,%llu]", &t, &v) == 2 && t < 256) {
			h[t] = v;
			if (v > max)
				max = v;
		}
		p++;
	}
	if (!max)
		return;
	if (sscanf(band, "%u-%u", &lo, &hi) != 2 || lo > hi || hi > 255)
		lo = hi = 0;
	fprintf(f, "<figure><svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"TTL histogram of flood episode %zu\">\n", W, H, W, H, n);
	fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#fdebd0\">"
		"<title>TTL band %u-%u</title></rect>\n", L + lo * bw, T, (hi - lo + 1) * bw,
		H - B - T, lo, hi);
	for (unsigned t = 0; t < 256; t++) {
		double hgt = (double)h[t] / (double)max * (H - B - T);

		if (!h[t])
			continue;
		if (hgt < 1)
			hgt = 1;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
			"<title>TTL %u: %llu</title></rect>\n", L + t * bw, H - B - hgt,
			bw > 1.5 ? bw - 0.5 : bw, hgt, class_colors[REPORT_NSPOOF - 1], t,
			(unsigned long long)h[t]);
	}
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", L,
		H - B, W - 10, H - B);
	for (unsigned t = 0; t <= 256; t += 32)
		fprintf(f, "<text x=\"%.1f\" y=\"%d\"%s>%u</text>\n", L + t * bw, H - 6,
			t == 256 ? " text-anchor=\"end\"" : "", t == 256 ? 255 : t);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%llu</text>\n"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n</svg>"
		"<figcaption>Episode %zu: openings per TTL (band ", L - 6, T + 8,
		(unsigned long long)max, L - 6, H - B, n);
	esc(f, band);
	fputs(" shaded)</figcaption></figure>\n", f);
}

static void svg_floods(FILE *f, const struct report *r)
{
	const struct rtable *t = &r->tables[RT_FLOOD];

	for (size_t i = 0; i < t->nrows; i++)
		svg_flood_hist(f, report_cell(t, i, 10)->s ? report_cell(t, i, 10)->s : "",
			       report_cell(t, i, 9)->s ? report_cell(t, i, 9)->s : "", i + 1);
}

/* Stacked bars of spoofed packets per hour and class. */
static void svg_timeline(FILE *f, const struct report *r)
{
	const int W = 1000, H = 240, L = 60, B = 30, T = 12;
	double bw, y;
	uint64_t max = 0;
	char a[40];

	for (unsigned h = 0; h < r->nhours; h++) {
		uint64_t s = 0;

		for (int c = 0; c < REPORT_NSPOOF; c++)
			s += r->timeline[(size_t)c * r->nhours + h];
		if (s > max)
			max = s;
	}
	if (!max) {
		fputs("<p class=\"empty\">No spoofed packets in this period.</p>\n", f);
		return;
	}
	bw = (double)(W - L - 10) / r->nhours;
	fprintf(f, "<svg width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"spoofed packets per hour\">\n",
		W, H + 24, W, H + 24);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", L, H - B,
		W - 10, H - B);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%llu</text>\n", L - 6, T + 8,
		(unsigned long long)max);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", L - 6, H - B);
	for (unsigned h = 0; h < r->nhours; h++) {
		y = H - B;
		for (int c = 0; c < REPORT_NSPOOF; c++) {
			uint64_t v = r->timeline[(size_t)c * r->nhours + h];
			double hgt = (double)v / (double)max * (H - B - T);

			if (!v)
				continue;
			if (hgt < 1)
				hgt = 1;
			y -= hgt;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\"><title>%s: %llu</title></rect>\n", L + h * bw + 1, y,
				bw > 3 ? bw - 2 : bw, hgt, class_colors[c], report_spoof_classes[c],
				(unsigned long long)v);
		}
		if (h % (r->nhours > 48 ? 24 : 3) == 0) {
			report_format_time(r->since_us + (int64_t)h * 3600 * 1000000LL, r->utc,
					   r->nhours > 48 ? TF_SHORT : TF_MINUTE, a, sizeof(a));
			fprintf(f, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", L + h * bw, H - B + 14,
				r->nhours > 48 ? a : a + 11);
		}
	}
	for (int c = 0; c < REPORT_NSPOOF; c++) {
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\">%s</text>\n", L + c * 134, H + 4, class_colors[c],
			L + c * 134 + 14, H + 13, report_spoof_classes[c]);
	}
	fputs("</svg>\n", f);
}

/* Horizontal bars per interface: all packets, spoofed and loopback. */
static void svg_ifaces(FILE *f, const struct report *r)
{
	const struct rtable *t = &r->tables[RT_TOTALS_IFACE];
	const int W = 1000, L = 200, RH = 26;
	uint64_t max = 0;

	if (!t->nrows)
		return;
	for (size_t i = 0; i < t->nrows; i++)
		if ((uint64_t)report_cell(t, i, 3)->i > max)
			max = (uint64_t)report_cell(t, i, 3)->i;
	if (!max)
		return;
	fprintf(f, "<svg width=\"%d\" height=\"%zu\" "
		"viewBox=\"0 0 %d %zu\" role=\"img\" aria-label=\"packets per interface\">\n",
		W, t->nrows * RH + 30, W, t->nrows * RH + 30);
	for (size_t i = 0; i < t->nrows; i++) {
		uint64_t all = (uint64_t)report_cell(t, i, 3)->i;
		uint64_t sp = (uint64_t)report_cell(t, i, 6)->i;
		uint64_t lo = (uint64_t)report_cell(t, i, 7)->i;
		double scale = (double)(W - L - 170) / (double)max;
		double y = (double)i * RH + 4;

		fprintf(f, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">", L - 8, y + 15);
		if (r->nhosts > 1) {
			esc(f, report_cell(t, i, 0)->s);
			fputs(" ", f);
		}
		esc(f, report_cell(t, i, 1)->s);
		fputs("</text>\n", f);
		fprintf(f, "<rect x=\"%d\" y=\"%.0f\" width=\"%.1f\" height=\"18\" fill=\"#b8c4d6\">"
			"<title>all: %llu</title></rect>\n", L, y, (double)all * scale + 1,
			(unsigned long long)all);
		if (lo)
			fprintf(f, "<rect x=\"%d\" y=\"%.0f\" width=\"%.1f\" height=\"18\" fill=\"#4a78b5\">"
				"<title>loopback: %llu</title></rect>\n", L, y, (double)lo * scale + 1,
				(unsigned long long)lo);
		if (sp)
			fprintf(f, "<rect x=\"%d\" y=\"%.0f\" width=\"%.1f\" height=\"18\" fill=\"#c0392b\">"
				"<title>spoofed: %llu</title></rect>\n", L, y, (double)sp * scale + 1,
				(unsigned long long)sp);
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">%llu packets, %llu spoofed</text>\n",
			L + (double)all * scale + 8, y + 14, (unsigned long long)all,
			(unsigned long long)sp);
	}
	fprintf(f, "<rect x=\"%d\" y=\"%zu\" width=\"10\" height=\"10\" fill=\"#b8c4d6\"/>"
		"<text x=\"%d\" y=\"%zu\">all packets</text>"
		"<rect x=\"%d\" y=\"%zu\" width=\"10\" height=\"10\" fill=\"#c0392b\"/>"
		"<text x=\"%d\" y=\"%zu\">spoofed</text>"
		"<rect x=\"%d\" y=\"%zu\" width=\"10\" height=\"10\" fill=\"#4a78b5\"/>"
		"<text x=\"%d\" y=\"%zu\">loopback</text>\n</svg>\n",
		L, t->nrows * RH + 12, L + 14, t->nrows * RH + 21,
		L + 120, t->nrows * RH + 12, L + 134, t->nrows * RH + 21,
		L + 220, t->nrows * RH + 12, L + 234, t->nrows * RH + 21);
}

static void put_title(FILE *f, const struct report *r)
{
	char a[40];

	fputs("spoofaudit report: ", f);
	for (unsigned i = 0; i < r->nhosts; i++) {
		if (i)
			fputs(", ", f);
		esc(f, r->hosts[i].name);
	}
	fputs(" &#8212; ", f);
	esc(f, report_format_time(r->since_us, r->utc, TF_DATE, a, sizeof(a)));
}

static void put_subtitle(FILE *f, const struct report *r)
{
	char a[40], b[40];

	fputs("Period ", f);
	esc(f, report_format_time(r->since_us, r->utc, TF_MINUTE, a, sizeof(a)));
	fputs(" to ", f);
	esc(f, report_format_time(r->until_us, r->utc, TF_MINUTE, b, sizeof(b)));
	fputs(" (", f);
	esc(f, r->tz);
	fputs(")", f);
}

static void put_steps(FILE *f, const struct report *r)
{
	const struct report_verdict *v = &r->verdict;

	fputs("<h3>Next steps</h3>\n<ol class=\"steps\">\n", f);
	for (size_t i = 0; i < v->nsteps; i++) {
		const struct report_vstep *s = &v->steps[i];

		fprintf(f, "<li data-kind=\"%s\">", report_step_key(s->kind));
		if (r->nhosts > 1) {
			esc(f, s->host);
			fputs(": ", f);
		}
		esc(f, s->text);
		if (s->sysctl) {
			fputs("<pre>sysctl -w ", f);
			esc(f, s->sysctl);
			fputs("</pre>", f);
		}
		if (s->iptables) {
			fputs("<pre>iptables ", f);
			esc(f, s->iptables);
			fputs("</pre>", f);
		}
		if (s->nft) {
			fputs("<pre>nft: ", f);
			esc(f, s->nft);
			fputs("</pre>", f);
		}
		if (s->command) {
			fputs("<pre>$ ", f);
			esc(f, s->command);
			fputs("</pre>", f);
		}
		fputs("</li>\n", f);
	}
	fputs("</ol>\n", f);
}

/* The verdict: the first section of the page. */
static void put_verdict(FILE *f, const struct report *r)
{
	const struct report_verdict *v = &r->verdict;

	int any = 0;

	fprintf(f, "<section id=\"verdict\" class=\"verdict %s\">\n<h2>Verdict</h2>\n"
		"<p class=\"headline\">", report_vstatus_key(v->status));
	if (v->status == VS_EMPTY) {	/* one short paragraph: what each database holds */
		for (size_t i = 0; i < r->nnotes; i++)
			if (r->notes[i].section == SEC_HEADER) {
				fputs(any ? " " : "", f);
				esc(f, r->notes[i].text);
				any = 1;
			}
		if (!any)
			esc(f, v->headline);
		fputs(" ", f);
		esc(f, v->completeness ? v->completeness : "");
		fputs("</p>\n</section>\n", f);
		return;
	}
	esc(f, v->headline);
	fputs("</p>\n", f);
	if (v->nclasses) {
		fputs("<table data-table=\"verdict\">\n<tr><th>class</th><th>packets</th>"
		      "<th>fate</th><th>what happened</th></tr>\n", f);
		for (size_t i = 0; i < v->nclasses; i++) {
			const struct report_vclass *c = &v->classes[i];

			fprintf(f, "<tr data-class=\"%s\" data-fate=\"%s\"><td>", c->cls,
				report_fate_key(c->fate));
			if (r->nhosts > 1) {
				esc(f, c->host);
				fputs(": ", f);
			}
			esc(f, report_class_label(c->cls));
			fprintf(f, " <code>%s</code></td><td class=\"n\">%llu</td><td class=\"fate\">",
				c->cls, (unsigned long long)c->packets);
			esc(f, report_fate_label(c->fate));
			fputs("</td><td>", f);
			esc(f, c->fate_text);
			if (c->proof) {
				fputs(" <i>Proof:</i> ", f);
				esc(f, c->proof);
				fputs(".", f);
			}
			if (c->logged_by) {
				fputs(" Logged by NFLOG rule ", f);
				esc(f, c->logged_by);
				fputs(".", f);
			}
			if (c->violations) {
				fputs(" Live violations: ", f);
				esc(f, c->violations);
				fputs(" (see <a href=\"#policy\">Policy</a>).", f);
			}
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	put_steps(f, r);
	fputs("<p class=\"changes\"><b>What changed:</b> ", f);
	esc(f, v->changes ? v->changes : "");
	fputs("</p>\n<p class=\"completeness\"><b>Coverage:</b> ", f);
	esc(f, v->completeness ? v->completeness : "");
	fputs("</p>\n</section>\n", f);
}

static void put_summary(FILE *f, const struct report *r)
{
	if (r->verdict.status == VS_EMPTY)
		return;
	fprintf(f, "<div class=\"summary\">\n"
		"<div class=\"card\"><b id=\"total-packets\">%llu</b>%s</div>\n"
		"<div class=\"card spoof\"><b id=\"spoofed-packets\">%llu</b>spoofed packets</div>\n"
		"<div class=\"card\"><b id=\"loopback-packets\">%llu</b>loopback packets</div>\n"
		"</div>\n", (unsigned long long)r->packets,
		r->pcap_ran ? "packets" : "packets NFLOG rules logged (pcap did not run)",
		(unsigned long long)r->spoofed_packets,
		(unsigned long long)r->loopback_packets);
}

static void put_body(FILE *f, const struct report *r)
{
	for (int s = 0; r->verdict.status != VS_EMPTY && s < SEC_COUNT; s++) {
		fprintf(f, "<section id=\"%s\">\n<h2>", report_section_key((enum report_section)s));
		esc(f, report_section_title((enum report_section)s));
		fputs("</h2>\n", f);
		if (s == SEC_HEADER) {
			fputs("<table><tr><th>host</th><th>database</th><th>schema</th></tr>\n", f);
			for (unsigned i = 0; i < r->nhosts; i++) {
				fputs("<tr><td>", f);
				esc(f, r->hosts[i].name);
				fputs("</td><td class=\"a\">", f);
				esc(f, r->hosts[i].path);
				fprintf(f, "</td><td class=\"n\">%d</td></tr>\n", r->hosts[i].schema_version);
			}
			fputs("</table>\n", f);
		}
		if (s == SEC_TIMELINE)
			svg_timeline(f, r);
		if (s == SEC_TOTALS)
			svg_ifaces(f, r);
		html_notes(f, r, (enum report_section)s);
		for (int t = 0; t < RT_COUNT; t++) {
			if (r->tables[t].section != (enum report_section)s)
				continue;
			html_table(f, r, &r->tables[t]);
			if (t == RT_FLOOD)
				svg_floods(f, r);
		}
		fputs("</section>\n", f);
	}
}

static void put_footer(FILE *f, const struct report *r)
{
	char a[40];

	fprintf(f, "Generated %s by spoofaudit %s. JSON schema version %d.",
		report_format_time(r->generated_us, r->utc, TF_MINUTE, a, sizeof(a)),
		SPOOFAUDIT_VERSION, REPORT_SCHEMA_VERSION);
}

int report_write_html(const struct report *r, FILE *f)
{
	static const struct {
		const char *name;
		void (*fn)(FILE *f, const struct report *r);
	} parts[] = {
		{ "{{TITLE}}", put_title }, { "{{SUBTITLE}}", put_subtitle },
		{ "{{VERDICT}}", put_verdict }, { "{{SUMMARY}}", put_summary },
		{ "{{BODY}}", put_body },
		{ "{{FOOTER}}", put_footer },
	};
	const char *tpl = report_file("report.html"), *p;

	if (!tpl) {
		errno = ENOENT;
		return -1;
	}
	errno = 0;
	p = tpl;
	while (*p) {
		const char *open = strstr(p, "{{");
		size_t i;

		if (!open) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(open - p), f);
		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (!strncmp(open, parts[i].name, strlen(parts[i].name)))
				break;
		if (i == sizeof(parts) / sizeof(parts[0])) {
			fputs("{{", f);	/* not a placeholder: copy as is */
			p = open + 2;
			continue;
		}
		parts[i].fn(f, r);
		p = open + strlen(parts[i].name);
	}
	fflush(f);
	return ferror(f) ? -1 : 0;
}
