/* This file declares what the report, export and prune commands share on the command
 * line: the options --db, --day, --since, --until, --utc, -q and -h with their checks,
 * the period they name, and checking a database file before opening it, with the
 * messages a person needs. */
#ifndef SPOOFAUDIT_REPORT_CLI_H
#define SPOOFAUDIT_REPORT_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* getopt_long values of the shared long options (above any character). */
enum {
	REPORT_CLI_OPT_DB = 0x200, REPORT_CLI_OPT_DAY, REPORT_CLI_OPT_SINCE, REPORT_CLI_OPT_UNTIL,
	REPORT_CLI_OPT_UTC, REPORT_CLI_OPT_FORCE, REPORT_CLI_OPT_MIGRATE,
};

/* Fragments of a struct option table: the period, then what all three take (--db,
 * --utc, --help), then --migrate. */
#define REPORT_CLI_PERIOD_OPTIONS \
	{ "day", required_argument, NULL, REPORT_CLI_OPT_DAY }, \
	{ "since", required_argument, NULL, REPORT_CLI_OPT_SINCE }, \
	{ "until", required_argument, NULL, REPORT_CLI_OPT_UNTIL }
#define REPORT_CLI_COMMON_OPTIONS \
	{ "db", required_argument, NULL, REPORT_CLI_OPT_DB }, \
	{ "utc", no_argument, NULL, REPORT_CLI_OPT_UTC }, \
	{ "help", no_argument, NULL, 'h' }
#define REPORT_CLI_MIGRATE_OPTION \
	{ "migrate", no_argument, NULL, REPORT_CLI_OPT_MIGRATE }

/* The shared options as given. cmd and usage are set by the command first. */
struct report_cli {
	const char *cmd;		/* "export", for messages */
	void (*usage)(FILE *f);		/* prints the command's --help */
	const char *db;			/* the last --db (NULL if none) */
	const char *day, *since, *until;
	int utc, quiet, force, migrate;
	int own_db;			/* --db goes to the command's own function */
};

/* A period [since_us, until_us) in microseconds since the epoch. */
struct report_period {
	int64_t since_us, until_us;
};

/* Takes option opt (as getopt_long returned it, argument arg) if it is a shared one:
 * --db, --day, --since, --until, --utc, --force, --migrate, -q, -h, or an unknown
 * option.
 * Returns 1 when taken, 0 when opt is the command's own, -1 after printing --help
 * (exit 0), 2 on bad usage (message printed). */
int report_cli_opt(struct report_cli *c, int opt, const char *arg);

/* A command's own options: takes opt with argument arg into ctx. Returns 0, or 2 for bad
 * usage (message printed). */
typedef int (*report_cli_own_fn)(void *ctx, int opt, const char *arg);

/* Runs getopt_long over argv with optstring and opts: the shared options land in *c
 * (through report_cli_opt), the others go to own(ctx, ...). A leftover argument is bad
 * usage. Returns 0, -1 after --help (exit 0), or 2 on bad usage (printed). */
int report_cli_getopt(struct report_cli *c, int argc, char **argv, const char *optstring,
		      const struct option *opts, report_cli_own_fn own, void *ctx);

/* Resolves --day / --since [--until] to a period at now_us. Without any of them the day
 * default_day is taken (NULL: a period is required). max_us > 0 bounds its length.
 * Returns 0, or 2 after printing what is wrong, quoting the bad value. */
int report_cli_period(const struct report_cli *c, const char *default_day, int64_t now_us,
		      int64_t max_us, struct report_period *p);

/* Prints "spoofaudit CMD: message" and the pointer to --help on stderr. Returns 2, the
 * exit status of bad usage. */
int report_cli_bad(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses a decimal option value in [min, max] into *out. Returns 0, or 2 after printing
 * "spoofaudit CMD: WHAT: `ARG'" (what says what was wanted, "batch is not 100..1000000
 * rows"). For any command's getopt loop. */
int report_cli_u64(const char *cmd, const char *what, const char *arg, uint64_t min,
		   uint64_t max, uint64_t *out);

/* An output file written whole: a temporary file in the same directory, renamed into
 * place at the end, so that a reader never sees half of it and an interrupted run leaves
 * the old file (or nothing). A device or FIFO (/dev/null, a pipe) is written in place. */
struct report_cli_out {
	const char *path;
	char tmp[4096];			/* the temporary file until committed, "" otherwise */
	int force;			/* replace an existing regular file */
};

/* Returns 0 when path may be written: it does not exist, is a device or FIFO, or force.
 * Returns -1 (errno EEXIST) for an existing file without force. A command checks this
 * before its work so as to refuse early; report_cli_out_open() checks again. */
int report_cli_out_check(const char *path, int force);

/* Opens path for writing, refusing (errno EEXIST) an existing regular file unless force.
 * The file gets mode & ~umask. Returns a descriptor, or -1 (errno set; ENAMETOOLONG for
 * a name too long for the temporary file). */
int report_cli_out_open(struct report_cli_out *o, const char *path, mode_t mode, int force);

/* Renames the temporary file into place; without force, refuses (errno EEXIST) a file
 * that appeared at path meanwhile. Call after the descriptor is closed. Returns 0 or -1
 * (errno set); the temporary file stays for report_cli_out_discard(). */
int report_cli_out_commit(struct report_cli_out *o);

/* Prints why path could not be opened or renamed into place (from errno): "exists:
 * give --force" for EEXIST, what (a noun: "a report") saying what is not overwritten. */
void report_cli_out_error(const char *cmd, const char *what, const char *path);

/* Removes the temporary file if it was not committed. Safe to call twice. */
void report_cli_out_discard(struct report_cli_out *o);

/* Checks that path is a readable spoofaudit database this binary can read: it exists,
 * is not empty, and its schema is not older than this binary's (unless migrate, which
 * then upgrades it read-write) nor newer. cmd names the subcommand for the advice in the
 * message. Returns 0, or -1 with a message in err. */
int report_cli_check_db(const char *path, int migrate, const char *cmd, char *err,
			size_t errlen);

/* True when name is one of the report's --table names. */
int report_cli_table_ok(const char *name);

/* Says on stderr that path (bytes long) was not quick_checked whole on open
 * (store_unverified_bytes()); nothing when bytes is 0. */
void report_cli_unverified(const char *cmd, const char *path, uint64_t bytes);

#endif
