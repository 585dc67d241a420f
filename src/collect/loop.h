/* This file declares the collect event loop: it polls one array of sources (pcap handles
 * and NFLOG groups alike, sources/source.h), hands their records to the collector, and
 * does the periodic work (source statistics, flushes, the status line); or it reads
 * capture files one after another. It also opens the sources and owns the two signal
 * flags (SIGINT/SIGTERM stop, SIGHUP reload). */
#ifndef SPOOFAUDIT_COLLECT_LOOP_H
#define SPOOFAUDIT_COLLECT_LOOP_H

#include <stdint.h>
#include "classify/hostinfo.h"
#include "collect/collector.h"
#include "sources/capture.h"
#include "sources/nflogsrc.h"
#include "sources/source.h"

#define LOOP_MAX_LIVE 64		/* pcap handles */
#define LOOP_MAX_NFLOG 32		/* NFLOG groups */
#define LOOP_MAX_SOURCES (LOOP_MAX_LIVE + LOOP_MAX_NFLOG)

struct loop_opts {
	uint64_t duration_s;		/* stop after this long; 0: no limit */
	uint64_t count;			/* stop after this many packets; 0: no limit */
	uint64_t flush_interval_s;
	uint64_t status_interval_s;
	int quiet;			/* no status line */
	uint64_t max_db_bytes;		/* set by loop_db_limit(); 0: no limit */
};

/* Called at every turn of the loop, after the periodic work (the policy audit's). */
typedef void (*loop_work_fn)(void *arg);

struct collect_loop {
	struct collector *c;
	struct loop_opts opt;
	loop_work_fn work;
	void *work_arg;
	struct source *srcs;		/* LOOP_MAX_SOURCES live sources, n_srcs open */
	unsigned n_srcs;
	uint64_t start_mono, last_flush, last_status, status_pkts;
	int flush_failed;		/* the last periodic flush failed */
	int draining;			/* reading what a stop left in the rings */
	int db_reported;		/* a failing database was reported (until it works) */
	uint64_t last_db_report;
	struct store *wst;		/* the writer thread's connection until it starts */
	size_t ev_budget;		/* collector_opts.evidence_buf_bytes the writer shares */
	int writer_dropped;		/* the writer's queue was dropped (writes stopped) */
};

/* Installs the signal handlers (SIGINT, SIGTERM: stop; SIGHUP: reload). */
void loop_signals_install(void);
/* True once a stop was requested (a signal, or the packet count reached). */
int loop_stop_requested(void);
/* True (and clears it) when SIGHUP arrived since the last call. */
int loop_take_reload(void);

/* Prepares l for collector c, and opens the writer thread's own connection to the
 * collector's database (without one, a warning says so and flushes write in the capture
 * thread). The thread starts with the live loop or the files, after the privilege drop
 * and the sandbox; the live policy audit's violations travel with the batches
 * (audit_on_handoff). Returns 0, or -1 out of memory. */
int loop_init(struct collect_loop *l, struct collector *c, const struct loop_opts *o);
void loop_free(struct collect_loop *l);		/* closes every source; NULL-safe */

/* The default role of a live interface, from the kernel's view of it (hif may be NULL). */
void loop_live_iface_info(const struct hostinfo_iface *hif, const char *name,
			  struct iface_info *info);

/* Opens one pcap handle per direction on each interface (one on loopback interfaces,
 * where libpcap already drops the outgoing copy) and registers each as a collector
 * source. Returns 0, or -1 after logging why. */
int loop_open_live(struct collect_loop *l, const char *const *names, unsigned n,
		   const struct hostinfo *hi, const struct capture_live_opts *lo);
/* Binds every NFLOG group and registers each as a collector source. 0, or -1 (logged). */
int loop_open_nflog(struct collect_loop *l, const uint16_t *groups, unsigned n,
		    const struct nfl_opts *o);

/* The live event loop over every open source until a stop, the duration or the count.
 * Returns 0, or -1 after logging a source failure. */
int loop_run_live(struct collect_loop *l);

/* Reads the capture files one after another; file_iface names the interface of files
 * that name none (NULL: the file's base name). Returns 0, or -1 after logging why. */
int loop_run_files(struct collect_loop *l, const char *const *files, unsigned n,
		   const char *bpf, const char *file_iface);

/* Periodic work: source statistics and a flush when due (always with force), the work
 * hook, the status line. With a writer thread a flush hands its rows over, and force
 * waits for the thread to write everything and ends it. Returns 0, or -1 when the flush
 * (with force: any write still pending) failed. */
int loop_tick(struct collect_loop *l, int force);

/* Caps the database (file and write-ahead log) at about `bytes` with SQLite's
 * max_page_count and journal_size_limit for the rest of the run: a write the cap refuses
 * stops every later write (collector.writes_stopped), reported once by loop_tick; packets
 * are still counted. Returns 0, 1 when the file is already larger (writes stop at once),
 * or -1 when the store refused the pragmas. */
int loop_db_limit(struct collect_loop *l, uint64_t bytes);

#endif
