/* This file declares the schema migrations and report files embedded at build time
 * (schema/embed.cmake writes their definitions). */
#ifndef SPOOFAUDIT_EMBEDDED_H
#define SPOOFAUDIT_EMBEDDED_H

struct embedded_file {
	const char *name;	/* base name, e.g. "001_init.sql" */
	const char *text;	/* whole file contents, NUL-terminated */
};

/* Sorted by name; terminated by a {NULL, NULL} entry. */
extern const struct embedded_file embedded_migrations[];
extern const unsigned embedded_migration_count;
extern const struct embedded_file embedded_reports[];
extern const unsigned embedded_report_count;

#endif
