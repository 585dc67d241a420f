/* This file contains the plural helper (see plural.h). */
#include "common/plural.h"

const char *plural_s(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

const char *plural(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}
