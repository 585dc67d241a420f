/* This file declares how text that came from a packet, a capture file, a ruleset or a
 * database reaches a terminal or a JSON document: control characters escaped, invalid
 * UTF-8 replaced, so that no byte an attacker chose can move a cursor or empty a table. */
#ifndef SPOOFAUDIT_TEXTSAFE_H
#define SPOOFAUDIT_TEXTSAFE_H

#include <stddef.h>

/* Length of the longest valid UTF-8 sequence at s (at most n bytes): 1..4, or 0 if the
 * byte at s does not start a valid, shortest-form, non-surrogate sequence. */
size_t text_utf8_seq(const unsigned char *s, size_t n);

/* Copies src into dst (dstsz > 0) for a terminal: C0 controls, DEL, C1 controls and
 * bytes that are not valid UTF-8 become "\xNN"; a backslash stays a backslash. Valid
 * printable UTF-8 passes through. Truncates at a whole character and always
 * NUL-terminates. Returns the length written. NULL src is written as "". */
size_t text_term(char *dst, size_t dstsz, const char *src);

/* As text_term, into a buffer it allocates (free() it). NULL on allocation failure. */
char *text_term_dup(const char *src);

/* Copies the n bytes at src into a new NUL-terminated string that is valid UTF-8 with
 * no NUL inside: each invalid byte (and each NUL) becomes U+FFFD. For JSON, whose
 * libraries refuse invalid UTF-8. NULL on allocation failure. */
char *text_utf8_dupn(const char *src, size_t n);

/* Non-zero if the n bytes at s are valid UTF-8 with no NUL. */
int text_utf8_valid(const char *s, size_t n);

#endif
