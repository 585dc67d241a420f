/* This file declares what the report, export and prune commands share on the command
 * line: checking a database file before opening it, with the messages a person needs. */
#ifndef SPOOFAUDIT_REPORT_CLI_H
#define SPOOFAUDIT_REPORT_CLI_H

#include <stddef.h>

/* Checks that path is a readable spoofaudit database this binary can read: it exists,
 * is not empty, and its schema is not older than this binary's (unless migrate, which
 * then upgrades it read-write) nor newer. cmd names the subcommand for the advice in the
 * message. Returns 0, or -1 with a message in err. */
int report_cli_check_db(const char *path, int migrate, const char *cmd, char *err,
			size_t errlen);

/* True when name is one of the report's --table names. */
int report_cli_table_ok(const char *name);

#endif
