/* This file declares the one way text says "N things": the noun agrees with the count
 * ("1 packet", "2 packets", "0 packets"). */
#ifndef SPOOFAUDIT_PLURAL_H
#define SPOOFAUDIT_PLURAL_H

/* "" when n is 1, "s" otherwise: printf("%llu packet%s", n, plural_s(n)). */
const char *plural_s(unsigned long long n);

/* one when n is 1, many otherwise, for nouns that do not take a plain "s":
 * printf("%llu %s", n, plural(n, "entry", "entries")). */
const char *plural(unsigned long long n, const char *one, const char *many);

#endif
