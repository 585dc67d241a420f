/* This file implements the flood class: per destination and port, a window's openings
 * with their TTL histogram and a bitmap of their sources, an episode when they are many
 * and their TTLs narrow, and the list of ended episodes waiting to be written. */
#include "flows/flood.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FLOOD_BITS 65536u	/* source bitmap: linear counting is close to ~5x this */
#define P_TCP 6
#define P_UDP 17
#define TCP_SYN 0x02
#define TCP_ACK 0x10

/* One destination, protocol and port. Invariant: setbits is the number of bits set in
 * bits[]; when active, the window is the episode (nothing is reset until it ends). */
struct fslot {
	uint8_t used, active, family, proto;
	uint16_t dport;
	uint8_t band_lo, band_hi;
	uint8_t dst[16];
	uint64_t win_start, first_usec, last_usec;
	uint64_t band_usec;		/* the episode's last opening in its band */
	uint64_t win_band;		/* the episode's openings in its band this window */
	uint64_t pkts, flagged;
	uint32_t setbits;
	uint32_t hist[256];
	uint64_t bits[FLOOD_BITS / 64];
};

struct flood {
	struct flood_opts o;
	uint64_t seed;
	size_t nslots;		/* a power of 2 */
	struct fslot *s;
	struct flood_episode pending[FLOOD_PENDING];
	size_t n_pending;
	uint64_t lost;
};

void flood_opts_default(struct flood_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->window_s = FLOOD_WINDOW_S;
	o->min_sources = FLOOD_MIN_SOURCES;
	o->band = FLOOD_BAND;
	o->band_pct = FLOOD_BAND_PCT;
	o->slots = FLOOD_SLOTS;
}

struct flood *flood_new(const struct flood_opts *o, uint64_t seed)
{
	struct flood *f = calloc(1, sizeof(*f));
	size_t n = FLOOD_PROBE;

	if (!f)
		return NULL;
	while (n < o->slots && n < 65536)
		n <<= 1;
	f->o = *o;
	if (f->o.band == 0)
		f->o.band = 1;
	f->seed = seed;
	f->nslots = n;
	f->s = calloc(n, sizeof(*f->s));
	if (!f->s) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	return f;
}

void flood_free(struct flood *f)
{
	if (!f)
		return;
	free(f->s);
	free(f);
}

uint32_t flood_estimate(uint32_t m, uint32_t set)
{
	double est;

	if (m == 0)
		return 0;
	if (set >= m)
		set = m - 1;	/* saturated: the estimate's ceiling */
	est = -(double)m * log((double)(m - set) / (double)m);
	return (uint32_t)(est + 0.5);
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = mix(h ^ w);
	}
	return h;
}

/* A connection opening: a TCP SYN without ACK, or a UDP datagram. */
static int opening(const struct pkt_record *r)
{
	if (r->proto == P_TCP)
		return (r->have & PKT_HAVE_TCPFLAGS) && (r->have & PKT_HAVE_PORTS) &&
		       (r->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	return r->proto == P_UDP && (r->have & PKT_HAVE_PORTS);
}

static int same(const struct fslot *s, const struct pkt_record *r)
{
	return s->used && s->family == r->family && s->proto == r->proto &&
	       s->dport == r->dport && !memcmp(s->dst, r->dst, 16);
}

static void end_episode(struct flood *f, struct fslot *s)
{
	struct flood_episode *e;

	if (f->n_pending == FLOOD_PENDING) {
		f->lost++;
	} else {
		e = &f->pending[f->n_pending++];
		e->family = s->family;
		e->proto = s->proto;
		e->dport = s->dport;
		memcpy(e->dst, s->dst, 16);
		e->start_usec = s->first_usec;
		e->end_usec = s->band_usec;
		e->packets = s->pkts;
		e->flagged = s->flagged;
		e->sources = flood_estimate(FLOOD_BITS, s->setbits);
		e->band_lo = s->band_lo;
		e->band_hi = s->band_hi;
		memcpy(e->hist, s->hist, sizeof(e->hist));
	}
	s->active = 0;
}

/* Starts a new window at now (the slot keeps its key). */
static void reset(struct fslot *s, uint64_t now)
{
	s->active = 0;
	s->pkts = s->flagged = s->win_band = 0;
	s->setbits = 0;
	memset(s->hist, 0, sizeof(s->hist));
	memset(s->bits, 0, sizeof(s->bits));
	s->win_start = s->first_usec = s->last_usec = s->band_usec = now;
}

/* True when s may be given to another key at now: unused, or its window over and no
 * episode running (an ended one is queued first). */
static int reusable(struct flood *f, struct fslot *s, uint64_t now, uint64_t w)
{
	if (!s->used)
		return 1;
	if (s->active) {
		if (now <= s->band_usec + w)
			return 0;
		end_episode(f, s);
		return 1;
	}
	return now > s->win_start + w;
}

/* The slot of r's destination, made when new; NULL when every probed slot is busy. */
static struct fslot *slot_of(struct flood *f, const struct pkt_record *r, uint64_t w)
{
	uint64_t h = mix(hash_bytes(f->seed ^ ((uint64_t)r->proto << 16 | r->dport), r->dst, 16));
	struct fslot *s, *free_s = NULL;
	size_t i;

	for (i = 0; i < FLOOD_PROBE; i++) {
		s = &f->s[(h + i) & (f->nslots - 1)];
		if (same(s, r))
			return s;
		if (!free_s && reusable(f, s, r->ts_usec, w))
			free_s = s;
	}
	if (!free_s)
		return NULL;
	memset(free_s, 0, offsetof(struct fslot, hist));
	free_s->used = 1;
	free_s->family = r->family;
	free_s->proto = r->proto;
	free_s->dport = r->dport;
	memcpy(free_s->dst, r->dst, 16);
	reset(free_s, r->ts_usec);
	return free_s;
}

/* Whether the window now holds a flood; sets the band when it does. */
static int detect(const struct flood *f, struct fslot *s)
{
	unsigned b = f->o.band, lo, best_lo = 0;
	uint64_t sum = 0, best = 0;

	if (flood_estimate(FLOOD_BITS, s->setbits) < f->o.min_sources)
		return 0;
	for (lo = 0; lo < 256; lo++) {	/* a sliding sum over [lo - b + 1, lo] */
		sum += s->hist[lo];
		if (lo >= b)
			sum -= s->hist[lo - b];
		if (sum > best) {
			best = sum;
			best_lo = lo + 1 >= b ? lo + 1 - b : 0;
		}
	}
	if (best * 100 < (uint64_t)f->o.band_pct * s->pkts)
		return 0;
	s->band_lo = (uint8_t)best_lo;
	s->band_hi = (uint8_t)(best_lo + b - 1 > 255 ? 255 : best_lo + b - 1);
	return 1;
}

void flood_packet(struct flood *f, const struct pkt_record *r, struct classification *cl,
		  int update)
{
	uint64_t w, now = r->ts_usec, bit;
	struct fslot *s;

	if (!f || f->o.off || r->status != DEC_OK || r->dir != DIR_IN || !opening(r) ||
	    (cl->cls != CLS_NORMAL && cl->cls != CLS_SUSPECT_SRC))
		return;
	w = (uint64_t)f->o.window_s * 1000000u;
	s = slot_of(f, r, w);
	if (!s)
		return;
	if (s->active && (now > s->band_usec + w ||
			  (now > s->win_start + w && s->win_band < f->o.min_sources))) {
		/* quiet, or a whole window with fewer openings in the band than it takes to
		 * start an episode: it is over */
		end_episode(f, s);
		reset(s, now);
	} else if (s->active && now > s->win_start + w) {
		s->win_start = now;
		s->win_band = 0;
	} else if (!s->active && now > s->win_start + w) {
		reset(s, now);
	}
	if (update) {
		s->pkts++;
		s->hist[r->ttl]++;
		bit = hash_bytes(f->seed, r->src, 16) & (FLOOD_BITS - 1);
		if (!(s->bits[bit / 64] & (1ull << (bit % 64)))) {
			s->bits[bit / 64] |= 1ull << (bit % 64);
			s->setbits++;
		}
		if (now > s->last_usec)
			s->last_usec = now;
		if (!s->active && s->pkts >= f->o.min_sources && s->pkts % 8 == 0 &&
		    detect(f, s)) {
			s->active = 1;
			s->win_start = now;	/* the episode's windows start here */
		}
	}
	if (s->active && r->ttl + 1 >= s->band_lo && r->ttl <= s->band_hi + 1) {
		if (update) {
			s->win_band++;
			if (now > s->band_usec)
				s->band_usec = now;
		}
		if (cl->cls == CLS_NORMAL) {
			cl->cls = CLS_SUSPECT_SRC;
			cl->subclass = ASUB_FLOOD;
			s->flagged += !!update;
		}
	}
}

size_t flood_take_ended(struct flood *f, uint64_t now_usec, struct flood_episode *out,
			size_t max)
{
	uint64_t w = (uint64_t)f->o.window_s * 1000000u;
	size_t i, n;

	for (i = 0; i < f->nslots; i++) {
		struct fslot *s = &f->s[i];

		if (s->active && (now_usec == UINT64_MAX || now_usec > s->band_usec + w))
			end_episode(f, s);
	}
	n = f->n_pending < max ? f->n_pending : max;
	memcpy(out, f->pending, n * sizeof(*out));
	memmove(f->pending, f->pending + n, (f->n_pending - n) * sizeof(*out));
	f->n_pending -= n;
	return n;
}

uint64_t flood_lost(const struct flood *f)
{
	return f->lost;
}
