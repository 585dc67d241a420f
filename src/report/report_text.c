/* This file writes the report as text for a terminal or a mail: the verdict first, then
 * aligned tables within REPORT_TEXT_WIDTH (80) columns, notes wrapped to the same width
 * (a word longer than a line is cut), and a sparkline per spoofed class for the
 * timeline; an empty period is one paragraph. With several databases, each table's rows are grouped
 * under their host. Every string that may come from a database (names, prefixes, host
 * names, command lines, notes) passes through text_term first, so that no control
 * character reaches the terminal, and widths are those of the escaped text. */
#include "report/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/textsafe.h"

#define REPORT_TEXT_WIDTH 80
#define SPARK_MAX 40		/* glyphs of one sparkline */

/* Display width of UTF-8 text (code points; the report writes no wide characters). */
static size_t u8len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Display width of the first n bytes of UTF-8 text. */
static size_t u8len_n(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Writes raw, escaped for a terminal, in a field of width w, truncated with '~' at a
 * whole character, right-aligned when right. */
static void field(FILE *f, const char *raw, int w, int right)
{
	char s[512];	/* longer text is cut anyway: no column is wider than 127 */
	size_t len, off = 0;

	text_term(s, sizeof(s), raw);
	len = u8len(s);
	if (len > (size_t)w) {
		for (int n = 0; n < w - 1 && s[off]; n++)
			while (((unsigned char)s[++off] & 0xc0) == 0x80)
				;
		fprintf(f, "%.*s~", (int)off, s);
		return;
	}
	if (right)
		fprintf(f, "%*s%s", (int)((size_t)w - len), "", s);
	else
		fprintf(f, "%s%*s", s, (int)((size_t)w - len), "");
}

/* Writes raw escaped for a terminal. -1 (errno ENOMEM) when out of memory. */
static int put_term(FILE *f, const char *raw)
{
	char *s = text_term_dup(raw);

	if (!s) {
		errno = ENOMEM;
		return -1;
	}
	fputs(s, f);
	free(s);
	return 0;
}

static int is_right(enum rcol_type t)
{
	return t == RC_INT || t == RC_BYTES;
}

/* Bytes of the first line of s when it is wrapped at w columns: the whole of s if it
 * fits, else up to the last space or comma within w (when that keeps at least half the
 * width), else w whole characters. */
static size_t wrap_cut(const char *s, int w)
{
	size_t off = 0, brk = 0;
	int n = 0;

	while (s[off] && n < w) {
		char c = s[off];

		while (((unsigned char)s[++off] & 0xc0) == 0x80)
			;
		n++;
		if ((c == ' ' || c == ',') && n >= w / 2)
			brk = off;
	}
	return !s[off] || !brk ? off : brk;
}

enum { ROW_MAXCOLS = 32 };

/* One line of a row: each text cell's next piece (wrapped at its width), each number
 * right-aligned on the first line (cut with '~' if it cannot fit). Returns whether any
 * cell still has text left. */
static int print_row_line(FILE *f, const struct rtable *t, const char **val, const int *shown,
			  unsigned n, int line_no)
{
	char line[4 * REPORT_TEXT_WIDTH + 64];
	FILE *m = fmemopen(line, sizeof(line), "w");
	int more = 0;
	size_t len;

	if (!m)
		return 0;
	fputs("  ", m);
	for (unsigned i = 0; i < n; i++) {
		const struct rcol *col = &t->cols[shown[i]];
		size_t cut;

		if (i)
			fputs("  ", m);
		if (is_right(col->type)) {
			field(m, line_no ? "" : val[i], col->width, 1);
			continue;
		}
		while (line_no && *val[i] == ' ')
			val[i]++;
		cut = wrap_cut(val[i], col->width);
		fprintf(m, "%.*s%*s", (int)cut, val[i], col->width - (int)u8len_n(val[i], cut), "");
		val[i] += cut;
		more |= *val[i] != '\0';
	}
	fclose(m);
	line[sizeof(line) - 1] = '\0';
	len = strlen(line);
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	fprintf(f, "%s\n", line);
	return more;
}

/* Prints one row (or the header when row is NULL) without trailing blanks. Text too wide
 * for its column is wrapped onto continuation lines under that column, never cut, so that
 * a sentence (a violation) or a list (the classes of a source) is there whole. */
static void print_row(FILE *f, const struct report *r, const struct rtable *t,
		      const struct rcell *row)
{
	char *esc[ROW_MAXCOLS] = { 0 }, buf[ROW_MAXCOLS][64];
	const char *val[ROW_MAXCOLS];
	int shown[ROW_MAXCOLS], k = 0;
	unsigned n = 0;

	for (unsigned c = 0; c < t->ncols && n < ROW_MAXCOLS; c++) {
		const struct rcol *col = &t->cols[c];
		const char *v;

		if (!col->width || col->type == RC_HOST)
			continue;
		v = row ? report_cell_text(r, col, &row[c], 1, buf[n], sizeof(buf[n])) : col->title;
		esc[n] = text_term_dup(v);
		val[n] = esc[n] ? esc[n] : "";
		shown[n++] = (int)c;
	}
	while (print_row_line(f, t, val, shown, n, k) && k < 64)
		k++;
	for (unsigned i = 0; i < n; i++)
		free(esc[i]);
}

static int wrap(FILE *f, const char *lead, const char *raw);

static int print_table(FILE *f, const struct report *r, const struct rtable *t)
{
	int ret = 0;

	fputc('\n', f);
	if (wrap(f, "", t->title) < 0)
		return -1;
	if (!t->nrows)
		return wrap(f, "  ", t->empty);
	print_row(f, r, t, NULL);
	/* Rows grouped by host in host order, each group in its own order. */
	for (unsigned h = 0; h < r->nhosts; h++) {
		int shown = 0;
		unsigned k;

		for (k = 0; k < h; k++)	/* hosts with equal names print once */
			if (!strcmp(r->hosts[k].name, r->hosts[h].name))
				break;
		if (k < h)
			continue;
		for (size_t i = 0; i < t->nrows; i++) {
			const struct rcell *row = &t->cells[i * t->ncols];

			if (strcmp(row[0].s, r->hosts[h].name))
				continue;
			if (r->nhosts > 1 && !shown) {
				fputs(" [", f);
				ret |= put_term(f, r->hosts[h].name);
				fputs("]\n", f);
			}
			shown = 1;
			print_row(f, r, t, row);
		}
	}
	return ret;
}

/* Writes raw, escaped for a terminal, wrapped at the report width with a hanging indent.
 * -1 (errno ENOMEM) when out of memory. */
static int wrap(FILE *f, const char *lead, const char *raw)
{
	size_t col = 0, indent = strlen(lead);
	char *text = text_term_dup(raw);
	const char *p = text;

	if (!text) {
		errno = ENOMEM;
		return -1;
	}
	fputs(lead, f);
	col = indent;
	while (*p) {
		const char *e = p;
		size_t w;

		while (*e && *e != ' ')
			e++;
		w = (size_t)(e - p);
		if (indent + w > REPORT_TEXT_WIDTH) {	/* longer than a line: cut it */
			if (col > indent)
				fprintf(f, "\n%*s", (int)indent, "");
			e = p + (REPORT_TEXT_WIDTH - indent);
			while (((unsigned char)*e & 0xc0) == 0x80 && e > p + 1)
				e--;
			w = (size_t)(e - p);
			fwrite(p, 1, w, f);
			col = indent + u8len_n(p, w);
			p = e;
			if (*p)
				fprintf(f, "\n%*s", (int)indent, "");
			col = *p ? indent : col;
			continue;
		}
		if (col > indent && col + 1 + u8len_n(p, w) > REPORT_TEXT_WIDTH) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += u8len_n(p, w);
		p = e;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
	free(text);
	return 0;
}

static int print_notes(FILE *f, const struct report *r, enum report_section s)
{
	int any = 0, ret = 0;

	for (size_t i = 0; i < r->nnotes; i++)
		if (r->notes[i].section == s) {
			if (!any)
				fputc('\n', f);
			any = 1;
			ret |= wrap(f, "  * ", r->notes[i].text);
		}
	return ret;
}

static void print_timeline(FILE *f, const struct report *r, const char *tz, int ascii)
{
	unsigned step = (r->nhours + SPARK_MAX - 1) / SPARK_MAX, n = (r->nhours + step - 1) / step;
	uint64_t v[SPARK_MAX], max = 0;
	char spark[SPARK_MAX * 4 + 1], axis[SPARK_MAX + 8], a[32], head[512];
	int any = 0;

	for (int c = 0; c < REPORT_NSPOOF; c++)
		for (unsigned i = 0; i < n; i++) {
			uint64_t s = 0;

			for (unsigned k = i * step; k < (i + 1) * step && k < r->nhours; k++)
				s += r->timeline[(size_t)c * r->nhours + k];
			if (s > max)
				max = s;
		}
	snprintf(head, sizeof(head), "%u %s per glyph from %s (%s); one scale, peak %llu", step, step == 1 ? "hour" : "hours",
		 report_format_time(r->since_us, r->utc, TF_MINUTE, a, sizeof(a)), tz,
		 (unsigned long long)max);
	fputc('\n', f);
	wrap(f, "  ", head);
	for (int c = 0; c < REPORT_NSPOOF; c++) {
		uint64_t total = 0;

		for (unsigned i = 0; i < n; i++) {
			v[i] = 0;
			for (unsigned k = i * step; k < (i + 1) * step && k < r->nhours; k++)
				v[i] += r->timeline[(size_t)c * r->nhours + k];
			total += v[i];
		}
		if (!total)
			continue;
		any = 1;
		fprintf(f, "  %-18s %11llu  |%s|\n", report_spoof_classes[c],
			(unsigned long long)total, report_sparkline(v, n, max, ascii, spark, sizeof(spark)));
	}
	if (!any) {
		fprintf(f, "  No spoofed packets in this period.\n");
		return;
	}
	/* Axis: the hour of day (local or UTC) every 6 glyphs. */
	memset(axis, ' ', sizeof(axis));
	for (unsigned i = 0; i < n; i += 6) {
		char hh[8];
		int64_t t = r->since_us + (int64_t)i * step * 3600 * 1000000LL;

		report_format_time(t, r->utc, TF_MINUTE, a, sizeof(a));
		snprintf(hh, sizeof(hh), "%.2s", a + 11);
		if (i + 2 <= n)
			memcpy(axis + i, hh, 2);
	}
	axis[n] = '\0';
	for (int k = (int)n - 1; k >= 0 && axis[k] == ' '; k--)
		axis[k] = '\0';
	fprintf(f, "  %-18s %11s   %s\n", step == 1 ? "hour" : "", "", axis);
}

/* "host: text" with several databases, else text; NULL when out of memory. */
static char *on_host(const struct report *r, const char *host, const char *text)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s%s", r->nhosts > 1 ? host : "", r->nhosts > 1 ? ": " : "",
		     text) < 0)
		return NULL;
	return s;
}

/* One wrapped line "lead + host: a b" (b may be NULL). */
static int wrap_host(FILE *f, const struct report *r, const char *lead, const char *host,
		     const char *a, const char *b)
{
	char *t = NULL, *h;
	int ret;

	if (asprintf(&t, "%s%s%s", a, b ? " " : "", b ? b : "") < 0)
		return -1;
	h = host ? on_host(r, host, t) : t;
	ret = h ? wrap(f, lead, h) : -1;
	if (h != t)
		free(h);
	free(t);
	return ret;
}

static int print_steps(FILE *f, const struct report *r)
{
	const struct report_verdict *v = &r->verdict;
	int ret = 0;

	fputs("  Next steps:\n", f);
	for (size_t i = 0; i < v->nsteps; i++) {
		const struct report_vstep *s = &v->steps[i];
		char lead[32];

		snprintf(lead, sizeof(lead), "  %zu. ", i + 1);
		ret |= wrap_host(f, r, lead, s->host, s->text, NULL);
		if (s->sysctl)
			ret |= wrap_host(f, r, "     ", NULL, "sysctl -w", s->sysctl);
		if (s->iptables)
			ret |= wrap_host(f, r, "     ", NULL, "iptables", s->iptables);
		if (s->nft)
			ret |= wrap_host(f, r, "     ", NULL, "nft:", s->nft);
		if (s->command)
			ret |= wrap_host(f, r, "     ", NULL, "$", s->command);
	}
	return ret;
}

static int print_verdict(FILE *f, const struct report *r)
{
	const struct report_verdict *v = &r->verdict;
	int ret = 0;
	char buf[32];

	fputs("\n== Verdict ==\n", f);
	ret |= wrap(f, "  ", v->headline);
	if (v->nclasses) {
		fprintf(f, "  %-18s %11s  %-17s  %s\n", "class", "packets", "fate", "meaning");
		for (size_t i = 0; i < v->nclasses; i++) {
			const struct report_vclass *c = &v->classes[i];

			if (r->nhosts > 1 && (!i || strcmp(c->host, v->classes[i - 1].host))) {
				fputs(" [", f);
				ret |= put_term(f, c->host);
				fputs("]\n", f);
			}
			fputs("  ", f);
			field(f, c->cls, 18, 0);
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c->packets);
			fprintf(f, " %11s  %-17s  %s\n", buf, report_fate_label(c->fate),
				report_class_label(c->cls));
		}
	}
	ret |= print_steps(f, r);
	ret |= wrap(f, "  Changes: ", v->changes ? v->changes : "");
	ret |= wrap(f, "  Coverage: ", v->completeness ? v->completeness : "");
	for (size_t i = 0; i < v->nclasses; i++) {
		const struct report_vclass *c = &v->classes[i];
		char *t = NULL;

		if (asprintf(&t, "%s (%s): %s%s%s%s%s%s%s%s%s", c->cls, report_class_label(c->cls),
			     c->fate_text, c->proof ? " Proof: " : "", c->proof ? c->proof : "",
			     c->proof ? "." : "", c->logged_by ? " Logged by NFLOG rule " : "",
			     c->logged_by ? c->logged_by : "", c->logged_by ? "." : "",
			     c->violations ? " Live violations: " : "",
			     c->violations ? c->violations : "") < 0)
			return -1;
		ret |= wrap_host(f, r, "  - ", c->host, t, NULL);
		free(t);
	}
	return ret;
}

/* An empty period: the verdict as one paragraph, with what each database holds. */
static int print_empty(FILE *f, const struct report *r)
{
	char *p = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&p, &len);
	int ret;

	if (!m)
		return -1;
	for (size_t i = 0; i < r->nnotes; i++)	/* they say what each database holds */
		if (r->notes[i].section == SEC_HEADER)
			fprintf(m, "%s%s", ftell(m) ? " " : "", r->notes[i].text);
	if (!ftell(m))
		fputs(r->verdict.headline, m);
	fprintf(m, " %s", r->verdict.completeness ? r->verdict.completeness : "");
	if (fclose(m) != 0) {
		free(p);
		return -1;
	}
	fputs("\n== Verdict ==\n", f);
	ret = wrap(f, "  ", p);
	free(p);
	return ret;
}

int report_write_text(const struct report *r, FILE *f, int ascii)
{
	char a[40], b[40], h1[16], tz[sizeof(r->tz) * 4];
	int oom = 0;

	errno = 0;
	text_term(tz, sizeof(tz), r->tz);
	{	/* the host names, wrapped */
		char *names = NULL;
		size_t nlen = 0;
		FILE *m = open_memstream(&names, &nlen);

		if (m) {
			fputs("spoofaudit report:", m);
			for (unsigned i = 0; i < r->nhosts; i++)
				fprintf(m, "%s %s", i ? "," : "", r->hosts[i].name);
		}
		if (!m || fclose(m) != 0 || wrap(f, "", names) < 0)
			oom = 1;
		free(names);
	}
	fprintf(f, "Period: %s to %s (%s)\n",
		report_format_time(r->since_us, r->utc, TF_MINUTE, a, sizeof(a)),
		report_format_time(r->until_us, r->utc, TF_MINUTE, b, sizeof(b)), tz);
	fprintf(f, "Generated: %s by spoofaudit %s\n",
		report_format_time(r->generated_us, r->utc, TF_MINUTE, a, sizeof(a)),
		SPOOFAUDIT_VERSION);
	fprintf(f, "Packets: %llu, of them spoofed %llu (%s), loopback %llu\n",
		(unsigned long long)r->packets, (unsigned long long)r->spoofed_packets,
		r->packets ? (snprintf(h1, sizeof(h1), "%.2f%%",
				       100.0 * (double)r->spoofed_packets / (double)r->packets), h1) : "0%",
		(unsigned long long)r->loopback_packets);
	if (r->verdict.status == VS_EMPTY) {
		oom |= print_empty(f, r);
		goto out;
	}
	oom |= print_verdict(f, r);
	for (int s = 0; s < SEC_COUNT; s++) {
		fprintf(f, "\n== %s ==\n", report_section_title((enum report_section)s));
		for (unsigned i = 0; s == SEC_HEADER && i < r->nhosts; i++) {
			char sv[32];

			snprintf(sv, sizeof(sv), "(schema %d)", r->hosts[i].schema_version);
			oom |= wrap_host(f, r, "  ", NULL, r->hosts[i].name, "");
			oom |= wrap_host(f, r, "    ", NULL, r->hosts[i].path, sv);
		}
		if (s == SEC_TIMELINE)
			print_timeline(f, r, tz, ascii);
		for (int t = 0; t < RT_COUNT; t++)
			if (r->tables[t].section == (enum report_section)s)
				oom |= print_table(f, r, &r->tables[t]);
		oom |= print_notes(f, r, (enum report_section)s);
	}
out:
	fflush(f);
	if (oom) {
		errno = ENOMEM;
		return -1;
	}
	return ferror(f) ? -1 : 0;
}
