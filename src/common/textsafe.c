/* This file contains the escaping of untrusted text for terminals and for JSON
 * (textsafe.h): the one place that decides which bytes may reach a screen as they are. */
#include "common/textsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t text_utf8_seq(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned min;
	unsigned cp;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Is the valid sequence at s (of length len) a C1 control (U+0080..U+009F)? */
static int is_c1(const unsigned char *s, size_t len)
{
	return len == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

size_t text_term(char *dst, size_t dstsz, const char *src)
{
	size_t o = 0;
	if (dstsz == 0)
		return 0;
	if (src == NULL) {
		dst[0] = '\0';
		return 0;
	}
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src);
	for (size_t i = 0; i < n;) {
		size_t len = text_utf8_seq(s + i, n - i);
		if (len == 0 || s[i] < 0x20 || s[i] == 0x7f || is_c1(s + i, len)) {
			if (len == 0)
				len = 1;
			/* every byte of an unwanted sequence is shown, none is kept */
			if (o + 4 * len >= dstsz)
				break;
			for (size_t k = 0; k < len; k++) {
				snprintf(dst + o, 5, "\\x%02x", s[i + k]);
				o += 4;
			}
		} else {
			if (o + len >= dstsz)
				break;
			memcpy(dst + o, s + i, len);
			o += len;
		}
		i += len;
	}
	dst[o] = '\0';
	return o;
}

char *text_term_dup(const char *src)
{
	size_t n = src ? strlen(src) : 0;
	char *d = malloc(4 * n + 1);
	if (d)
		text_term(d, 4 * n + 1, src);
	return d;
}

char *text_utf8_dupn(const char *src, size_t n)
{
	/* U+FFFD is three bytes: at most three times the input */
	char *d = malloc(3 * n + 1);
	size_t o = 0;
	if (d == NULL)
		return NULL;
	const unsigned char *s = (const unsigned char *)src;
	for (size_t i = 0; i < n;) {
		size_t len = text_utf8_seq(s + i, n - i);
		if (len == 0 || s[i] == 0) {
			memcpy(d + o, "\xef\xbf\xbd", 3);
			o += 3;
			i += 1;
		} else {
			memcpy(d + o, s + i, len);
			o += len;
			i += len;
		}
	}
	d[o] = '\0';
	return d;
}

int text_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t len = text_utf8_seq(u + i, n - i);
		if (len == 0 || u[i] == 0)
			return 0;
		i += len;
	}
	return 1;
}
