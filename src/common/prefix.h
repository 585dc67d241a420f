/* This file declares IP address prefixes: parsing, masking, containment and printing,
 * shared by the classifier, the store and the iptables parser. */
#ifndef SPOOFAUDIT_PREFIX_H
#define SPOOFAUDIT_PREFIX_H

#include <stddef.h>
#include <stdint.h>

struct prefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t plen;		/* 0..32 / 0..128 */
	uint8_t addr[16];	/* IPv4 in the first 4 bytes; host bits zero; rest zero */
};

/* Longest text prefix_format() writes, NUL included ("ffff:...:ffff/128"). */
#define PREFIX_STRLEN 52
/* Longest text addr_format() writes, NUL included. */
#define ADDR_STRLEN 46

/* Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (full length) into *p, masking
 * host bits. family_hint 4 or 6 restricts the family; 0 accepts either. Returns 0, or -1
 * on a malformed prefix (errno EINVAL). */
int prefix_parse(const char *s, int family_hint, struct prefix *p);

/* Sets p to addr/plen, masking host bits. plen is clamped to the family's length. */
void prefix_set(struct prefix *p, int family, const uint8_t addr[16], unsigned plen);

/* True when addr (family 4/6) lies inside p. */
int prefix_contains(const struct prefix *p, int family, const uint8_t addr[16]);

/* Writes addr as text (inet_ntop) into buf of at least ADDR_STRLEN bytes; returns buf. */
char *addr_format(int family, const uint8_t addr[16], char *buf, size_t len);

/* Writes "addr/plen" into buf of at least PREFIX_STRLEN bytes; returns buf. */
char *prefix_format(const struct prefix *p, char *buf, size_t len);

#endif
