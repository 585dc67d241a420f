/* This file declares small helpers shared by the commands: bounded integer parsing and
 * the one function the commands log through. */
#ifndef SPOOFAUDIT_UTIL_H
#define SPOOFAUDIT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a decimal unsigned integer in [min, max]. Returns 0, or -1 on anything else
 * (sign, junk, overflow, out of range). */
int util_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Makes room for element n of the array *v (capacity *cap, elements of size bytes):
 * doubles the capacity (from 16) when n reaches it. Returns 0, or -1 with errno ENOMEM
 * (the array is unchanged). */
int util_grow(void **v, size_t *cap, size_t n, size_t size);

/* FNV-1a: h (start with UTIL_FNV_OFFSET) folded with n bytes of p. For change detection
 * and hash tables of trusted keys, not against an adversary. */
#define UTIL_FNV_OFFSET 1469598103934665603ull
static inline uint64_t util_fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* Current wall-clock time in microseconds since the epoch. */
uint64_t util_now_usec(void);
/* Monotonic time in microseconds. */
uint64_t util_mono_usec(void);
/* Online CPUs, 1 .. max (1 when sysconf cannot tell). */
unsigned util_cpus(unsigned max);
/* Threads for n items: want (at most max) when not 0, else one per online CPU, at most
 * max, each with at least per_thread items (and at least one thread). */
unsigned util_threads(size_t n, unsigned want, unsigned max, size_t per_thread);

/* Log levels for util_log. */
enum { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO };

/* Writes "spoofaudit: [warning: ]message\n" to stderr. The one place commands log. */
void util_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
