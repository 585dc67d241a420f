/* This file implements small helpers shared by the commands and the stages. */
#include "common/util.h"

#include "common/textsafe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int util_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

uint64_t util_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t util_mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

unsigned util_cpus(unsigned max)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus <= 1 ? 1 : (unsigned long)cpus < max ? (unsigned)cpus : max;
}

unsigned util_threads(size_t n, unsigned want, unsigned max, size_t per_thread)
{
	unsigned t = util_cpus(max);

	if (want)
		return want < max ? want : max;
	while (t > 1 && n / t < per_thread)
		t--;
	return t;
}

void util_log(int level, const char *fmt, ...)
{
	char msg[2048], safe[4 * sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages quote file names, interface names, pcap's and SQLite's errors: whatever
	 * bytes they carry reach the terminal escaped, line breaks kept. */
	fputs(level == LOG_LVL_WARN ? "spoofaudit: warning: " : "spoofaudit: ", stderr);
	for (char *line = msg, *nl;; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		text_term(safe, sizeof(safe), line);
		fputs(safe, stderr);
		fputc('\n', stderr);
		if (!nl || !nl[1])
			break;
	}
}
int util_grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	if (nc < *cap || nc > SIZE_MAX / size) {
		errno = ENOMEM;
		return -1;
	}
	p = realloc(*v, nc * size);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	*v = p;
	*cap = nc;
	return 0;
}
