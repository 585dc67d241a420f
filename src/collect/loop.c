/* This file implements the collect event loop: sources in, collector records out, and
 * the periodic statistics, flushes and status line. */
#include "collect/loop.h"

#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/writer.h"
#include "sources/decode.h"
#include "common/plural.h"
#include "common/util.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

void loop_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int loop_stop_requested(void)
{
	return stop_requested != 0;
}

int loop_take_reload(void)
{
	if (!reload_requested)
		return 0;
	reload_requested = 0;
	return 1;
}

static void writer_sync(struct collect_loop *l);

int loop_init(struct collect_loop *l, struct collector *c, const struct loop_opts *o)
{
	memset(l, 0, sizeof(*l));
	l->c = c;
	l->opt = *o;
	l->srcs = calloc(LOOP_MAX_SOURCES, sizeof(*l->srcs));
	if (!l->srcs)
		return -1;
	l->start_mono = l->last_flush = l->last_status = util_mono_usec();
	if (c->st) {
		char err[600];

		l->wst = store_open_twin(c->st, err, sizeof(err));
		if (!l->wst)
			util_log(LOG_LVL_WARN, "no writer thread, the capture thread writes: %s", err);
	}
	return 0;
}

/* Takes the writer's status: its losses into the totals, its error, and the evidence
 * room it leaves the collector. */
static void writer_sync(struct collect_loop *l)
{
	struct collector *c = l->c;
	struct writer_status ws;

	writer_status(c->writer, &ws);
	collector_learn_ids(c);		/* and frees the written batches */
	c->tot.lost_db += ws.lost_packets;
	c->tot.evidence_dropped += ws.lost_evidence;
	c->tot.nflog_lost += ws.lost_nflog;
	if (ws.failing) {
		snprintf(c->err, sizeof(c->err), "%s", ws.err);
		c->tot.writer_failed = 1;
	}
	l->flush_failed = ws.failing;
	c->opt.evidence_buf_bytes = ws.ev_room;
}

/* Starts the writer thread on the connection loop_init() opened (files: a full queue
 * makes the reader wait rather than lose). Without it, flushes write themselves. */
static void writer_begin(struct collect_loop *l, int files)
{
	struct collector *c = l->c;
	struct store *st = l->wst;
	struct writer_opts o;
	char err[600];

	l->wst = NULL;
	if (!st || c->writer || c->writes_stopped) {
		store_close(st);
		return;
	}
	memset(&o, 0, sizeof(o));
	/* an eighth of the table queued at most, in batches no larger: the copies stay a
	 * fraction of the table's memory (peak RSS <= 64 MiB at the default --max-flows) */
	o.max_rows = c->opt.max_flows / 8 > 1024 ? c->opt.max_flows / 8 : 1024;
	o.max_batches = 16;
	o.per_txn = c->opt.flush_batch;
	o.wait_for_room = files;
	o.ev_budget = c->opt.evidence_buf_bytes;
	l->ev_budget = c->opt.evidence_buf_bytes;
	l->writer_dropped = 0;
	c->writer = writer_start(st, &o, err, sizeof(err));
	c->handoff_rows = o.max_rows;
	c->never_wait = !files;
	c->ev_budget = o.ev_budget;
	if (!c->writer)
		util_log(LOG_LVL_WARN, "no writer thread, the capture thread writes: %s", err);
}

/* The last flush with a writer thread: hands the rest over, waits until the thread has
 * written everything (one more attempt for a failing write) and ends it. Returns 0, or
 * -1 when something could not be written (then counted as not recorded). */
static int writer_end(struct collect_loop *l)
{
	struct collector *c = l->c;
	struct writer *w = c->writer;
	struct writer_times t;
	int rc;

	writer_hurry(w);
	rc = collector_flush(c, 1);
	if (writer_finish(w) < 0)
		rc = -1;
	writer_get_times(w, &t);
	c->tot.writer_cpu_usec += t.cpu_usec;
	c->tot.writer_write_usec += t.write_usec;
	c->tot.writer_batches += t.batches;
	c->tot.writer_wait_usec += t.wait_usec;
	writer_sync(l);
	c->writer = NULL;
	c->opt.evidence_buf_bytes = l->ev_budget;
	writer_free(w);
	return rc;
}

void loop_free(struct collect_loop *l)
{
	unsigned i;

	if (!l)
		return;
	if (l->c && l->c->writer)
		writer_end(l);
	store_close(l->wst);
	l->wst = NULL;
	if (!l->srcs)
		return;
	for (i = 0; i < l->n_srcs; i++)
		source_close(&l->srcs[i]);
	free(l->srcs);
	l->srcs = NULL;
	l->n_srcs = 0;
}

/* Every record of every source comes through here. */
static int on_record(void *arg, struct source *s, const struct pkt_record *rec,
		     const uint8_t *data, uint32_t caplen)
{
	struct collect_loop *l = arg;

	collector_record(l->c, s->index, rec, data, caplen);
	if (l->opt.count && l->c->tot.packets >= l->opt.count) {
		stop_requested = 1;
		l->draining = 0;	/* --count means exactly that many */
	}
	return stop_requested && !l->draining ? 1 : 0;
}

void loop_live_iface_info(const struct hostinfo_iface *hif, const char *name,
			  struct iface_info *info)
{
	unsigned i;

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", name);
	if (!hif) {
		info->role = ROLE_EXTERNAL;
		return;
	}
	info->ifindex = hif->ifindex;
	if (hif->is_loopback) {
		info->role = ROLE_LOOPBACK;
	} else if (hif->has_default_route) {
		info->role = ROLE_EXTERNAL;
	} else {
		info->role = ROLE_INTERNAL;
		for (i = 0; i < hif->n_routes && i < CLASSIFY_MAX_PREFIXES; i++)
			info->prefixes[info->n_prefixes++] = hif->routes[i];
	}
}

int loop_open_live(struct collect_loop *l, const char *const *names, unsigned n,
		   const struct hostinfo *hi, const struct capture_live_opts *lo)
{
	struct collector *c = l->c;
	struct capture_live_opts o = *lo;
	char err[4200], label[IF_NAMESIZE + 8];
	unsigned i, d;

	for (i = 0; i < n; i++) {
		const struct hostinfo_iface *hif = hostinfo_find(hi, names[i]);
		struct iface_info info;
		int ifidx, src;
		unsigned ndir = hif && hif->is_loopback ? 1 : 2;

		loop_live_iface_info(hif, names[i], &info);
		ifidx = collector_iface_add(c, &info, "kernel");
		for (d = 0; d < ndir; d++) {
			struct source *s = &l->srcs[l->n_srcs];

			if (l->n_srcs >= LOOP_MAX_LIVE) {
				util_log(LOG_LVL_ERR, "too many interfaces (at most %d handles)",
					 LOOP_MAX_LIVE);
				return -1;
			}
			o.direction = d == 0 ? PCAP_D_IN : PCAP_D_OUT;
			snprintf(label, sizeof(label), "%s/%s", names[i], d == 0 ? "in" : "out");
			if (capture_source_live(s, names[i], label, &o, err, sizeof(err)) < 0) {
				util_log(LOG_LVL_ERR, "%s", err);	/* names the interface */
				return -1;
			}
			l->n_srcs++;
			src = ifidx < 0 ? -1 : collector_source_add(c, s->kind, s->name, ifidx, NULL,
								    s->linktype);
			if (src < 0) {
				util_log(LOG_LVL_ERR, "%s: cannot register source: %s", names[i], c->err);
				return -1;
			}
			s->index = (unsigned)src;
			c->sources[src].fixed_dir = d == 0 ? DIR_IN : DIR_OUT;
			c->sources[src].interval_start_usec = util_now_usec();
			/* more than one ring: an answer may be read after what follows it */
			c->hold_places |= i > 0 || d > 0;
		}
	}
	return 0;
}

int loop_open_nflog(struct collect_loop *l, const uint16_t *groups, unsigned n,
		    const struct nfl_opts *o)
{
	struct collector *c = l->c;
	char err[512];
	unsigned i;

	for (i = 0; i < n; i++) {
		struct source *s = &l->srcs[l->n_srcs];
		int src;

		if (l->n_srcs >= LOOP_MAX_SOURCES) {
			util_log(LOG_LVL_ERR, "too many sources (at most %d)", LOOP_MAX_SOURCES);
			return -1;
		}
		if (nfl_source_open(s, groups[i], o, err, sizeof(err)) < 0) {
			util_log(LOG_LVL_ERR, "%s", err);
			return -1;
		}
		l->n_srcs++;
		src = collector_source_add(c, s->kind, s->name, -1, NULL, s->linktype);
		if (src < 0) {
			util_log(LOG_LVL_ERR, "%s: cannot register source: %s", s->name, c->err);
			return -1;
		}
		s->index = (unsigned)src;
		c->sources[src].is_nflog = 1;
		c->sources[src].interval_start_usec = util_now_usec();
	}
	return 0;
}

static int duration_over(const struct collect_loop *l)
{
	return l->opt.duration_s &&
	       util_mono_usec() - l->start_mono >= l->opt.duration_s * 1000000u;
}

/* How long a stop may spend reading what the kernel already put in the rings. A ring of
 * the default size holds a few tens of thousands of frames: far less than this even for a
 * slow (sanitizer) build; the bound only matters when a flood goes on faster than it is read. */
#define LOOP_DRAIN_USEC 15000000

/* A stop (a signal, --duration) leaves frames the kernel already queued: each was
 * received, and none would be counted as received or dropped. Read them into the flow
 * table (memory only) until nothing is waiting, for at most LOOP_DRAIN_USEC; a stop that
 * the bound cuts short says so, since what is left in the rings is then counted nowhere. */
static int drain(struct collect_loop *l, struct pollfd *pfd, unsigned n)
{
	uint64_t deadline = util_mono_usec() + LOOP_DRAIN_USEC;

	if (l->opt.count && l->c->tot.packets >= l->opt.count)
		return 0;
	l->draining = 1;
	while (l->draining && poll(pfd, n, 0) > 0) {
		if (util_mono_usec() >= deadline) {
			util_log(LOG_LVL_WARN, "stopped after %u s of reading what the kernel had "
				 "queued before the stop; frames still queued are counted nowhere",
				 LOOP_DRAIN_USEC / 1000000);
			break;
		}
		for (unsigned i = 0; i < n && l->draining; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (source_read(&l->srcs[i], on_record, l) < 0) {
				util_log(LOG_LVL_ERR, "%s", l->srcs[i].err);
				l->draining = 0;
				return -1;
			}
		}
	}
	l->draining = 0;
	return 0;
}

int loop_run_live(struct collect_loop *l)
{
	struct pollfd pfd[LOOP_MAX_SOURCES];
	unsigned i, n = l->n_srcs;

	for (i = 0; i < n; i++) {
		pfd[i].fd = l->srcs[i].fd;
		pfd[i].events = POLLIN;
	}
	writer_begin(l, 0);
	while (!stop_requested && !duration_over(l)) {
		int pr = poll(pfd, n, 200);

		if (pr < 0 && errno != EINTR) {
			util_log(LOG_LVL_ERR, "poll: %s", strerror(errno));
			return -1;
		}
		/* every source every turn: libpcap may hold packets its descriptor does not
		 * announce, and a read with nothing waiting costs one system call */
		for (i = 0; i < n && !stop_requested; i++) {
			if (source_read(&l->srcs[i], on_record, l) < 0) {
				util_log(LOG_LVL_ERR, "%s", l->srcs[i].err);
				return -1;
			}
		}
		loop_tick(l, 0);
	}
	return drain(l, pfd, n);
}

/* The interface name of a file that names none itself. */
static void file_ifname(const char *path, const char *file_iface, char *buf, size_t len)
{
	char pathcopy[4096];

	if (capture_pcapng_ifname(path, buf, len) == 0)
		return;		/* the file names its interface */
	if (file_iface) {
		snprintf(buf, len, "%s", file_iface);
		return;
	}
	snprintf(pathcopy, sizeof(pathcopy), "%s", path);
	snprintf(buf, len, "%s", basename(pathcopy));
}

/* Reads one file to its end (or a stop). Returns 0, or -1 after logging why. */
static int run_file(struct collect_loop *l, const char *path, const char *bpf,
		    const char *file_iface)
{
	struct collector *c = l->c;
	struct source fs;
	char err[4200], ifname[IF_NAMESIZE];
	const char *ltname;
	int src;

	if (capture_source_file(&fs, path, bpf, err, sizeof(err)) < 0) {
		util_log(LOG_LVL_ERR, "%s", err);
		return -1;
	}
	file_ifname(path, file_iface, ifname, sizeof(ifname));
	src = collector_source_add(c, fs.kind, path, -1, ifname, fs.linktype);
	if (src < 0) {
		util_log(LOG_LVL_ERR, "%s: %s", path, c->err);
		source_close(&fs);
		return -1;
	}
	fs.index = (unsigned)src;
	c->sources[src].interval_start_usec = util_now_usec();
	if (!decode_linktype_supported(fs.linktype)) {
		ltname = pcap_datalink_val_to_name(fs.linktype);
		util_log(LOG_LVL_WARN, "%s: link type %d (%s) is not supported; its packets "
			 "are counted as unsupported", path, fs.linktype, ltname ? ltname : "unknown");
	}
	while (!stop_requested && !duration_over(l)) {
		if (source_read(&fs, on_record, l) < 0) {
			/* A truncated file ends with an error after its complete packets. */
			util_log(LOG_LVL_WARN, "%s (packets before it are recorded)", fs.err);
			break;
		}
		if (fs.eof)
			break;
		loop_tick(l, 0);
	}
	source_close(&fs);
	return 0;
}

int loop_run_files(struct collect_loop *l, const char *const *files, unsigned n,
		   const char *bpf, const char *file_iface)
{
	unsigned i;

	writer_begin(l, 1);
	for (i = 0; i < n && !stop_requested && !duration_over(l); i++)
		if (run_file(l, files[i], bpf, file_iface) < 0)
			return -1;
	return 0;
}

static void status_line(const struct collector *c, uint64_t elapsed_usec, uint64_t prev_pkts,
			uint64_t interval_usec)
{
	double pps = interval_usec ? (double)(c->tot.packets - prev_pkts) * 1e6 / (double)interval_usec : 0;

	fprintf(stderr, "collect: %.0fs %llu packet%s %.0f pps, %llu spoofed, %llu loopback, "
		"%llu drop%s, %zu flow%s in memory\n", (double)elapsed_usec / 1e6,
		(unsigned long long)c->tot.packets, plural_s(c->tot.packets), pps,
		(unsigned long long)c->tot.spoofed, (unsigned long long)c->tot.loopback,
		(unsigned long long)c->tot.drops, plural_s(c->tot.drops), flowtab_count(c->ft),
		plural_s(flowtab_count(c->ft)));
}

/* Adds each live source's counters since the last call to its statistics row. */
static void source_counters(struct collect_loop *l)
{
	struct collector *c = l->c;
	unsigned i;

	for (i = 0; i < l->n_srcs; i++) {
		struct source_stats d;
		struct collector_source *cs = &c->sources[l->srcs[i].index];

		if (source_stats(&l->srcs[i], &d) < 0)
			continue;
		/* Interface drops are the interface's, not the handle's: count them once,
		 * with the incoming handle. */
		if (cs->fixed_dir == DIR_OUT)
			d.iface_drops = 0;
		cs->cur.kernel_drops += d.kernel_drops;
		cs->cur.iface_drops += d.iface_drops;
		cs->cur.nflog_received += d.nflog_messages;
		cs->cur.nflog_enobufs += d.nflog_enobufs;
		cs->cur.nflog_seq_gaps += d.nflog_seq_gaps;
		c->tot.drops += d.kernel_drops + d.iface_drops + d.nflog_enobufs + d.nflog_seq_gaps;
	}
}

/* Reports a failing database once when it starts failing, then at most once a minute
 * with what is not recorded so far, and once when writes work again. A database that
 * reached --max-db-size stops taking writes for good. */
static void report_db(struct collect_loop *l, uint64_t now)
{
	struct collector *c = l->c;
	int failing = l->flush_failed || c->flush_failed_usec || c->writes_stopped;

	if (failing && l->opt.max_db_bytes && !c->writes_stopped && strstr(c->err, "is full")) {
		c->writes_stopped = 1;
		util_log(LOG_LVL_ERR, "the database reached its size limit (--max-db-size %llu "
			 "bytes): nothing more is written; packets are still counted, and what is "
			 "not recorded is reported at the end",
			 (unsigned long long)l->opt.max_db_bytes);
		l->db_reported = 1;
		l->last_db_report = now;
	}
	if (failing && !l->db_reported) {
		util_log(LOG_LVL_ERR, "cannot write to the database (will retry): %s", c->err);
		l->db_reported = 1;
		l->last_db_report = now;
	} else if (failing && now - l->last_db_report >= 60000000u) {
		util_log(LOG_LVL_ERR, "%s the database: %s; NOT RECORDED so far: %llu packet%s, "
			 "%llu evidence packet%s", c->writes_stopped ? "no longer writing to" :
			 "still cannot write to", c->err, (unsigned long long)c->tot.lost_db,
			 plural_s(c->tot.lost_db), (unsigned long long)c->tot.evidence_dropped,
			 plural_s(c->tot.evidence_dropped));
		l->last_db_report = now;
	} else if (!failing && l->db_reported) {
		util_log(LOG_LVL_WARN, "database writes work again");
		l->db_reported = 0;
	}
}

int loop_tick(struct collect_loop *l, int force)
{
	struct collector *c = l->c;
	uint64_t now = util_mono_usec();
	int ret = 0;

	if (force || now - l->last_flush >= l->opt.flush_interval_s * 1000000u) {
		collector_release(c, force ? UINT64_MAX : util_now_usec());	/* backscatter */
		source_counters(l);
		if (c->writer && force)
			ret = writer_end(l);
		else if (c->writer)	/* a full queue is no failure: the rows wait */
			(void)collector_flush(c, 1);
		else
			ret = collector_flush(c, 1);
		l->flush_failed = ret < 0;
		l->last_flush = now;
	}
	if (c->writer)
		writer_sync(l);
	report_db(l, now);
	if (c->writer && c->writes_stopped && !l->writer_dropped) {
		writer_abandon(c->writer);	/* counted at the next turn */
		l->writer_dropped = 1;
	}
	if (l->work)
		l->work(l->work_arg);
	if (!l->opt.quiet && now - l->last_status >= l->opt.status_interval_s * 1000000u) {
		status_line(c, now - l->start_mono, l->status_pkts, now - l->last_status);
		l->status_pkts = c->tot.packets;
		l->last_status = now;
	}
	return ret;
}

/* Sets the pragmas of loop_db_limit() on one connection; the page limit SQLite took
 * goes to *got (more than *pages when the file is already larger). 0, or -1. */
static int db_limit_pragmas(struct store *st, uint64_t bytes, int64_t *page, int64_t *pages,
			    int64_t *got)
{
	char sql[96];

	*page = store_query_int(st, "PRAGMA page_size");
	if (*page <= 0)
		return -1;
	/* three quarters for the database file, the rest for its write-ahead log, which
	 * journal_size_limit truncates back to that size after each checkpoint */
	*pages = (int64_t)(bytes / 4 * 3) / *page;
	if (*pages < 1)
		*pages = 1;
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long)*pages);
	*got = store_query_int(st, sql);
	if (*got < 0)
		return -1;
	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %llu",
		 (unsigned long long)(bytes / 4));
	return store_query_int(st, sql) < 0 ? -1 : 0;
}

int loop_db_limit(struct collect_loop *l, uint64_t bytes)
{
	int64_t page, pages, got, wpage, wpages, wgot;

	if (db_limit_pragmas(l->c->st, bytes, &page, &pages, &got) < 0)
		return -1;
	/* the limits are the connection's: the writer thread's gets the same */
	if (l->wst && db_limit_pragmas(l->wst, bytes, &wpage, &wpages, &wgot) < 0) {
		util_log(LOG_LVL_WARN, "no writer thread, the capture thread writes: %s",
			 store_errmsg(l->wst));
		store_close(l->wst);
		l->wst = NULL;
	}
	l->opt.max_db_bytes = bytes;
	if (got > pages) {	/* SQLite never lowers the limit below the file's size */
		snprintf(l->c->err, sizeof(l->c->err), "the database is already %lld bytes",
			 (long long)(got * page));
		l->c->writes_stopped = 1;
		return 1;
	}
	return 0;
}
