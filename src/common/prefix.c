/* This file implements IP address prefixes: parsing, masking, containment and printing. */
#include "common/prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned family_bits(int family)
{
	return family == 4 ? 32 : 128;
}

void prefix_set(struct prefix *p, int family, const uint8_t addr[16], unsigned plen)
{
	unsigned bits = family_bits(family), i;

	if (plen > bits)
		plen = bits;
	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	p->plen = (uint8_t)plen;
	for (i = 0; i < bits / 8; i++) {
		unsigned lo = i * 8;

		if (lo + 8 <= plen)
			p->addr[i] = addr[i];
		else if (lo < plen)
			p->addr[i] = addr[i] & (uint8_t)(0xff << (8 - (plen - lo)));
	}
}

int prefix_contains(const struct prefix *p, int family, const uint8_t addr[16])
{
	unsigned full, rem;

	if (p->family != family)
		return 0;
	full = p->plen / 8;
	rem = p->plen % 8;
	if (memcmp(p->addr, addr, full) != 0)
		return 0;
	if (rem && ((addr[full] ^ p->addr[full]) & (uint8_t)(0xff << (8 - rem))))
		return 0;
	return 1;
}

int prefix_parse(const char *s, int family_hint, struct prefix *p)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint8_t addr[16] = {0};
	int family;
	unsigned long plen;

	if (alen == 0 || alen >= sizeof(buf))
		goto bad;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		family = 6;
	else
		goto bad;
	if (family_hint && family_hint != family)
		goto bad;
	plen = family_bits(family);
	if (slash) {
		char *end;

		if (slash[1] < '0' || slash[1] > '9')
			goto bad;
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (errno || *end != '\0' || plen > family_bits(family))
			goto bad;
	}
	prefix_set(p, family, addr, (unsigned)plen);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* inet_ntop()'s dotted quad without its sprintf (the writer formats two per new flow
 * row): 0 with the text in buf, or -1 when len cannot hold it. */
static int ip4_format(const uint8_t addr[4], char *buf, size_t len)
{
	char tmp[16], *p = tmp;
	unsigned i;

	for (i = 0; i < 4; i++) {
		unsigned v = addr[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	if ((size_t)(p - tmp) > len)
		return -1;
	memcpy(buf, tmp, (size_t)(p - tmp));
	return 0;
}

char *addr_format(int family, const uint8_t addr[16], char *buf, size_t len)
{
	if (family == 4 && ip4_format(addr, buf, len) == 0)
		return buf;
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

char *prefix_format(const struct prefix *p, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	snprintf(buf, len, "%s/%u", addr_format(p->family, p->addr, a, sizeof(a)), p->plen);
	return buf;
}
