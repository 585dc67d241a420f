/* This file declares the daily report: the period it covers, the in-memory model that
 * report_data.c fills from one or more databases (through the queries in reports/ *.sql),
 * and the writers that render that one model as text, JSON, CSV or HTML, so that every
 * format carries the same content. Functions return 0 (or a pointer) on success and -1
 * (or NULL) with a message in err; they never print. */
#ifndef SPOOFAUDIT_REPORT_H
#define SPOOFAUDIT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Version of the JSON document (reports/report-schema.json). Incremented when a field is
 * removed, renamed or changes meaning; adding fields keeps it. Version 2: the kernel
 * table has one row per scope (interface) with the settings as columns. */
#define REPORT_SCHEMA_VERSION 2

/* Days of history "new sources" compares against. */
#define REPORT_HISTORY_DAYS 7

/* ---- Time: periods are [since, until) in microseconds since the epoch. ---- */

/* Parses --day: "YYYY-MM-DD", "today" or "yesterday" (relative to now_us) into the
 * calendar day's bounds in local time (or UTC), so a day with a DST change has 23 or 25
 * hours. Returns 0, or -1 on a malformed or out-of-range value. */
int report_parse_day(const char *arg, int utc, int64_t now_us, int64_t *since_us,
		     int64_t *until_us);
/* Parses --since/--until: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" (or a space for T),
 * "today", "yesterday", "now", or "@SECONDS" since the epoch. Returns 0 or -1. */
int report_parse_time(const char *arg, int utc, int64_t now_us, int64_t *us);

enum report_tfmt {
	TF_ISO,		/* 2026-09-21T14:05:09+02:00 (or Z with utc) */
	TF_DATE,	/* 2026-09-21 */
	TF_MINUTE,	/* 2026-09-21 14:05 */
	TF_SHORT,	/* 09-21 14:05 */
};
/* Writes us as text in local time (or UTC) into buf; returns buf. */
char *report_format_time(int64_t us, int utc, enum report_tfmt fmt, char *buf, size_t len);

/* ---- The model: sections made of generic tables and notes. ---- */

enum report_section {
	SEC_HEADER,		/* runs, sources, interfaces */
	SEC_COMPLETENESS,
	SEC_KERNEL,
	SEC_TOTALS,
	SEC_TIMELINE,
	SEC_TOP,
	SEC_TTL,
	SEC_NFLOG,
	SEC_LOOPBACK,
	SEC_POLICY,		/* the live policy audit's violations (collect --policy) */
	SEC_COUNT
};

enum rcol_type {
	RC_TEXT,
	RC_INT,		/* may be NULL (shown "n/a", JSON null) */
	RC_BYTES,	/* an integer number of bytes; text shows 1.2M */
	RC_TIME,	/* microseconds since the epoch; JSON and CSV ISO 8601 */
	RC_HOST,	/* text: the host; shown in text and HTML only with several --db */
};

struct rcol {
	const char *name;	/* JSON key, CSV header */
	const char *title;	/* text and HTML header */
	enum rcol_type type;
	int width;		/* text column width; 0 hides the column in text */
};

struct rcell {
	int null;
	int64_t i;
	char *s;		/* RC_TEXT, RC_HOST (owned) */
};

enum report_table {
	RT_RUNS, RT_SOURCES, RT_IFACES, RT_DECODE_ERRORS, RT_KERNEL,
	RT_TOTALS_CLASS, RT_TOTALS_IFACE, RT_TOTALS,
	RT_TOP_SOURCES, RT_TOP_DESTINATIONS, RT_TOP_PORTS, RT_NEW_SOURCES,
	RT_TTL, RT_NFLOG, RT_NFLOG_UNLOGGED, RT_LOOPBACK_SERVICES, RT_LOOPBACK_NONLOCAL,
	RT_POLICY, RT_FLOOD,
	RT_COUNT
};

/* Columns of the runs table (RT_RUNS) the model and the writers read. */
enum { REPORT_RUN_ID = 1, REPORT_RUN_STARTED = 3, REPORT_RUN_ENDED = 4, REPORT_RUN_LAST_STATS = 5 };

struct rtable {
	const char *name;		/* --table NAME, JSON key */
	const char *title;
	enum report_section section;
	const struct rcol *cols;
	unsigned ncols;
	size_t nrows, cap;
	struct rcell *cells;		/* nrows * ncols */
	const char *empty;		/* what text and HTML say when there is no row */
};

struct rnote {
	enum report_section section;
	char *text;
};

/* One database of the report: one host. */
struct report_host {
	char *path;
	char *name;			/* host name from its runs, else the file name */
	uint64_t flood_episodes;	/* rows it added to RT_FLOOD (report_suspect.c) */
	int schema_version;
	uint64_t unverified_bytes;	/* not quick_checked on open (store_unverified_bytes) */
	int has_data;			/* any flow at all */
	int64_t first_bucket, last_bucket;	/* seconds; valid when has_data */
	int64_t runs_total, live_runs;
	int has_flows;			/* flows in the period */
	int file_mode;			/* no live run overlapped; data came from files */
	int64_t nflog_sources;
	int64_t pcap_sources;		/* live or file pcap sources of the period */
	int lo_captured;		/* one of them was on an interface of role loopback */
	int prev_ok;			/* the database covers the previous period */
	int hist_days;			/* days of the 7-day history it covers */
	char **addrs;			/* the host's own addresses (runs of the period) */
	size_t naddrs;
	int64_t live_secs;		/* longest live pcap source of the period, -1: none */
	int64_t file_secs;		/* capture files: first to last packet, -1: none */
	uint64_t lost;			/* pcap drops, NFLOG overruns/gaps, failed writes */
	int64_t new_sources;		/* spoofed sources new in the period (all, not --top) */
};

/* ---- The verdict: what the recorded facts mean, built by report_verdict.c. ---- */

/* What became of a spoofed class's packets, the strongest fact first. */
enum report_fate {
	FATE_ANSWERED,		/* replies or ICMP errors went back to the forged source */
	FATE_ACCEPTED,		/* the live ruleset accepted them (live audit violation) */
	FATE_PASSED,		/* the kernel's checks let them reach the ruleset */
	FATE_DROPPED,		/* the kernel dropped every one of them */
	FATE_UNKNOWN,		/* the kernel context does not tell */
	FATE_COUNT
};

struct report_vclass {
	char *host;
	const char *cls;		/* a report_spoof_classes[] entry */
	uint64_t packets;		/* pcap saw them arrive */
	uint64_t dropped;		/* of them, arriving where the kernel drops the class */
	uint64_t passed;		/* ... where the kernel's checks let them through */
	uint64_t replies, icmp_errors;	/* sent back to the forged sources */
	uint64_t logged;		/* logged by an NFLOG rule */
	enum report_fate fate;
	char *fate_text;		/* one sentence, true to the recorded facts */
	char *proof;			/* the kernel check and counter, or the evidence */
	char *logged_by;		/* "spoof-lo: (PREROUTING, 12 pkts)", or NULL */
	char *violations;		/* "3, 7": live audit violations of the class, or NULL */
};

enum report_step_kind { STEP_KEEP, STEP_SET, STEP_RULE, STEP_CHECK, STEP_REVIEW, STEP_RECORD };

struct report_vstep {
	char *host;
	enum report_step_kind kind;
	char *text;			/* the advice, one or two sentences */
	char *sysctl;			/* "net.ipv4.conf.all.route_localnet=0" or NULL */
	char *iptables;			/* the rule in iptables-save form, or NULL */
	char *nft;			/* the same rule for nft, or NULL */
	char *command;			/* a command to run, or NULL */
};

enum report_vstatus { VS_EMPTY, VS_NONE, VS_DROPPED, VS_THROUGH, VS_UNKNOWN };

struct report_verdict {
	enum report_vstatus status;
	char *headline;			/* one sentence */
	struct report_vclass *classes;
	size_t nclasses;
	struct report_vstep *steps;
	size_t nsteps;
	char *changes;			/* what changed since the previous period */
	char *completeness;		/* how complete the view is */
	int64_t period_secs;
	int64_t capture_secs;		/* -1: no live capture and no file span */
};

const char *report_fate_key(enum report_fate f);		/* "dropped_by_kernel" */
const char *report_fate_label(enum report_fate f);	/* "dropped by kernel" */
const char *report_step_key(enum report_step_kind k);		/* "set_sysctl" */
const char *report_vstatus_key(enum report_vstatus s);		/* "got_through" */
/* A human label for a stable class name ("forged loopback source" for
 * spoof_loopback_src); the name itself when it has none. */
const char *report_class_label(const char *cls);
/* "1 min 40 s", "3 h 12 min", "2 d 4 h" into buf; returns buf. */
char *report_duration(int64_t secs, char *buf, size_t len);

/* Spoofed classes in report order (classify_is_spoof()). */
#define REPORT_NSPOOF 7
extern const char *const report_spoof_classes[REPORT_NSPOOF];
/* cls's index in report_spoof_classes[], or -1 when it is not a spoofed class. */
int report_spoof_class_index(const char *cls);

struct report_opts {
	const char *const *dbs;		/* at least one */
	unsigned ndbs;
	const char *const *ifaces;	/* -i filter; none = every interface */
	unsigned nifaces;
	int64_t since_us, until_us;
	int utc;
	unsigned limit;			/* rows per top list */
	int64_t now_us;			/* generation time */
};

struct report {
	int64_t since_us, until_us, prev_since_us, hist_since_us, generated_us;
	int utc;
	char tz[64];			/* "UTC" or "CET/CEST, UTC+01:00" */
	char ifaces[256];		/* the -i filter as given, "" for all */
	unsigned limit;
	unsigned nhours;		/* timeline length */
	uint64_t *timeline;		/* [REPORT_NSPOOF][nhours] spoofed packets */
	struct report_host *hosts;
	unsigned nhosts;
	struct rtable tables[RT_COUNT];
	struct rnote *notes;
	size_t nnotes, notes_cap;
	/* Summary numbers for headlines and tests. */
	uint64_t packets, spoofed_packets, loopback_packets;
	int pcap_ran;			/* some host captured with pcap; 0: NFLOG only */
	struct report_verdict verdict;
};

/* Opens every database read-only, runs the queries and fills the model. NULL with a
 * message in err on failure (a database that cannot be opened or read). */
struct report *report_build(const struct report_opts *o, char *err, size_t errlen);
void report_free(struct report *r);	/* NULL-safe */

const char *report_section_title(enum report_section s);
const char *report_section_key(enum report_section s);	/* "completeness" */
/* Finds a table by --table name, or NULL. */
const struct rtable *report_table_by_name(const struct report *r, const char *name);
/* Writes the --table names, space-separated (for messages), into buf; returns buf. */
char *report_table_names(char *buf, size_t len);
/* The column definitions of table t (the model's table list is fixed). */
const struct rtable *report_table_template(enum report_table t);

static inline const struct rcell *report_cell(const struct rtable *t, size_t row, unsigned col)
{
	return &t->cells[row * t->ncols + col];
}

/* Formats a byte count as "12.3M" (SI, 1000-based) into buf. */
char *report_human(uint64_t v, char *buf, size_t len);
/* Sparkline of n values into buf (UTF-8 blocks, or ASCII when ascii), one glyph per
 * value scaled to max; returns buf. */
char *report_sparkline(const uint64_t *v, size_t n, uint64_t max, int ascii, char *buf,
		       size_t len);

/* Writers. They return 0, or -1 on a write error (errno set) or, for csv, an unknown
 * table name (errno EINVAL). */
int report_write_text(const struct report *r, FILE *f, int ascii);
int report_write_json(const struct report *r, FILE *f);
int report_write_csv(const struct report *r, const char *table, FILE *f);
int report_write_html(const struct report *r, FILE *f);

/* Shared by the writers: the text of a cell (times and bytes formatted for people). */
const char *report_cell_text(const struct report *r, const struct rcol *c,
			     const struct rcell *cell, int human, char *buf, size_t len);

/* Finds an embedded reports/ file by name ("totals.sql"), or NULL. */
const char *report_file(const char *name);

#endif
