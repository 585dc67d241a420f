/* Unit tests for common/textsafe.c: terminal escaping and UTF-8 repair, one row a case.
 * Expected strings are written out by hand from the UTF-8 definition (RFC 3629). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/textsafe.h"

struct term_row {
	const char *in;
	const char *want;
};

static const struct term_row term_rows[] = {
	{ "eth0", "eth0" },
	{ "", "" },
	{ "\x1b]0;pwned\a\x1b[2J", "\\x1b]0;pwned\\x07\\x1b[2J" },
	{ "a\tb\nc\r", "a\\x09b\\x0ac\\x0d" },
	{ "del\x7f", "del\\x7f" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },              /* é passes */
	{ "\xc2\x9b" "31m", "\\xc2\\x9b31m" },        /* C1 CSI escaped */
	{ "cut\xe2\x82", "cut\\xe2\\x82" },            /* truncated sequence */
	{ "\xc0\xaf", "\\xc0\\xaf" },                  /* overlong */
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },         /* surrogate */
	{ "\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!" },  /* emoji passes */
	{ "back\\slash", "back\\slash" },
};

static void test_term_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof term_rows / sizeof term_rows[0]; i++) {
		char buf[128];
		text_term(buf, sizeof buf, term_rows[i].in);
		if (strcmp(buf, term_rows[i].want) != 0)
			fail_msg("row %zu: got '%s', want '%s'", i, buf, term_rows[i].want);
		char *d = text_term_dup(term_rows[i].in);
		assert_non_null(d);
		assert_string_equal(d, term_rows[i].want);
		free(d);
	}
}

static void test_term_truncates_whole(void **state)
{
	(void)state;
	char buf[6];
	/* "ab" + escape of ESC needs 2 + 4 = 6 bytes plus NUL: the escape is left out whole */
	assert_int_equal(text_term(buf, sizeof buf, "ab\x1b"), 2);
	assert_string_equal(buf, "ab");
	char b2[4];
	assert_int_equal(text_term(b2, sizeof b2, "x\xc3\xa9y"), 3);
	assert_string_equal(b2, "x\xc3\xa9");
	assert_int_equal(text_term(b2, sizeof b2, NULL), 0);
	assert_string_equal(b2, "");
}

static void test_utf8_fix(void **state)
{
	(void)state;
	/* an if_name cut mid-character: "eth" + first byte of é */
	char *d = text_utf8_dupn("eth\xc3", 4);
	assert_string_equal(d, "eth\xef\xbf\xbd");
	assert_true(text_utf8_valid(d, strlen(d)));
	free(d);
	d = text_utf8_dupn("a\0b", 3);
	assert_string_equal(d, "a\xef\xbf\xbd" "b");
	free(d);
	d = text_utf8_dupn("ok \xc3\xa9", 5);
	assert_string_equal(d, "ok \xc3\xa9");
	free(d);
	assert_false(text_utf8_valid("\xff", 1));
	assert_false(text_utf8_valid("a\0", 2));
	assert_true(text_utf8_valid("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term_rows),
		cmocka_unit_test(test_term_truncates_whole),
		cmocka_unit_test(test_utf8_fix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
