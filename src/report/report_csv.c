/* This file writes one table of the report as CSV (RFC 4180): a header row of the column
 * names, then one row per record; times in ISO 8601, sizes in bytes. */
#include "report/report.h"

#include <errno.h>
#include <string.h>

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
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
		csv_field(f, t->cols[c].name);
	}
	fputs("\r\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		for (unsigned c = 0; c < t->ncols; c++) {
			const struct rcell *cell = report_cell(t, i, c);

			if (c)
				fputc(',', f);
			if (!cell->null)	/* NULL is an empty field */
				csv_field(f, report_cell_text(r, &t->cols[c], cell, 0, buf, sizeof(buf)));
		}
		fputs("\r\n", f);
	}
	fflush(f);
	return ferror(f) ? -1 : 0;
}
