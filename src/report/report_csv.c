/* This file writes one table of the report as CSV (RFC 4180): a header row of the column
 * names, then one row per record; times in ISO 8601, sizes in bytes. A text cell that a
 * spreadsheet would take for a formula is neutralised as OWASP advises (see csv_field). */
#include "report/report.h"

#include <errno.h>
#include <string.h>

/* A plain number, optionally signed, with decimals or a percent sign ("-12", "+3%"):
 * text that a spreadsheet reads as a number, never as a formula. */
static int plain_number(const char *s)
{
	const char *d;

	if (*s == '+' || *s == '-')
		s++;
	for (d = s; *s >= '0' && *s <= '9'; s++)
		;
	if (s == d)
		return 0;
	if (*s == '.') {
		for (d = ++s; *s >= '0' && *s <= '9'; s++)
			;
		if (s == d)
			return 0;
	}
	if (*s == '%')
		s++;
	return *s == '\0';
}

/* Writes one field. A text cell (text != 0) beginning with = + - @ TAB or CR that is not
 * a plain number is formula injection (CSV injection, OWASP): it is written quoted with
 * a single quote ' before it, so that a spreadsheet shows it as text. */
static void csv_field(FILE *f, const char *s, int text)
{
	int formula = text && *s && strchr("=+-@\t\r", *s) && !plain_number(s);

	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int report_write_csv(const struct report *r, const char *table, FILE *f)
{
	const struct rtable *t = report_table_by_name(r, table);
	char buf[64];

	if (!t) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	for (unsigned c = 0; c < t->ncols; c++) {
		if (c)
			fputc(',', f);
		csv_field(f, t->cols[c].name, 0);
	}
	fputs("\r\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		for (unsigned c = 0; c < t->ncols; c++) {
			const struct rcell *cell = report_cell(t, i, c);
			enum rcol_type type = t->cols[c].type;

			if (c)
				fputc(',', f);
			if (!cell->null)	/* NULL is an empty field */
				csv_field(f, report_cell_text(r, &t->cols[c], cell, 0, buf, sizeof(buf)),
					  type == RC_TEXT || type == RC_HOST);
		}
		fputs("\r\n", f);
	}
	fflush(f);
	return ferror(f) ? -1 : 0;
}
