/* This file declares where the live audit's violation lines go: syslog, stderr, or JSON
 * lines on stdout for a log pipeline. One line per violation; the caller rate-limits. */
#ifndef SPOOFAUDIT_ALERT_H
#define SPOOFAUDIT_ALERT_H

#include <stdint.h>

enum alert_mode {
	ALERT_SYSLOG = 0,	/* syslog(3), facility daemon, identity "spoofaudit" */
	ALERT_STDERR,		/* "spoofaudit: VIOLATION ..." on stderr */
	ALERT_JSON		/* one JSON object per line on stdout */
};

/* What one line says. Strings may be NULL or "". */
struct alert_line {
	const char *kind;	/* "spoof_accepted", ... or "info" for a notice */
	const char *strength;	/* "strong" or "weak" */
	uint64_t ts_usec;
	const char *flow;	/* the flow, described */
	const char *intended;	/* the intended policy's verdict and rule */
	const char *live;	/* what the live kernel does */
	const char *evidence;
	const char *text;	/* the whole line's text (without the "VIOLATION kind:" head) */
	uint64_t repeated;	/* > 0: a summary of this many rate-limited repeats */
	uint64_t total;		/* occurrences so far of this violation */
	unsigned window_s;	/* the repeats' time window */
};

/* Parses "syslog", "stderr" or "json". Returns 0, or -1. */
int alert_parse(const char *s, enum alert_mode *m);
/* The default: syslog when running under systemd (JOURNAL_STREAM set) or when stderr is
 * not a terminal (a daemon, a cron job), stderr at a terminal. */
enum alert_mode alert_default(void);
const char *alert_mode_name(enum alert_mode m);
void alert_open(enum alert_mode m);	/* openlog() for syslog */
void alert_close(enum alert_mode m);
/* Emits one line. Never fails (a line that cannot be written is lost). */
void alert_emit(enum alert_mode m, const struct alert_line *l);

#endif
